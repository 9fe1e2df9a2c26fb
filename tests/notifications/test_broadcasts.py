"""Broadcasts: a secretary's message to an audience, fanned out in the background."""

import pytest
from sqlalchemy import func, select

from alliance.accounts.models import Role
from alliance.extensions import db
from alliance.notifications import outbox, services
from alliance.notifications.models import Broadcast, Notification, OutboxMessage
from alliance.volunteers.models import VolunteerProfile
from tests.conftest import login


@pytest.fixture
def crew(world, make_user):
    """Four volunteers of community A living in estate A: two with mobiles, one with a landline,
    one who turned broadcast SMS off."""
    people = []
    for i, phone in enumerate(["13800000001", "13800000002", "03512345678", "13800000004"]):
        user = make_user(f"v{i}", community=world.a, roles=(Role.VOLUNTEER,), phone=phone)
        db.session.add(
            VolunteerProfile(
                user_id=user.id,
                community_id=world.a.id,
                name=f"志愿者{i}",
                phone=phone,
                estate_id=world.estate_a.id,
            )
        )
        people.append(user)
    services.set_preferences(people[3].id, {"broadcast.notice": (True, False)})
    db.session.commit()
    return people


def _post(client, **data):
    form = {
        "audience": "volunteers",
        "title": "停水通知",
        "body": "明天9点到12点停水",
        "inbox": "y",
    }
    form.update(data)
    return client.post("/notifications/broadcast", data={k: v for k, v in form.items() if v})


def test_a_broadcast_reaches_the_audience_by_inbox_and_sms(app, client, world, crew):
    login(client, "secretary_a")
    response = _post(client, sms="y")
    assert response.status_code == 303 and response.headers["Location"].endswith("/outbox")
    broadcast = db.session.scalars(select(Broadcast)).one()
    assert (broadcast.state, broadcast.recipients) == ("fanned_out", 4)
    assert (broadcast.sms_total, broadcast.skipped_phone, broadcast.skipped_sms_off) == (2, 1, 1)
    inboxes = db.session.scalars(select(Notification.user_id)).all()
    assert sorted(inboxes) == sorted(u.id for u in crew)
    texts = db.session.scalars(select(OutboxMessage.text)).all()
    assert texts == ["【甲社区】停水通知：明天9点到12点停水"] * 2
    page = client.get("/notifications/outbox").get_data(as_text=True)
    assert "短信已发送 2 / 2" in page
    assert "未发短信：无有效大陆手机号 1 人，本人关闭短信 1 人" in page
    reader = app.test_client()
    login(reader, "v0")
    assert "停水通知" in reader.get("/inbox/").get_data(as_text=True)


def test_an_estate_and_a_grid_are_audiences(client, world, crew):
    login(client, "secretary_a")
    assert _post(client, audience="estate", estate_id=str(world.estate_a.id)).status_code == 303
    assert _post(client, audience="grid", grid_id=str(world.grid.id)).status_code == 303
    estate, grid = db.session.scalars(select(Broadcast).order_by(Broadcast.id)).all()
    assert estate.recipients == 4
    assert grid.recipients == 5  # the grid's worker as well


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "请填写标题。"),
        ({"title": "长" * 61}, "标题最多 60 个字。"),
        ({"body": "长" * 501}, "内容最多 500 个字。"),
        ({"inbox": ""}, "请至少选择一种发送方式。"),
        ({"sms": "y", "body": "长" * 400}, "短信最多 335 个字（含签名），请缩短内容。"),
        ({"audience": "estate", "estate_id": ""}, "请选择本社区的小区或网格。"),
        ({"audience": "nobody"}, "请选择发送范围。"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_queued(client, world, crew, data, message):
    login(client, "secretary_a")
    response = _post(client, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Broadcast.id))) == 0


def test_an_audience_with_nobody_is_refused(client, world, crew):
    login(client, "secretary_a")
    response = _post(client, audience="estate", estate_id=str(world.estate_b.id))
    assert response.status_code == 422  # estate of another community
    login(client, "secretary_a")
    from alliance.communities.models import Estate

    empty = Estate(community_id=world.a.id, name="甲二小区")
    db.session.add(empty)
    db.session.commit()
    response = _post(client, audience="estate", estate_id=str(empty.id))
    assert response.status_code == 422
    assert "这个范围内没有可以通知的人。" in response.get_data(as_text=True)


def test_broadcasts_are_rate_limited_per_community(app, client, world, crew, monkeypatch):
    monkeypatch.setitem(app.config, "BROADCASTS_PER_HOUR", 2)
    login(client, "secretary_a")
    assert _post(client).status_code == 303
    assert _post(client).status_code == 303
    third = _post(client)
    assert third.status_code == 429
    assert "每个社区每小时最多群发 2 次" in third.get_data(as_text=True)
    # An emergency warning is counted apart, so notices never hold one back.
    assert _post(client, emergency="y").status_code == 303


def test_the_request_only_queues_the_worker_fans_out(app_with_broker, world, crew):
    away = app_with_broker("redis://127.0.0.1:1/0", WTF_CSRF_ENABLED=False)
    client = away.test_client()
    login(client, "secretary_a")
    response = _post(client, sms="y")
    assert response.status_code == 303
    broadcast = db.session.scalars(select(Broadcast)).one()
    assert broadcast.state == "queued"
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    # The broker is back: the sweeper (inline here) hands it to the worker, which fans it out.
    db.session.execute(Broadcast.__table__.update().values(dispatched_at=None))
    db.session.commit()
    assert outbox.sweep()["broadcasts"] == 1
    db.session.refresh(broadcast)
    assert broadcast.state == "fanned_out"
    assert db.session.scalar(select(func.count(Notification.id))) == 4
    assert outbox.sweep()["broadcasts"] == 0  # fanned out once


def test_other_people_cannot_broadcast(app, world, crew):
    for username in ("resident", "volunteer", "grid", "street"):
        client = app.test_client()
        login(client, username)
        assert _post(client).status_code == 403
    assert db.session.scalar(select(func.count(Broadcast.id))) == 0

"""The outbox: SMS rows, the HTTP gateway, retries with backoff, quiet hours, the sweeper."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.notifications import outbox, services
from alliance.notifications.models import OutboxMessage
from tests.conftest import login
from tests.notifications.gateway import Gateway


@pytest.fixture
def gateway(app, monkeypatch):
    with Gateway() as gw:
        monkeypatch.setitem(app.config, "SMS_PROVIDER", "http")
        monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", gw.url)
        monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", "gw-secret")
        monkeypatch.setitem(app.config, "SMS_GATEWAY_TIMEOUT", 0.5)
        yield gw


@pytest.fixture
def phone_resident(world):
    resident = world.users["resident"]
    resident.phone = "13800138000"
    db.session.commit()
    return resident


def _lost(user, world):
    services.notify([user.id], "card.lost", {"number": "A-1"}, community_id=world.a.id)
    db.session.commit()
    return db.session.scalars(select(OutboxMessage)).one()


def _due_now(message):
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(not_before=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_http_gateway_gets_the_text_the_number_and_the_token(gateway, phone_resident, world):
    message = _lost(phone_resident, world)
    db.session.refresh(message)
    assert message.state == "sent" and message.attempts == 1
    [request] = gateway.requests
    assert request["body"]["to"] == "13800138000"
    assert request["body"]["text"].startswith("【甲社区】您的联盟卡 A-1 已挂失停用")
    assert request["auth"] == "Bearer gw-secret"
    assert request["key"] == f"outbox-{message.id}"
    assert '"ok": true' in message.provider_answer


def test_a_5xx_is_retried_with_backoff_then_given_up(app, gateway, phone_resident, world):
    gateway.answers = [503] * 5
    message = _lost(phone_resident, world)
    db.session.refresh(message)
    assert message.state == "failed" and message.attempts == 1
    waits = [message.not_before - utcnow()]
    for _ in range(4):
        _due_now(message)
        outbox.sweep()
        db.session.refresh(message)
        waits.append(message.not_before - utcnow())
    assert message.state == "given_up" and message.attempts == 5
    assert message.provider_answer.startswith("503")
    # 1, 4, 16, 64 minutes between attempts.
    assert [round(w.total_seconds() / 60) for w in waits[:4]] == [1, 4, 16, 64]
    assert len(gateway.requests) == 5


def test_a_gateway_that_times_out_is_retried_and_then_succeeds(gateway, phone_resident, world):
    gateway.stall.set()
    message = _lost(phone_resident, world)
    db.session.refresh(message)
    assert message.state == "failed" and "no answer" in message.provider_answer
    gateway.stall.clear()
    gateway.release.set()
    _due_now(message)
    outbox.sweep()
    db.session.refresh(message)
    assert message.state == "sent" and message.attempts == 2


def test_a_refused_number_is_given_up_at_once(gateway, phone_resident, world):
    gateway.answers = [400]
    message = _lost(phone_resident, world)
    db.session.refresh(message)
    assert message.state == "given_up" and message.attempts == 1


def test_a_claimed_message_is_not_sent_by_a_second_worker(gateway, phone_resident, world):
    message = _lost(phone_resident, world)
    assert outbox.send_messages([message.id]) == 0  # already sent: the claim finds nothing
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(state="sending", claimed_at=utcnow())
    )
    db.session.commit()
    assert outbox.send_messages([message.id]) == 0  # someone else holds a fresh claim
    assert len(gateway.requests) == 1


def test_a_stale_claim_is_resent_with_the_same_key(gateway, phone_resident, world):
    # A worker claimed it, the gateway took it, and the worker died before marking it sent.
    message = _lost(phone_resident, world)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(state="sending", claimed_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    assert outbox.sweep()["messages"] == 1
    db.session.refresh(message)
    assert message.state == "sent" and message.attempts == 2
    assert [r["key"] for r in gateway.requests] == [f"outbox-{message.id}"] * 2
    assert len(gateway.delivered) == 1  # the phone got it once


def test_a_broker_that_is_away_leaves_rows_queued_for_the_sweeper(
    app_with_broker, gateway, phone_resident, world
):
    away = app_with_broker("redis://127.0.0.1:1/0")
    with away.app_context():
        services.notify([phone_resident.id], "card.lost", {"number": "A-1"})
        db.session.commit()  # the change commits although nothing could be queued
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.state == "queued" and gateway.requests == []
    # The broker is back: the sweeper hands the row over (here the suite's app runs it inline).
    assert outbox.sweep()["messages"] == 0  # handed over a moment ago: not yet again
    db.session.execute(update(OutboxMessage).values(dispatched_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    assert outbox.sweep()["messages"] == 1
    db.session.refresh(message)
    assert message.state == "sent" and len(gateway.requests) == 1
    outbox.sweep()
    assert len(gateway.requests) == 1


def test_quiet_hours_hold_sms_until_seven_except_emergencies(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_QUIET_HOURS", "22:00-07:00")
    late = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    assert outbox.release_time(late) == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 07:00 next day
    early = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # 05:00
    assert outbox.release_time(early) == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    day = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00
    assert outbox.release_time(day) == day
    assert outbox.release_time(late, emergency=True) == late


def test_an_sms_queued_at_night_waits_and_goes_when_due(app, monkeypatch, phone_resident, world):
    monkeypatch.setitem(app.config, "SMS_QUIET_HOURS", "00:00-23:59")
    message = _lost(phone_resident, world)
    assert message.state == "queued" and message.not_before > utcnow()
    assert outbox.sweep()["messages"] == 0
    _due_now(message)
    outbox.sweep()
    db.session.refresh(message)
    assert message.state == "sent"


def test_an_emergency_goes_at_night(app, monkeypatch, phone_resident, world):
    monkeypatch.setitem(app.config, "SMS_QUIET_HOURS", "00:00-23:59")
    services.notify([phone_resident.id], "broadcast.emergency", {"title": "防汛", "body": "转移"})
    db.session.commit()
    assert db.session.scalars(select(OutboxMessage.state)).one() == "sent"


def test_the_outbox_page_filters_and_counts(app, client, gateway, phone_resident, world):
    gateway.answers = [503]
    _lost(phone_resident, world)
    services.notify(
        [phone_resident.id], "order.dispatched", {"title": "修水管"}, community_id=world.a.id
    )
    db.session.commit()
    login(client, "secretary_a")
    page = client.get("/notifications/outbox").get_data(as_text=True)
    assert '<span class="badge text-bg-secondary" data-state="sent">1</span>' in page
    assert '<span class="badge text-bg-secondary" data-state="failed">1</span>' in page
    assert "138****8000" in page and "13800138000" not in page
    failed = client.get("/notifications/outbox?state=failed").get_data(as_text=True)
    assert failed.count('class="card mb-2 outbox-row"') == 1 and "A-1" in failed
    by_kind = client.get("/notifications/outbox?kind=order.dispatched").get_data(as_text=True)
    assert by_kind.count('class="card mb-2 outbox-row"') == 1 and "修水管" in by_kind
    assert client.get("/notifications/outbox?state=nonsense").status_code == 400
    other = app.test_client()
    login(other, "secretary_b")
    page_b = other.get("/notifications/outbox").get_data(as_text=True)
    assert "A-1" not in page_b and "没有记录。" in page_b

"""Correcting a published activity: title, place, description, project and points rule."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from alliance.activities import service_hours, services
from alliance.activities.models import Activity, Signup
from alliance.audit.models import AuditEntry
from alliance.extensions import db
from alliance.points.models import LedgerEntry
from tests.points.factories import make_activity, make_volunteer


@pytest.fixture
def activity_id(world):
    activity = make_activity(world.a, world.users["secretary_a"], title="清洁家园", slots=2)
    db.session.commit()
    return activity.id


def _form(**change):
    data = {
        "title": "清洁家园",
        "category": "environment",
        "place": "社区广场",
        "description": "",
        "project_id": "0",
        "points_per_hour": "",
    }
    return data | change


def _audit_updates(activity_id):
    return list(
        db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_type == "Activity",
                AuditEntry.object_id == activity_id,
                AuditEntry.action == "update",
            )
        )
    )


def test_secretary_corrects_the_title_and_place(as_user, world, activity_id):
    client = as_user("secretary_a")
    detail = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert f'href="/activities/{activity_id}/edit"' in detail
    manage = client.get("/activities/manage").get_data(as_text=True)
    assert f'href="/activities/{activity_id}/edit"' in manage
    page = client.get(f"/activities/{activity_id}/edit").get_data(as_text=True)
    assert 'value="清洁家园"' in page and "已发放的积分不变" in page

    r = client.post(
        f"/activities/{activity_id}/edit",
        data=_form(title="清洁家园（周六）", place="明珠花园东门"),
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/activities/{activity_id}")
    page = as_user("volunteer").get(f"/activities/{activity_id}").get_data(as_text=True)
    assert "清洁家园（周六）" in page and "明珠花园东门" in page
    assert f"/activities/{activity_id}/edit" not in page  # volunteers see no edit link
    activity = db.session.get(Activity, activity_id)
    assert len(activity.slots) == 2  # the slots are not part of the form
    (entry,) = _audit_updates(activity_id)
    assert entry.actor_id == world.users["secretary_a"].id
    assert entry.before == {"title": "清洁家园", "place": "社区广场"}
    assert entry.after == {"title": "清洁家园（周六）", "place": "明珠花园东门"}


def test_another_communitys_secretary_gets_404(as_user, activity_id):
    client = as_user("secretary_b")
    assert client.get(f"/activities/{activity_id}/edit").status_code == 404
    r = client.post(f"/activities/{activity_id}/edit", data=_form(title="乙社区改的"))
    assert r.status_code == 404
    assert db.session.get(Activity, activity_id).title == "清洁家园"


@pytest.mark.parametrize("username", ["resident", "volunteer", "grid", "street"])
def test_people_who_cannot_publish_get_403(as_user, activity_id, username):
    client = as_user(username)
    assert client.get(f"/activities/{activity_id}/edit").status_code == 403
    r = client.post(f"/activities/{activity_id}/edit", data=_form(title="不该改的"))
    assert r.status_code == 403
    assert db.session.get(Activity, activity_id).title == "清洁家园"


def test_a_cancelled_activity_cannot_be_edited(as_user, world, activity_id):
    services.cancel_activity(db.session.get(Activity, activity_id))
    db.session.commit()
    client = as_user("secretary_a")
    r = client.get(f"/activities/{activity_id}/edit", follow_redirects=True)
    assert "活动已取消，不能再修改" in r.get_data(as_text=True)
    r = client.post(f"/activities/{activity_id}/edit", data=_form(title="复活"))
    assert r.status_code == 303
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert "活动已取消，不能再修改" in page and f"/activities/{activity_id}/edit" not in page
    db.session.expire_all()
    assert db.session.get(Activity, activity_id).title == "清洁家园"
    assert _audit_updates(activity_id) == []


@pytest.mark.parametrize(
    "change, message",
    [
        ({"title": ""}, "请填写活动名称"),
        ({"title": "   "}, "请填写活动名称"),
        ({"points_per_hour": "-5"}, "不能为负数"),
        ({"title": "长" * 81}, "不能超过 80 个字符"),
    ],
)
def test_bad_input_shows_the_error_and_changes_nothing(as_user, activity_id, change, message):
    client = as_user("secretary_a")
    r = client.post(f"/activities/{activity_id}/edit", data=_form(place="新地点", **change))
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    db.session.expire_all()
    activity = db.session.get(Activity, activity_id)
    assert (activity.title, activity.place) == ("清洁家园", "社区广场")
    assert _audit_updates(activity_id) == []


def test_a_new_points_rule_leaves_confirmed_points_alone(as_user, world, activity_id):
    volunteer, secretary = world.users["volunteer"], world.users["secretary_a"]
    make_volunteer(volunteer, world.a)
    first, second = db.session.get(Activity, activity_id).slots
    signups = [services.sign_up(slot, volunteer) for slot in (first, second)]
    service_hours.set_times(signups[0], first.starts_at, first.starts_at + timedelta(hours=1))
    assert service_hours.confirm(signups[0], secretary) == 10  # the community rule: 10 an hour
    db.session.commit()

    r = as_user("secretary_a").post(
        f"/activities/{activity_id}/edit", data=_form(points_per_hour="30")
    )
    assert r.status_code == 303
    db.session.expire_all()
    confirmed = db.session.get(Signup, signups[0].id)
    assert confirmed.points == 10
    assert db.session.scalar(select(func.sum(LedgerEntry.delta))) == 10
    later = db.session.get(Signup, signups[1].id)
    service_hours.set_times(later, second.starts_at, second.starts_at + timedelta(hours=1))
    assert service_hours.confirm(later, secretary) == 30

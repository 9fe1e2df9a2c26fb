"""补录 (hours entered after the activity's day) needs a reason; insurance shown before sign-up."""

from datetime import timedelta

from sqlalchemy import select

from alliance.activities import service_hours
from alliance.activities.models import Activity, Signup
from alliance.clock import LOCAL_TZ
from alliance.db_types import utcnow
from alliance.extensions import db
from tests.points.factories import make_activity, make_volunteer


def _past_signup(world, *, days_ago=3):
    """A signup for a slot that ended `days_ago` days ago (written directly: publishing
    refuses past slots)."""
    secretary = world.users["secretary_a"]
    make_volunteer(world.users["volunteer"], world.a)
    activity = make_activity(world.a, secretary, title="上周巡逻")
    slot = activity.slots[0]
    slot.starts_at = utcnow() - timedelta(days=days_ago, hours=3)
    slot.ends_at = slot.starts_at + timedelta(hours=2)
    slot.local_day = slot.starts_at.astimezone(LOCAL_TZ).date()
    signup = Signup(
        slot_id=slot.id,
        activity_id=activity.id,
        community_id=world.a.id,
        user_id=world.users["volunteer"].id,
    )
    slot.taken = 1
    db.session.add(signup)
    db.session.commit()
    return slot, signup


def _local(moment):
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def test_backfill_without_a_reason_is_refused_and_nothing_saved(as_user, world):
    slot, signup = _past_signup(world)
    client = as_user("secretary_a")
    page = client.get(f"/activities/slots/{slot.id}/attendance").get_data(as_text=True)
    assert "补录原因（必填）" in page
    r = client.post(
        f"/activities/signups/{signup.id}/times",
        data={"check_in": _local(slot.starts_at), "check_out": _local(slot.ends_at), "reason": " "},
        follow_redirects=True,
    )
    assert "活动结束后补录时长，请填写补录原因。" in r.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Signup, signup.id)
    assert saved.minutes is None and saved.backfilled_at is None


def test_backfill_with_a_reason_is_marked_with_who_and_why(as_user, world):
    slot, signup = _past_signup(world)
    client = as_user("secretary_a")
    client.post(
        f"/activities/signups/{signup.id}/times",
        data={
            "check_in": _local(slot.starts_at),
            "check_out": _local(slot.ends_at),
            "reason": "志愿者手机没电，未能扫码",
        },
    )
    db.session.expire_all()
    saved = db.session.get(Signup, signup.id)
    assert saved.minutes == 120
    assert saved.backfilled_by_id == world.users["secretary_a"].id
    assert saved.backfill_reason == "志愿者手机没电，未能扫码"
    page = client.get(f"/activities/slots/{slot.id}/attendance").get_data(as_text=True)
    assert "补录</span> 志愿者手机没电，未能扫码" in page


def test_hand_entry_on_the_activity_day_is_no_backfill(world):
    make_volunteer(world.users["volunteer"], world.a)
    activity = make_activity(world.a, world.users["secretary_a"])
    slot = activity.slots[0]
    signup = Signup(
        slot_id=slot.id,
        activity_id=activity.id,
        community_id=world.a.id,
        user_id=world.users["volunteer"].id,
    )
    db.session.add(signup)
    db.session.flush()
    service_hours.set_times(signup, slot.starts_at, slot.ends_at, now=slot.ends_at)
    assert signup.backfilled_at is None and signup.minutes == 120


def _publish(client, **extra):
    start = utcnow() + timedelta(days=2)
    return client.post(
        "/activities/new",
        data={
            "title": "防汛巡查",
            "category": "flood",
            "place": "水岸雅居",
            "project_id": "0",
            "starts_at": _local(start),
            "ends_at": _local(start + timedelta(hours=3)),
            "capacity": "8",
            **extra,
        },
    )


def test_insured_activity_needs_its_policy(as_user, world):
    r = _publish(as_user("secretary_a"), insured="y", insurance_policy="  ")
    assert r.status_code == 422
    assert "请填写保险公司和保单号" in r.get_data(as_text=True)
    assert db.session.scalars(select(Activity)).all() == []


def test_volunteer_sees_the_insurance_before_signing_up(as_user, world):
    make_volunteer(world.users["volunteer"], world.a)
    db.session.commit()
    _publish(
        as_user("secretary_a"), insured="y", insurance_policy="人保 志愿者团体意外险 P2026-001"
    )
    _publish(as_user("secretary_a"), title="无保险的活动")
    insured, plain = db.session.scalars(select(Activity).order_by(Activity.id)).all()
    client = as_user("volunteer")
    page = client.get(f"/activities/{insured.id}").get_data(as_text=True)
    assert "已投保</span> 人保 志愿者团体意外险 P2026-001" in page
    assert page.index("人保 志愿者团体意外险") < page.index("报名这个时段")
    page = client.get(f"/activities/{plain.id}").get_data(as_text=True)
    assert "这个活动没有为志愿者购买保险，报名前请知悉。" in page

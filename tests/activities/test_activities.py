"""Activities end to end: publish, sign up, attendance by card and by hand, confirm, points."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from alliance import clock
from alliance.activities import service_hours, services
from alliance.activities.models import Activity, ActivitySlot, Signup
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.points import ledger, scoring
from alliance.points.models import LedgerEntry, PointsRule
from tests.pages import home_figures
from tests.points.factories import give_card, make_activity, make_volunteer


def local(dt):
    return dt.astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def vol(world):
    make_volunteer(world.users["volunteer"], world.a, name="王小明")
    card = give_card(world.users["volunteer"], world.a)
    db.session.commit()
    return card


def test_secretary_publishes_an_activity(as_user, world):
    client = as_user("secretary_a")
    start = utcnow() + timedelta(days=2)
    r = client.post(
        "/activities/new",
        data={
            "title": "敲门行动",
            "category": "elderly",
            "place": "明珠花园",
            "project_id": "0",
            "starts_at": local(start),
            "ends_at": local(start + timedelta(hours=3)),
            "capacity": "8",
        },
    )
    assert r.status_code == 303
    activity = db.session.scalars(select(Activity)).one()
    assert activity.title == "敲门行动" and activity.slots[0].capacity == 8
    page = as_user("volunteer").get("/activities/").get_data(as_text=True)
    assert "敲门行动" in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"capacity": "0"}, "人数上限"),
        ({"capacity": "2.5"}, "人数上限"),
        ({"points_per_hour": "-5"}, "不能为负数"),
        ({"ends_at": "EARLY"}, "结束时间要晚于开始时间"),
        ({"starts_at": "PAST"}, "开始时间已经过了"),
        ({"starts_at": "garbage"}, "年-月-日"),
    ],
)
def test_publishing_refuses_bad_input(as_user, world, change, message):
    client = as_user("secretary_a")
    start = utcnow() + timedelta(days=2)
    data = {
        "title": "敲门行动",
        "category": "elderly",
        "place": "明珠花园",
        "project_id": "0",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=3)),
        "capacity": "8",
    }
    data.update(change)
    if data["ends_at"] == "EARLY":
        data["ends_at"] = local(start - timedelta(hours=1))
    if data["starts_at"] == "PAST":
        data["starts_at"] = local(utcnow() - timedelta(days=1))
        data["ends_at"] = local(utcnow() - timedelta(hours=22))
    r = client.post("/activities/new", data=data)
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_sign_up_cancel_and_capacity(as_user, world, vol, make_user):
    activity = make_activity(world.a, world.users["secretary_a"], capacity=1)
    slot_id = activity.slots[0].id
    db.session.commit()
    client = as_user("volunteer")
    r = client.post(f"/activities/slots/{slot_id}/signup", follow_redirects=True)
    assert "报名成功" in r.get_data(as_text=True)
    r = client.post(f"/activities/slots/{slot_id}/signup", follow_redirects=True)
    assert "已经报名" in r.get_data(as_text=True)
    # Full: someone else cannot take a place.
    from alliance.accounts.models import Role

    other = make_user("other_vol", community=world.a, roles=(Role.VOLUNTEER,))
    make_volunteer(other, world.a)
    db.session.commit()
    r = as_user("other_vol").post(f"/activities/slots/{slot_id}/signup", follow_redirects=True)
    assert "报满" in r.get_data(as_text=True)
    # Cancel frees the place; the other volunteer gets it.
    client = as_user("volunteer")
    r = client.post(f"/activities/slots/{slot_id}/cancel", follow_redirects=True)
    assert "已取消报名" in r.get_data(as_text=True)
    r = as_user("other_vol").post(f"/activities/slots/{slot_id}/signup", follow_redirects=True)
    assert "报名成功" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ActivitySlot, slot_id).taken == 1


def test_a_resident_who_is_not_a_volunteer_cannot_sign_up(as_user, world):
    activity = make_activity(world.a, world.users["secretary_a"])
    db.session.commit()
    r = as_user("resident").post(
        f"/activities/slots/{activity.slots[0].id}/signup", follow_redirects=True
    )
    assert "在岗的志愿者" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Signup.id))) == 0


def test_no_sign_up_or_cancel_after_the_start(world, vol):
    activity = make_activity(world.a, world.users["secretary_a"])
    slot = activity.slots[0]
    volunteer = world.users["volunteer"]
    services.sign_up(slot, volunteer)
    db.session.commit()
    later = slot.starts_at + timedelta(minutes=1)
    with pytest.raises(services.ActivityError, match="已经开始"):
        services.sign_up(slot, world.users["secretary_a"], now=later)
    signup = db.session.scalars(select(Signup)).one()
    with pytest.raises(services.ActivityError, match="不能取消"):
        services.cancel_signup(signup, now=later)


def _signed_up(world, **kw):
    activity = make_activity(world.a, world.users["secretary_a"], **kw)
    slot = activity.slots[0]
    services.sign_up(slot, world.users["volunteer"])
    db.session.commit()
    return slot.id


def test_scan_checks_in_then_out_and_confirm_awards_points_once(as_user, world, vol):
    slot_id = _signed_up(world, hours=2)
    # The slot is on now (hours count within it); no night multiplier, whatever the hour.
    slot = db.session.get(services.ActivitySlot, slot_id)
    slot.starts_at, slot.ends_at = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1)
    db.session.add(PointsRule(community_id=world.a.id, points_per_hour=10, night_percent=100))
    db.session.commit()
    client = as_user("grid")
    r = client.post(
        f"/activities/slots/{slot_id}/scan",
        data={"text": f"https://example.org/c/{vol.code}"},
        follow_redirects=True,
    )
    assert "已签到" in r.get_data(as_text=True)
    # Move the check-in back 90 minutes (as if time had passed), then scan out by card number.
    signup = db.session.scalars(select(Signup)).one()
    signup.check_in_at = utcnow() - timedelta(minutes=90)
    db.session.commit()
    r = client.post(
        f"/activities/slots/{slot_id}/scan", data={"text": vol.number}, follow_redirects=True
    )
    assert "已签退" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(Signup)).one().minutes == 90
    r = client.post(f"/activities/signups/{signup.id}/confirm", follow_redirects=True)
    assert "获得 15 积分" in r.get_data(as_text=True)  # 1.5 h × 10 points
    r = client.post(f"/activities/signups/{signup.id}/confirm", follow_redirects=True)
    assert "已经确认过了" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1
    page = as_user("volunteer").get("/me/points").get_data(as_text=True)
    assert 'data-testid="balance">15<' in page and "清洁家园" in page


def test_scanning_a_card_not_signed_up_or_unknown(as_user, world, vol):
    activity = make_activity(world.a, world.users["secretary_a"])
    db.session.commit()
    client = as_user("secretary_a")
    r = client.post(f"/activities/slots/{activity.slots[0].id}/scan", data={"text": vol.code})
    assert r.status_code == 409 and "没有报名" in r.get_data(as_text=True)
    r = client.post(f"/activities/slots/{activity.slots[0].id}/scan", data={"text": "YSMZ-999"})
    assert r.status_code == 404 and "没有找到这张卡" in r.get_data(as_text=True)


def test_manual_times_refuse_checkout_before_checkin_and_absurd_hours(as_user, world, vol):
    slot_id = _signed_up(world)
    signup_id = db.session.scalars(select(Signup.id)).one()
    client = as_user("secretary_a")
    base = db.session.get(services.ActivitySlot, slot_id).starts_at
    r = client.post(
        f"/activities/signups/{signup_id}/times",
        follow_redirects=True,
        data={"check_in": local(base), "check_out": local(base - timedelta(hours=1))},
    )
    assert "签退时间不能早于签到时间" in r.get_data(as_text=True)
    r = client.post(
        f"/activities/signups/{signup_id}/times",
        follow_redirects=True,
        data={"check_in": local(base), "check_out": local(base + timedelta(hours=30))},
    )
    assert "须在时段内" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Signup, signup_id).minutes is None
    r = client.post(
        f"/activities/signups/{signup_id}/times",
        follow_redirects=True,
        data={"check_in": local(base), "check_out": local(base + timedelta(hours=2))},
    )
    assert "时间已保存" in r.get_data(as_text=True)
    r = client.post(f"/activities/slots/{slot_id}/confirm", follow_redirects=True)
    assert "已确认 1 人，共 20 积分" in r.get_data(as_text=True)


def test_check_out_without_check_in_is_refused(world, vol):
    _signed_up(world)
    signup = db.session.scalars(select(Signup)).one()
    with pytest.raises(services.ActivityError, match="还没有签到"):
        service_hours.check_out(signup, utcnow())
    with pytest.raises(services.ActivityError, match="不能确认"):
        service_hours.confirm(signup, world.users["secretary_a"])


def test_rule_multipliers_emergency_and_night(world, vol):
    db.session.add(
        PointsRule(
            community_id=world.a.id,
            points_per_hour=10,
            emergency_percent=200,
            night_percent=150,
            night_start_hour=22,
            night_end_hour=6,
        )
    )
    db.session.commit()
    rule = scoring.rule_for(world.a.id)
    night = datetime(2025, 6, 1, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    day = datetime(2025, 6, 1, 2, 0, tzinfo=UTC)  # 10:00
    assert scoring.is_night(night, rule) and not scoring.is_night(day, rule)
    assert scoring.points_for(60, 10, scoring.percent_for(rule, emergency=False, night=True)) == 15
    assert scoring.points_for(60, 10, scoring.percent_for(rule, emergency=True, night=True)) == 20
    assert scoring.points_for(45, 10, 100) == 8  # 7.5 rounds half up
    slot_id = _signed_up(world, emergency=True)
    signup = db.session.scalars(select(Signup).where(Signup.slot_id == slot_id)).one()
    service_hours.set_times(
        signup, signup.slot.starts_at, signup.slot.starts_at + timedelta(hours=1)
    )
    assert service_hours.confirm(signup, world.users["secretary_a"]) == 20


def test_points_rules_page_validates_and_is_audited(as_user, world):
    from alliance.audit.models import AuditEntry

    client = as_user("secretary_a")
    assert client.get("/points/rules").status_code == 200
    bad = {
        "points_per_hour": "-1",
        "emergency_percent": "200",
        "night_percent": "150",
        "night_start_hour": "22",
        "night_end_hour": "6",
        "expiry_months": "",
    }
    r = client.post("/points/rules", data=bad)
    assert r.status_code == 422 and "每小时积分应在0到1000之间" in r.get_data(as_text=True)
    r = client.post("/points/rules", data=bad | {"points_per_hour": "12", "expiry_months": "12"})
    assert r.status_code == 303
    rule = scoring.rule_for(world.a.id)
    assert rule.points_per_hour == 12 and rule.expiry_months == 12
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.object_type.in_(("points_rules", "PointsRule"))
            )
        )
        >= 1
    )


def test_award_page(as_user, world):
    client = as_user("secretary_a")
    r = client.post(
        "/points/award",
        data={"person": "volunteer", "points": "1.5", "reason": "好事", "key": "k1"},
    )
    assert r.status_code == 422 and "整数" in r.get_data(as_text=True)
    r = client.post(
        "/points/award",
        data={"person": "resident_b", "points": "5", "reason": "好事", "key": "k2"},
    )
    assert r.status_code == 422 and "本社区没有这个人" in r.get_data(as_text=True)
    r = client.post(
        "/points/award", data={"person": "volunteer", "points": "5", "reason": "好事", "key": "k3"}
    )
    assert r.status_code == 303
    r = client.post(
        "/points/adjust",
        data={"adj-person": "volunteer", "adj-points": "-9", "adj-reason": "错了", "adj-key": "k4"},
    )
    assert r.status_code == 422 and "小于0" in r.get_data(as_text=True)
    assert ledger.balance_of(world.users["volunteer"].id) == 5


def test_record_and_public_check(as_user, client, world, vol):
    slot_id = _signed_up(world)
    signup = db.session.scalars(select(Signup).where(Signup.slot_id == slot_id)).one()
    service_hours.set_times(
        signup, signup.slot.starts_at, signup.slot.starts_at + timedelta(hours=2)
    )
    service_hours.confirm(signup, world.users["secretary_a"])
    db.session.commit()
    me = as_user("volunteer")
    r = me.post("/me/record")
    assert r.status_code == 303
    page = me.get(r.headers["Location"]).get_data(as_text=True)
    assert "王小明" in page and vol.number in page and "2.0" in page and "<svg" in page
    assert "甲社区" in page
    token = page.split("/records/")[1].split("<")[0].strip()
    public = client.get(f"/records/{token}").get_data(as_text=True)
    assert "证明真实有效" in public and "王*明" in public and "王小明" not in public
    assert vol.number not in public and "13800000000" not in public
    assert client.get("/records/" + "x" * 43).status_code == 404


def test_record_needs_confirmed_service(as_user, world, vol):
    r = as_user("volunteer").post("/me/record", follow_redirects=True)
    assert "还没有已确认的志愿服务记录" in r.get_data(as_text=True)


def test_leaderboard_masks_unless_opted_in(as_user, world, vol):
    slot_id = _signed_up(world)
    signup = db.session.scalars(select(Signup).where(Signup.slot_id == slot_id)).one()
    service_hours.set_times(
        signup, signup.slot.starts_at, signup.slot.starts_at + timedelta(hours=2)
    )
    service_hours.confirm(signup, world.users["secretary_a"])
    db.session.commit()
    month = signup.slot.local_day.strftime("%Y-%m")
    page = as_user("resident").get(f"/activities/leaderboard?month={month}").get_data(as_text=True)
    assert "匿名志愿者" in page and "2.0 小时" in page
    assert world.users["volunteer"].display_name not in page
    as_user("volunteer").post("/activities/leaderboard/visibility", data={"show_name": "y"})
    page = as_user("resident").get(f"/activities/leaderboard?month={month}").get_data(as_text=True)
    assert world.users["volunteer"].display_name in page


def test_home_page_shows_volunteer_hours_this_month(client, world, vol):
    label = "本月志愿服务（小时）"
    assert home_figures(client.get("/").get_data(as_text=True))[label] == "0"
    slot_id = _signed_up(world)
    signup = db.session.scalars(select(Signup).where(Signup.slot_id == slot_id)).one()
    service_hours.set_times(
        signup, signup.slot.starts_at, signup.slot.starts_at + timedelta(hours=2)
    )
    service_hours.confirm(signup, world.users["secretary_a"])
    db.session.commit()
    assert home_figures(client.get("/").get_data(as_text=True))[label] == "2"


def test_personal_data_export_has_points_and_activities(as_user, world, vol):
    from alliance.accounts.personal_data import export_personal_data

    ledger.award(world.users["volunteer"], 7, "好事", world.users["secretary_a"])
    db.session.commit()
    data = export_personal_data(world.users["volunteer"])
    assert data["points_and_activities"]["balance"] == 7
    assert data["points_and_activities"]["ledger"][0]["points"] == 7

"""Organisers cannot credit their own hours (issue 12, item 12).

The attack: a grid worker who is also a volunteer entered 24 hours for a 4-hour slot and
confirmed them. Hours lie within the slot, 30 minutes either side at most; nobody records or
confirms their own.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.activities import service_hours, services
from alliance.activities.models import ActivitySlot, Signup
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.points import ledger
from tests.activities.test_activities import local
from tests.points.factories import make_activity, make_volunteer


@pytest.fixture
def slot(world):
    """A 4-hour slot of community A; the grid worker (also a volunteer) and `volunteer` signed up."""
    grid, volunteer = world.users["grid"], world.users["volunteer"]
    from alliance.accounts import services as accounts

    accounts.grant_role(grid, Role.VOLUNTEER)
    make_volunteer(grid, world.a, name="张网格")
    make_volunteer(volunteer, world.a, name="王小明")
    activity = make_activity(world.a, world.users["secretary_a"], hours=4, capacity=10)
    slot = activity.slots[0]
    services.sign_up(slot, grid)
    services.sign_up(slot, volunteer)
    db.session.commit()
    return slot


def _signup(slot, user):
    return db.session.scalars(
        select(Signup).where(Signup.slot_id == slot.id, Signup.user_id == user.id)
    ).one()


def test_24_hours_for_a_4_hour_slot_are_refused(as_user, world, slot):
    client = as_user("secretary_a")
    signup = _signup(slot, world.users["volunteer"])
    response = client.post(
        f"/activities/signups/{signup.id}/times",
        data={
            "check_in": local(slot.starts_at),
            "check_out": local(slot.starts_at + timedelta(hours=24)),
        },
        follow_redirects=True,
    )
    assert "须在时段内" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _signup(slot, world.users["volunteer"]).minutes is None


def test_hours_within_the_tolerance_are_kept(as_user, world, slot):
    client = as_user("secretary_a")
    signup = _signup(slot, world.users["volunteer"])
    response = client.post(
        f"/activities/signups/{signup.id}/times",
        data={
            "check_in": local(slot.starts_at - timedelta(minutes=30)),
            "check_out": local(slot.ends_at + timedelta(minutes=30)),
        },
        follow_redirects=True,
    )
    assert "时间已保存" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _signup(slot, world.users["volunteer"]).minutes == 5 * 60


def test_an_organiser_cannot_enter_or_confirm_their_own_hours(as_user, world, slot):
    client = as_user("grid")
    mine = _signup(slot, world.users["grid"])
    response = client.post(
        f"/activities/signups/{mine.id}/times",
        data={"check_in": local(slot.starts_at), "check_out": local(slot.ends_at)},
        follow_redirects=True,
    )
    assert "不能登记或确认自己的服务时长" in response.get_data(as_text=True)
    service_hours.set_times(mine, slot.starts_at, slot.ends_at)  # another organiser entered them
    db.session.commit()
    response = client.post(f"/activities/signups/{mine.id}/confirm", follow_redirects=True)
    assert "不能登记或确认自己的服务时长" in response.get_data(as_text=True)
    client.post(f"/activities/slots/{slot.id}/confirm")
    db.session.expire_all()
    assert _signup(slot, world.users["grid"]).confirmed_at is None
    assert ledger.balance_of(world.users["grid"].id) == 0
    other = as_user("secretary_a")
    other.post(f"/activities/signups/{mine.id}/confirm")
    assert ledger.balance_of(world.users["grid"].id) == 40


def test_a_late_scan_out_counts_only_to_the_end_of_the_window(world, slot):
    signup = _signup(slot, world.users["volunteer"])
    service_hours.check_in(signup, slot.starts_at)
    service_hours.check_out(signup, slot.ends_at + timedelta(hours=20))
    assert signup.minutes == 4 * 60 + 30


def test_hours_written_around_the_rule_are_not_confirmed(world, slot):
    signup = _signup(slot, world.users["volunteer"])
    signup.check_in_at, signup.check_out_at = slot.starts_at, slot.starts_at + timedelta(hours=24)
    signup.minutes = 24 * 60
    db.session.commit()
    with pytest.raises(services.ActivityError, match="须在时段内"):
        service_hours.confirm(signup, world.users["secretary_a"])


def test_slot_is_the_fixture_slot(slot):
    assert isinstance(slot, ActivitySlot) and slot.ends_at - slot.starts_at == timedelta(hours=4)
    assert slot.starts_at > utcnow()

"""Confirmed service hours for stars tests, through the real attendance path."""

from datetime import timedelta

from alliance.activities import service_hours
from alliance.activities.models import Signup
from alliance.extensions import db
from tests.points.factories import make_activity, make_volunteer


def serve(world, user, minutes: list[int], *, title="社区巡逻", secretary=None, confirm=True):
    """`user` attends one slot per entry of `minutes`, checked in and out by hand and
    confirmed by the secretary. Returns the sign-ups."""
    secretary = secretary or world.users["secretary_a"]
    make_volunteer(user, world.a)
    activity = make_activity(
        world.a, secretary, title=title, slots=len(minutes), hours=24, capacity=5
    )
    signups = []
    for slot, length in zip(activity.slots, minutes, strict=True):
        signup = Signup(
            slot_id=slot.id, activity_id=activity.id, community_id=world.a.id, user_id=user.id
        )
        slot.taken += 1
        db.session.add(signup)
        db.session.flush()
        service_hours.set_times(
            signup, slot.starts_at, slot.starts_at + timedelta(minutes=length), actor=secretary
        )
        if confirm:
            service_hours.confirm(signup, secretary)
        signups.append(signup)
    db.session.commit()
    return signups

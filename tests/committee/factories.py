"""A committee for community A: the secretary as chair and liaison officers for shops."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from alliance.accounts.models import Role
from alliance.committee.models import MemberRole
from alliance.committee.services import meetings, members
from alliance.extensions import db
from tests.commitments.factories import create_merchant

TERM = date(2026, 1, 1)


def make_committee(world, make_user, liaisons=4):
    a = world.a
    members.add_member(a, user=world.users["secretary_a"], role=MemberRole.CHAIR, term_start=TERM)
    officers, shops = [], []
    for k in range(liaisons):
        user = make_user(
            f"liaison{k}",
            community=a,
            roles=(Role.MERCHANT_STAFF, Role.RESIDENT),
            display_name=f"联络员{k}",
        )
        shop = create_merchant(a, 800 + k, name=f"委员店{k}", staff=[user])
        members.name_liaison(shop, user, term_start=TERM)
        officers.append(user)
        shops.append(shop)
    db.session.commit()
    return SimpleNamespace(officers=officers, shops=shops)


def hold(world, when=datetime(2026, 6, 10, 7, 0, tzinfo=UTC), kind="liaison", place="社区会议室"):
    meeting = meetings.schedule(world.a, kind, starts_at=when, place=place)
    db.session.commit()
    return meeting


def attend(meeting, user_ids, status="present"):
    for row in meetings.attendance_of(meeting):
        if row.user_id in user_ids:
            meetings.tick(meeting, row, status)
    db.session.commit()

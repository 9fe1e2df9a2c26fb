from datetime import timedelta

from alliance.activities import records, service_hours
from alliance.activities.models import Signup
from alliance.extensions import db
from tests.authz.matrix import Case, everyone, only, signed_in
from tests.points.factories import make_activity

ORGANISERS = ("grid", "secretary_a", "street")


def setup(world) -> dict:
    # No VolunteerProfile here (the volunteers table makes one for `volunteer`): the sign-up
    # row is written directly, which is all the matrix needs.
    volunteer = world.users["volunteer"]
    activity = make_activity(world.a, world.users["secretary_a"], title="矩阵活动", capacity=50)
    slot = activity.slots[0]
    signup = Signup(
        slot_id=slot.id, activity_id=activity.id, community_id=world.a.id, user_id=volunteer.id
    )
    slot.taken = 1
    db.session.add(signup)
    db.session.flush()
    service_hours.set_times(signup, slot.starts_at, slot.starts_at + timedelta(hours=1))
    service_hours.confirm(signup, world.users["secretary_a"])
    record = records.issue_record(volunteer)
    db.session.commit()
    return {
        "activity": activity.id,
        "slot": slot.id,
        "signup": signup.id,
        "record": record.id,
        "record_token": record.token,
    }


def _slot_view(ok):
    return only(*ORGANISERS, ok=ok, secretary_b=404)


ROWS = {
    "activities.index": Case("GET", "/activities/", signed_in(200)),
    "activities.detail": Case(
        "GET",
        "/activities/{activity}",
        signed_in(
            200,
        )
        | {"secretary_b": 404},
    ),
    # The volunteer is already signed up (409 → a flash and a redirect); others are refused
    # by the rules but answered with the same redirect, except other communities (404).
    "activities.signup": Case(
        "POST", "/activities/slots/{slot}/signup", signed_in(303) | {"secretary_b": 404}
    ),
    "activities.cancel_signup": Case(
        "POST", "/activities/slots/{slot}/cancel", signed_in(303) | {"secretary_b": 404}
    ),
    "activities.new": Case("GET", "/activities/new", only("secretary_a", "secretary_b")),
    "activities.edit": Case(
        "GET", "/activities/{activity}/edit", only("secretary_a", secretary_b=404)
    ),
    "activities.add_slot": Case(
        "POST",
        "/activities/{activity}/slots",
        only("secretary_a", ok=303, secretary_b=404),
        data={"starts_at": "", "ends_at": "", "capacity": ""},
    ),
    "activities.cancel": Case(
        "POST", "/activities/{activity}/cancel", only("secretary_a", ok=303, secretary_b=404)
    ),
    "activities.manage": Case("GET", "/activities/manage", only(*ORGANISERS, "secretary_b")),
    "activities.attendance": Case("GET", "/activities/slots/{slot}/attendance", _slot_view(200)),
    "activities.scan": Case(
        "POST", "/activities/slots/{slot}/scan", _slot_view(422), data={"text": ""}
    ),
    "activities.set_times": Case(
        "POST",
        "/activities/signups/{signup}/times",
        _slot_view(303),
        data={"check_in": "", "check_out": ""},
    ),
    "activities.absent": Case("POST", "/activities/signups/{signup}/absent", _slot_view(303)),
    "activities.confirm": Case("POST", "/activities/signups/{signup}/confirm", _slot_view(303)),
    "activities.confirm_slot": Case("POST", "/activities/slots/{slot}/confirm", _slot_view(303)),
    "activities.leaderboard": Case("GET", "/activities/leaderboard", signed_in(200)),
    "activities.visibility": Case("POST", "/activities/leaderboard/visibility", signed_in(303)),
    "activities.record": Case("GET", "/me/record", signed_in(200)),
    "activities.issue_record": Case("POST", "/me/record", signed_in(303)),
    "activities.printable_record": Case(
        "GET", "/me/record/{record}", signed_in(404) | {"volunteer": 200}
    ),
    "activities.check_record": Case("GET", "/records/{record_token}", everyone(200)),
}

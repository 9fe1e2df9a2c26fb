from alliance.extensions import db
from alliance.volunteers.models import VolunteerApplication, VolunteerProfile
from tests.authz.matrix import Case, only, signed_in

ADMINS = ("secretary_a", "street", "secretary_b")


def setup(world) -> dict:
    volunteer = world.users["volunteer"]
    profile = VolunteerProfile(
        user_id=volunteer.id,
        community_id=world.a.id,
        name="周志愿",
        phone="13900001111",
        estate_id=world.estate_a.id,
    )
    application = VolunteerApplication(
        community_id=world.a.id,
        user_id=world.users["grid"].id,
        name="孙网格",
        phone="13900002222",
        estate_id=world.estate_a.id,
        building="1号楼",
    )
    db.session.add_all([profile, application])
    db.session.commit()
    return {"volunteer_profile_a": profile.id, "volunteer_app_a": application.id}


ROWS = {
    # A volunteer is sent to their profile; a street officer has no community to volunteer in.
    "volunteers.apply": Case(
        "GET", "/volunteers/apply", signed_in(200) | {"volunteer": 302, "street": 302}
    ),
    "volunteers.me": Case("GET", "/volunteers/me", signed_in(200)),
    "volunteers.queue": Case("GET", "/volunteers/applications", only(*ADMINS)),
    # secretary_a approves; the street officer then sees "already reviewed" (a flash, 302).
    "volunteers.approve": Case(
        "POST",
        "/volunteers/applications/{volunteer_app_a}/approve",
        # secretary_a approves first; the street officer then finds it decided: 409.
        only(*ADMINS, ok=302, secretary_b=404, street=409),
    ),
    "volunteers.reject": Case(
        "POST",
        "/volunteers/applications/{volunteer_app_a}/reject",
        only(*ADMINS, ok=302, secretary_b=404),
    ),
    "volunteers.index": Case("GET", "/volunteers/", only(*ADMINS)),
    "volunteers.detail": Case(
        "GET", "/volunteers/{volunteer_profile_a}", only(*ADMINS, secretary_b=404)
    ),
    "volunteers.change_status": Case(
        "POST", "/volunteers/{volunteer_profile_a}/status", only(*ADMINS, ok=422, secretary_b=404)
    ),
}

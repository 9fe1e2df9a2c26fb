from alliance.extensions import db
from alliance.stars.models import StarAward
from tests.authz.matrix import Case, only, signed_in
from tests.points.factories import make_activity

ADMINS = ("secretary_a", "secretary_b", "street")


def setup(world) -> dict:
    activity = make_activity(world.a, world.users["secretary_a"], title="星级矩阵活动")
    award = StarAward(
        user_id=world.users["volunteer"].id, community_id=world.a.id, level=1, minutes=6000
    )
    db.session.add(award)
    db.session.commit()
    return {"star_award": award.id, "star_activity": activity.id}


ROWS = {
    # Anyone signed in may post the setting; a non-volunteer is told why (a flash, 303).
    "stars.card_setting": Case("POST", "/me/stars/card", signed_in(303), data={"show": "y"}),
    "stars.recognition": Case("GET", "/stars/recognition", only(*ADMINS)),
    # secretary_a marks it (303); street then finds it marked (a flash, 303); B cannot see it.
    "stars.recognised": Case(
        "POST",
        "/stars/recognition/{star_award}/recognised",
        only("secretary_a", "street", ok=303, secretary_b=404),
    ),
    "stars.records": Case("GET", "/stars/records", only(*ADMINS)),
    "stars.records_xlsx": Case("GET", "/stars/records.xlsx?month=2026-05", only(*ADMINS)),
    "stars.records_csv": Case(
        "GET",
        "/stars/records.csv?activity={star_activity}",
        only("secretary_a", "street", secretary_b=404),
    ),
}

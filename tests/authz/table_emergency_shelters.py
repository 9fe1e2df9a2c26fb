from alliance.emergency import shelters
from alliance.extensions import db
from tests.authz.matrix import Case, only


def setup(world) -> dict:
    shelter = shelters.create_shelter(
        world.a,
        name="矩阵安置点",
        place="小学",
        capacity=50,
        contact_phone="",
        offers="床位",
        actor=None,
    )
    moved = shelters.transfer(
        shelter, people=2, from_place="低洼处", household_id=None, override=False, actor=None
    )
    back = shelters.transfer(
        shelter, people=1, from_place="", household_id=None, override=False, actor=None
    )
    shelters.check_in(back, actor=None)
    db.session.commit()
    return {"shelter": shelter.id, "transfer": moved.id, "transfer_in": back.id}


STAFF_A = ("grid", "secretary_a")

# The first staff member in role order (grid) checks in / returns; the next finds it done (a
# flashed refusal, 303 back to the shelter too).
ROWS = {
    "emergency.shelters_index": Case(
        "GET", "/emergency/shelters", only("grid", "secretary_a", "secretary_b")
    ),
    "emergency.create_shelter": Case(
        "POST", "/emergency/shelters", only("secretary_a", "secretary_b", ok=422)
    ),
    "emergency.shelter": Case(
        "GET", "/emergency/shelters/{shelter}", only(*STAFF_A, secretary_b=404)
    ),
    "emergency.transfer_to_shelter": Case(
        "POST", "/emergency/shelters/{shelter}/transfers", only(*STAFF_A, ok=422, secretary_b=404)
    ),
    "emergency.transfer_check_in": Case(
        "POST", "/emergency/transfers/{transfer}/check-in", only(*STAFF_A, ok=303, secretary_b=404)
    ),
    "emergency.transfer_return": Case(
        "POST", "/emergency/transfers/{transfer_in}/return", only(*STAFF_A, ok=303, secretary_b=404)
    ),
}

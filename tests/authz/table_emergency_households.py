from alliance.emergency import households
from alliance.extensions import db
from tests.authz.matrix import Case, only


def setup(world) -> dict:
    household = households.create_household(
        world.a,
        households.HouseholdInput(
            head_name="矩阵独居老人",
            estate_id=world.estate_a.id,
            grid_id=world.grid.id,
            categories=("alone",),
            contact_phone="13900000001",
            responsible="volunteer",
        ),
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return {"household": household.id}


SEES = ("volunteer", "merchant", "grid", "secretary_a", "secretary_b")

# Details: the secretary, the grid's worker and the named people; the merchant (on the roster,
# not named) and community B get 404; the street office gets counts on the index only.
ROWS = {
    "emergency.households_index": Case("GET", "/emergency/households", only(*SEES, "street")),
    "emergency.create_household": Case(
        "POST", "/emergency/households", only("secretary_a", "secretary_b", ok=422)
    ),
    # The door-knocking overview by person responsible: the secretary and the grid worker.
    "emergency.door_knocking": Case(
        "GET",
        "/emergency/households/door-knocking",
        only("grid", "secretary_a", "secretary_b"),
    ),
    "emergency.household": Case(
        "GET",
        "/emergency/households/{household}",
        only("volunteer", "grid", "secretary_a", merchant=404, secretary_b=404),
    ),
    "emergency.visit_household": Case(
        "POST",
        "/emergency/households/{household}/visits",
        only("volunteer", ok=422, merchant=404, secretary_b=404),
    ),
}

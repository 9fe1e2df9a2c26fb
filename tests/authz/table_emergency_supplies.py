from alliance.emergency import supplies
from alliance.extensions import db
from alliance.merchants.models import Merchant
from tests.authz.matrix import Case, only

SECRETARIES = ("secretary_a", "secretary_b")


def setup(world) -> dict:
    shop = Merchant(community_id=world.a.id, number=99, name="矩阵超市", category="retail")
    db.session.add(shop)
    db.session.flush()
    row = supplies.pledge(
        world.a, merchant_id=shop.id, goods="矿泉水", quantity=200, unit="箱", actor=None
    )
    db.session.commit()
    return {"pledge": row.id}


# Empty forms are 422 for those allowed; each community sees its own stock.
ROWS = {
    "emergency.supplies_index": Case("GET", "/emergency/supplies", only("grid", *SECRETARIES)),
    "emergency.create_store": Case(
        "POST", "/emergency/supplies/stores", only(*SECRETARIES, ok=422)
    ),
    "emergency.create_supply_item": Case(
        "POST", "/emergency/supplies/items", only(*SECRETARIES, ok=422)
    ),
    "emergency.supply_move": Case(
        "POST", "/emergency/supplies/moves", only("grid", *SECRETARIES, ok=422)
    ),
    "emergency.create_pledge": Case(
        "POST", "/emergency/supplies/pledges", only(*SECRETARIES, ok=422)
    ),
    # The call is flashed back to the page (303: refused when no response runs, else done).
    "emergency.call_pledge": Case(
        "POST",
        "/emergency/supplies/pledges/{pledge}/call",
        only("secretary_a", ok=303, secretary_b=404),
    ),
}

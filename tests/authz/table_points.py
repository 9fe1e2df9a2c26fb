from alliance.extensions import db
from alliance.points import ledger
from alliance.points.models import Exchange
from tests.authz.matrix import Case, everyone, only, signed_in
from tests.points.factories import give_card, make_item, make_shop


def setup(world) -> dict:
    shop, commitment = make_shop(world.a, [world.users["merchant"]], number=961, name="矩阵兑换店")
    item = make_item(commitment, world.users["merchant"])
    card = give_card(world.users["volunteer"], world.a)
    ledger.award(world.users["volunteer"], 5, "矩阵", world.users["secretary_a"])
    exchange = Exchange(
        item_id=item.id,
        merchant_id=shop.id,
        community_id=world.a.id,
        user_id=world.users["volunteer"].id,
        card_id=card.id,
        staff_id=world.users["merchant"].id,
        item_title="矩阵兑换",
        points=1,
        balance_after=5,
        idempotency_key="matrix-exchange",
        fingerprint="-",
    )
    db.session.add(exchange)
    db.session.commit()
    return {"item": item.id, "points_code": card.code, "exchange": exchange.id}


SECRETARIES = ("secretary_a", "secretary_b")

ROWS = {
    "points.mine": Case("GET", "/me/points", signed_in(200)),
    "points.where": Case("GET", "/points/where", everyone(200)),
    "points.rules": Case("GET", "/points/rules", only(*SECRETARIES)),
    "points.admin": Case("GET", "/points/admin", only(*SECRETARIES)),
    # Empty forms: the secretary gets the form back with its messages (422).
    "points.award": Case("POST", "/points/award", only(*SECRETARIES, ok=422)),
    "points.adjust": Case("POST", "/points/adjust", only(*SECRETARIES, ok=422)),
    "points.items": Case("GET", "/points/items", only("merchant")),
    "points.edit_item": Case("GET", "/points/items/{item}/edit", only("merchant")),
    # No item chosen: back to the counter page with a message.
    "counter.exchange": Case("POST", "/points/exchange/{points_code}", only("merchant", ok=303)),
    # Voids: the member's staff and the community's secretary; another community's is 404.
    "counter.void_exchange": Case(
        "GET",
        "/points/exchanges/{exchange}/void",
        only("merchant", "secretary_a", secretary_b=404),
    ),
    "counter_api.void_exchange": Case(
        "POST", "/api/v1/exchanges/{exchange}/void", everyone(401), json={"reason": "x"}
    ),
    "counter_api.create_exchange": Case(
        "POST", "/api/v1/exchanges", everyone(401), json={"code": "x", "item_id": 1}
    ),
}

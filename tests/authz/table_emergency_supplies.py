from tests.authz.matrix import Case, only

SECRETARIES = ("secretary_a", "secretary_b")

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
}

from tests.authz.matrix import Case, only

# The secretary downloads the registers; the street office gets households as counts only.
ROWS = {
    "emergency.register_export": Case(
        "GET", "/emergency/households.xlsx", only("secretary_a", "secretary_b", "street")
    ),
}

from tests.authz.matrix import Case, everyone, only

ROWS = {
    "emergency.emergency_map": Case(
        "GET", "/emergency/map", only("grid", "secretary_a", "secretary_b")
    ),
    # Leaflet's own files are public static assets.
    "emergency.leaflet_asset": Case("GET", "/emergency/map/leaflet/leaflet.js", everyone(200)),
}

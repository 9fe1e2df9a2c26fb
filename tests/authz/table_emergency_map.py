from tests.authz.matrix import Case, everyone, signed_in

ROWS = {
    # Every member of a community sees its map (households only where allowed: tests/emergency/
    # test_map.py); the street office has no community map.
    "emergency.emergency_map": Case("GET", "/emergency/map", signed_in(200) | {"street": 403}),
    # Leaflet's own files are public static assets.
    "emergency.leaflet_asset": Case("GET", "/emergency/map/leaflet/leaflet.js", everyone(200)),
}

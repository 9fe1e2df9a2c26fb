"""The map: Leaflet from the project, points as markers, a list of every item, tiles optional."""

import json
import re

from alliance.emergency import hazards, households, shelters
from alliance.extensions import db


def _items(world):
    hazards.create_point(
        world.a,
        hazards.PointInput(kind="reservoir", name="东山塘", latitude=29.08, longitude=119.64),
        actor=None,
    )
    hazards.create_point(world.a, hazards.PointInput(kind="slope", name="无坐标斜坡"), actor=None)
    households.create_household(
        world.a,
        households.HouseholdInput(
            head_name="周奶奶",
            estate_id=world.estate_a.id,
            grid_id=world.grid.id,
            categories=("alone",),
            responsible="volunteer",
        ),
        actor=None,
    )
    shelters.create_shelter(
        world.a, name="礼堂", place="", capacity=30, contact_phone="", offers="", actor=None
    )
    db.session.commit()


def test_the_map_serves_leaflet_locally_and_lists_every_item(world, as_user, app):
    _items(world)
    client = as_user("grid")
    page = client.get("/emergency/map").get_data(as_text=True)
    assert "/emergency/map/leaflet/leaflet.js" in page and "unpkg" not in page and "cdn" not in page
    data = json.loads(re.search(r'id="emergency-map-data">(.*?)</script>', page, re.S).group(1))
    assert data["tiles"] == ""
    assert [m["label"] for m in data["markers"]] == ["东山塘（山塘水库）"]
    for item in ("东山塘", "无坐标斜坡", "周奶奶", "礼堂"):
        assert item in page
    assert client.get("/emergency/map/leaflet/leaflet.js").status_code == 200
    assert client.get("/emergency/map/leaflet/images/marker-icon.png").status_code == 200
    assert client.get("/emergency/map/leaflet/../../app.py").status_code == 404
    # Someone who may not see the household does not find it on the secretary-b map either.
    assert "周奶奶" not in as_user("secretary_b").get("/emergency/map").get_data(as_text=True)


def test_a_tile_source_is_used_when_set(world, as_user, app):
    app.config["MAP_TILE_URL"] = "https://tiles.example.org/{z}/{x}/{y}.png"
    try:
        page = as_user("secretary_a").get("/emergency/map").get_data(as_text=True)
    finally:
        app.config["MAP_TILE_URL"] = ""
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in page


def test_the_tile_server_may_serve_images_under_the_content_security_policy(app):
    from types import SimpleNamespace

    from alliance.security import CSP, _with_tiles

    fake = SimpleNamespace(config={"MAP_TILE_URL": "https://t{s}.tianditu.gov.cn/{z}/{x}/{y}"})
    assert "https://t*.tianditu.gov.cn" in _with_tiles(fake)["img-src"]
    assert _with_tiles(SimpleNamespace(config={"MAP_TILE_URL": ""})) is CSP

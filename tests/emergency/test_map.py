"""The map: Leaflet from the project, points as markers, a list of every item, tiles optional."""

import json
import re
from decimal import Decimal

from alliance.emergency import hazards, households, shelters, supplies
from alliance.extensions import db


def _items(world):
    world.estate_a.outline = [[29.08, 119.63], [29.08, 119.65], [29.09, 119.65], [29.09, 119.63]]
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
            building="3",
            room="502",
            responsible="volunteer",
        ),
        actor=None,
    )
    hall = shelters.create_shelter(
        world.a, name="礼堂", place="", capacity=30, contact_phone="", offers="", actor=None
    )
    hall.latitude, hall.longitude = Decimal("29.085"), Decimal("119.645")
    store = supplies.create_store(world.a, name="东门仓库", place="", actor=None)
    store.latitude, store.longitude = Decimal("29.081"), Decimal("119.649")
    supplies.create_store(world.a, name="无坐标仓库", place="", actor=None)
    db.session.commit()


def _map(client):
    page = client.get("/emergency/map").get_data(as_text=True)
    data = json.loads(re.search(r'id="emergency-map-data">(.*?)</script>', page, re.S).group(1))
    return page, data


def test_the_map_serves_leaflet_locally_and_lists_every_item(world, as_user, app):
    _items(world)
    client = as_user("grid")
    page, data = _map(client)
    assert "/emergency/map/leaflet/leaflet.js" in page and "unpkg" not in page and "cdn" not in page
    assert data["tiles"] == ""
    # Without tiles the estate's outline is drawn; each item with coordinates is a marker.
    assert data["outlines"] == [
        {
            "name": "甲一小区",
            "points": [[29.08, 119.63], [29.08, 119.65], [29.09, 119.65], [29.09, 119.63]],
        }
    ]
    assert [(m["layer"], m["label"], m["lat"], m["lng"]) for m in data["markers"]] == [
        ("hazard", "东山塘（山塘水库）", 29.08, 119.64),
        ("household", "甲一小区 重点人群 1 户：周奶奶", 29.085, 119.64),
        ("shelter", "安置点：礼堂", 29.085, 119.645),
        ("store", "仓库：东门仓库", 29.081, 119.649),
    ]
    # The list has the same items, and those without coordinates too.
    for item in ("东山塘", "无坐标斜坡", "周奶奶", "礼堂", "东门仓库", "无坐标仓库"):
        assert item in page
    assert client.get("/emergency/map/leaflet/leaflet.js").status_code == 200
    assert client.get("/emergency/map/leaflet/images/marker-icon.png").status_code == 200
    assert client.get("/emergency/map/leaflet/../../app.py").status_code == 404
    # Someone who may not see the household does not find it on the secretary-b map either.
    assert "周奶奶" not in as_user("secretary_b").get("/emergency/map").get_data(as_text=True)


def test_households_are_on_the_map_only_for_those_allowed(world, as_user):
    _items(world)
    for user in ("secretary_a", "grid", "volunteer"):  # secretary, grid worker, named person
        page, data = _map(as_user(user))
        assert "周奶奶" in page and 'id="map-households"' in page, user
        assert [m["layer"] for m in data["markers"]].count("household") == 1, user
    for user in ("resident", "merchant"):
        page, data = _map(as_user(user))
        assert "周奶奶" not in page and 'id="map-households"' not in page, user
        assert "household" not in {m["layer"] for m in data["markers"]}, user
        # They still see the points, shelters and stores, without links to staff pages.
        assert "东山塘" in page and "礼堂" in page and "东门仓库" in page, user
        assert "/emergency/hazards/" not in page and "/emergency/shelters/" not in page, user
    # The household is drawn at its estate's centre, never at its address.
    page, data = _map(as_user("secretary_a"))
    assert "502" not in json.dumps(data, ensure_ascii=False)
    assert as_user("street").get("/emergency/map").status_code == 403


def test_an_estate_without_an_outline_leaves_its_households_in_the_list_only(world, as_user):
    _items(world)
    world.estate_a.outline = None
    db.session.commit()
    page, data = _map(as_user("secretary_a"))
    assert data["outlines"] == [] and "周奶奶" in page
    assert "household" not in {m["layer"] for m in data["markers"]}


def test_the_map_has_a_bounded_statement_count(world, as_user, count_statements):
    _items(world)
    client = as_user("secretary_a")
    with count_statements() as counter:
        assert client.get("/emergency/map").status_code == 200
    assert counter.count <= 12, counter.statements


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

"""Counts people type (sandbags, people moved, places in a shelter): plain digits only, one
clear message a field, full-width digits from a Chinese IME read as what they are."""

import pytest
from sqlalchemy import func, select

from alliance.emergency import shelters, supplies
from alliance.emergency.shelter_models import Shelter, Transfer
from alliance.emergency.supply_models import Stock, StockMove
from alliance.extensions import db
from alliance.inputs import parse_count


@pytest.mark.parametrize(
    "typed, places, signed, read",
    [
        ("1000", 0, False, 1000),
        ("１０００", 0, False, 1000),
        (" 12 ", 0, False, 12),
        ("2.5", 2, False, 2.5),
        ("２．５", 2, False, 2.5),
        ("-3", 0, True, -3),
        ("1e3", 0, False, None),
        ("1E3", 2, True, None),
        ("+5", 0, False, None),
        ("-5", 0, False, None),
        ("1 000", 0, False, None),
        ("1_000", 0, False, None),
        ("2.5", 0, False, None),
        ("2.505", 2, False, None),
        ("١٢", 0, False, None),
        ("²", 0, False, None),
        ("NaN", 2, False, None),
        ("", 0, False, None),
    ],
)
def test_one_parser_reads_only_plain_digits(typed, places, signed, read):
    value = parse_count(typed, places=places, signed=signed)
    assert (None if value is None else float(value)) == read


def _store(world):
    secretary = world.users["secretary_a"]
    store = supplies.create_store(world.a, name="一号仓库", place="", actor=secretary)
    bags = supplies.create_item(world.a, kind="sandbag", name="", minimum=0, actor=secretary)
    db.session.commit()
    return store, bags


def test_sandbags_typed_as_1e3_are_refused_with_one_message_and_nothing_saved(world, as_user):
    store, bags = _store(world)
    client = as_user("secretary_a")
    base = {"store_id": str(store.id), "item_id": str(bags.id), "kind": "receive"}
    for typed in ("1e3", "+1000", "1 000", "1_000", "١٠٠٠"):
        r = client.post("/emergency/supplies/moves", data={**base, "count": typed})
        page = r.get_data(as_text=True)
        assert r.status_code == 422, typed
        assert "数量只能填阿拉伯数字" in page, typed
    assert db.session.scalar(select(func.count(StockMove.id))) == 0
    # Full-width digits from a Chinese IME are read as the number they are.
    r = client.post("/emergency/supplies/moves", data={**base, "count": "１０００"})
    assert r.status_code == 303
    assert db.session.scalar(select(Stock.quantity)) == 1000


def test_a_fractional_transfer_count_shows_one_message(world, as_user):
    shelter = shelters.create_shelter(
        world.a,
        name="甲社区小学",
        place="",
        capacity=50,
        contact_phone="",
        offers="",
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    client = as_user("grid")
    path = f"/emergency/shelters/{shelter.id}/transfers"
    for typed in ("2.5", "1e2", "+3", "", "abc", "600"):
        r = client.post(path, data={"people": typed})
        page = r.get_data(as_text=True)
        assert r.status_code == 422, typed
        assert page.count("转移人数是 1 到 500 的整数。") == 1, typed
        assert "不是有效的整数" not in page and "Not a valid integer" not in page, typed
    assert db.session.scalar(select(func.count(Transfer.id))) == 0
    assert client.post(path, data={"people": "３"}).status_code == 303
    assert db.session.scalars(select(Transfer)).one().people == 3


def test_shelter_and_household_counts_take_the_same_rule(world, as_user):
    client = as_user("secretary_a")
    r = client.post("/emergency/shelters", data={"name": "礼堂", "capacity": "1e2"})
    assert r.status_code == 422
    assert r.get_data(as_text=True).count("容纳人数是 1 到 100000 的整数。") == 1
    assert db.session.scalar(select(func.count(Shelter.id))) == 0
    r = client.post("/emergency/shelters", data={"name": "礼堂", "capacity": "８０"})
    assert r.status_code == 303
    assert db.session.scalars(select(Shelter)).one().capacity == 80
    r = client.post(
        "/emergency/households",
        data={
            "head_name": "张奶奶",
            "categories": "alone",
            "estate_id": str(world.estate_a.id),
            "members": "2.0",
            "need_help_moving": "+1",
            "responsible": "volunteer",
        },
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert page.count("家庭人数是 1 到 50 人。") == 1
    assert page.count("需要协助转移的人数在 0 到家庭人数之间。") == 1

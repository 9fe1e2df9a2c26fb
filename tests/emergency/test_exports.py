"""Register exports: the secretary gets the rows (formula-safe); the street office counts."""

import csv
import io

from openpyxl import load_workbook

from alliance.emergency import hazards, households, shelters, supplies
from alliance.extensions import db


def _registers(world):
    hazards.create_point(
        world.a, hazards.PointInput(kind="slope", name="=HYPERLINK(1)"), actor=None
    )
    households.create_household(
        world.a,
        households.HouseholdInput(
            head_name="陈爷爷",
            estate_id=world.estate_a.id,
            categories=("alone",),
            contact_phone="13900000003",
            responsible="volunteer",
        ),
        actor=None,
    )
    shelters.create_shelter(
        world.a, name="礼堂", place="", capacity=30, contact_phone="", offers="床位", actor=None
    )
    store = supplies.create_store(world.a, name="仓库", place="", actor=None)
    item = supplies.create_item(world.a, kind="life_jacket", name="", minimum=10, actor=None)
    supplies.move(store, item, kind="receive", count=40, actor=None)
    db.session.commit()


def test_the_secretary_downloads_each_register_as_csv_and_xlsx(world, as_user):
    _registers(world)
    client = as_user("secretary_a")
    text = client.get("/emergency/hazards.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text
    rows = list(csv.reader(io.StringIO(client.get("/emergency/households.csv").get_data(True))))
    assert rows[1][0] == "陈爷爷" and "13900000003" in rows[1]
    book = load_workbook(io.BytesIO(client.get("/emergency/supplies.xlsx").data))
    sheet = book.active
    assert [c.value for c in sheet[2]] == ["救生衣", "件", 40, 40, 10]
    book = load_workbook(io.BytesIO(client.get("/emergency/shelters.xlsx").data))
    assert [c.value for c in book.active[2]][:4] == ["礼堂", None, 30, 0]
    # Another community's secretary gets their own (empty) register, not A's.
    other = as_user("secretary_b").get("/emergency/households.csv").get_data(as_text=True)
    assert "陈爷爷" not in other


def test_the_street_office_gets_counts_and_no_household(world, as_user):
    _registers(world)
    client = as_user("street")
    r = client.get("/emergency/households.xlsx")
    assert r.status_code == 200
    values = [c.value for c in load_workbook(io.BytesIO(r.data)).active[2]]
    assert values == ["甲社区", 1, 0]
    text = client.get("/emergency/households.csv").get_data(as_text=True)
    assert "陈爷爷" not in text and "139" not in text
    assert client.get("/emergency/hazards.csv").status_code == 403
    assert as_user("grid").get("/emergency/households.csv").status_code == 403

"""Register exports: the secretary gets the rows (formula-safe); the street office counts."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from alliance.emergency import hazards, households, shelters, supplies
from alliance.emergency.supply_models import SupplyStore
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


def _sheet_rows(response):
    assert response.status_code == 200
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(response.data)).active]


def test_the_secretary_gets_full_hazard_rows_with_their_state(world, as_user):
    _registers(world)
    point = hazards.create_point(
        world.a,
        hazards.PointInput(
            kind="reservoir",
            name="东山塘",
            estate_id=world.estate_a.id,
            latitude=29.08,
            longitude=119.64,
            responsible="volunteer",
            description="+坝体渗水",
        ),
        actor=None,
    )
    hazards.retire_point(point, reason="已填平", actor=None)
    db.session.commit()
    rows = _sheet_rows(as_user("secretary_a").get("/emergency/hazards.xlsx"))
    assert rows[0][-2:] == ["说明", "状态"]
    assert rows[2] == [
        "东山塘",
        "山塘水库",
        "甲一小区",
        None,
        29.08,
        119.64,
        world.users["volunteer"].display_name,
        7,
        "'+坝体渗水",
        "已停用：已填平",
    ]
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][-1] == "在用"


def test_the_street_office_gets_counts_and_no_household(world, as_user):
    _registers(world)
    for n in range(2):
        hazards.create_point(
            world.a,
            hazards.PointInput(kind="low_lying", name=f"低洼{n}", estate_id=world.estate_a.id),
            actor=None,
        )
    db.session.commit()
    client = as_user("street")
    households_rows = _sheet_rows(client.get("/emergency/households.xlsx"))
    assert households_rows[0][:5] == ["社区", "小区", "户数", "需协助转移人数", "独居老人"]
    assert households_rows[1][:5] == ["甲社区", "甲一小区", 1, 0, 1]
    assert len(households_rows) == 2
    text = client.get("/emergency/households.csv").get_data(as_text=True)
    assert "陈爷爷" not in text and "139" not in text
    hazard_rows = _sheet_rows(client.get("/emergency/hazards.xlsx"))
    assert hazard_rows[1:] == [
        ["甲社区", "甲一小区", "低洼易涝点", 2, 0, 0],
        ["甲社区", "不在小区内", "不稳定斜坡", 1, 0, 0],
    ]
    assert "=HYPERLINK" not in client.get("/emergency/hazards.csv").get_data(as_text=True)
    assert _sheet_rows(client.get("/emergency/shelters.xlsx"))[1:] == [
        ["甲社区", 1, 30, 0, 0, 0],
        ["乙社区", 0, 0, 0, 0, 0],
    ]
    supply = list(csv.reader(io.StringIO(client.get("/emergency/supplies.csv").get_data(True))))
    assert supply[1:] == [["甲社区", "救生衣", "件", "40", "10"]]
    # Volumes in m³ are counted in their unit, not in the hundredths they are stored in.
    store = db.session.scalars(select(SupplyStore)).one()
    gravel = supplies.create_item(world.a, kind="gravel", name="", minimum="1.5", actor=None)
    supplies.move(store, gravel, kind="receive", count="2.5", actor=None)
    db.session.commit()
    supply = list(csv.reader(io.StringIO(client.get("/emergency/supplies.csv").get_data(True))))
    assert supply[2] == ["甲社区", "砂石料", "m³", "2.5", "1.5"]
    # The grid worker downloads nothing; a resident neither.
    assert as_user("grid").get("/emergency/households.csv").status_code == 403
    assert as_user("resident").get("/emergency/hazards.xlsx").status_code == 403


def test_the_console_offers_the_downloads_to_the_secretary_and_the_street_office(world, as_user):
    page = as_user("street").get("/emergency/").get_data(as_text=True)
    assert 'href="/emergency/hazards.xlsx"' in page and "不含住户信息" in page
    page = as_user("secretary_a").get("/emergency/").get_data(as_text=True)
    assert 'href="/emergency/households.csv"' in page
    assert 'id="register-downloads"' not in as_user("grid").get("/emergency/").get_data(True)


def test_exports_have_bounded_statement_counts(world, as_user, count_statements):
    _registers(world)
    counts = {}
    for user in ("secretary_a", "street"):
        client = as_user(user)
        for register in ("hazards", "households", "shelters", "supplies"):
            with count_statements() as counter:
                assert client.get(f"/emergency/{register}.xlsx").status_code == 200
            counts[(user, register)] = counter.count
    assert max(counts.values()) <= 8, counts


def test_a_meal_points_meals_are_not_counted_as_shelter_places(world, as_user):
    """A restaurant's 300 meals a day were added to the street's 容纳人数 as 300 beds."""
    _registers(world)
    meals = shelters.create_shelter(
        world.a, name="饭店", place="", capacity=300, contact_phone="", offers="盒饭", actor=None
    )
    meals.kind = "meal_point"
    db.session.commit()
    street = _sheet_rows(as_user("street").get("/emergency/shelters.xlsx"))
    assert street[0] == ["社区", "安置点数", "容纳人数", "在住", "供餐点数", "每天可供餐份数"]
    assert street[1] == ["甲社区", 1, 30, 0, 1, 300]
    secretary = as_user("secretary_a")
    rows = _sheet_rows(secretary.get("/emergency/shelters.xlsx"))
    assert rows[0][6:] == ["类型", "每天可供餐份数"]
    assert rows[1][2] == 30 and rows[1][6] == "安置点"
    assert rows[2][2:4] == [None, None] and rows[2][6:] == ["供餐点", 300]
    page = secretary.get("/emergency/map").get_data(as_text=True)
    assert "每天可供餐 300 份" in page and "容纳 300" not in page

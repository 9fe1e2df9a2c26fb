"""Service records in the national system's terms: XLSX and CSV, per month and per activity."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from alliance.activities import service_hours
from alliance.activities.models import Signup
from alliance.clock import LOCAL_TZ
from alliance.extensions import db
from alliance.stars.export import HEADERS
from tests.points.factories import make_activity, make_volunteer

EXPECTED_HEADERS = [
    "姓名",
    "服务项目",
    "服务时间",
    "服务地点",
    "服务内容",
    "服务时长（小时）",
    "记录单位",
    "记录人",
    "记录时间",
    "是否补录",
    "补录人",
    "补录原因",
]


def _sign(slot, user, community):
    signup = Signup(
        slot_id=slot.id, activity_id=slot.activity_id, community_id=community.id, user_id=user.id
    )
    slot.taken += 1
    db.session.add(signup)
    db.session.flush()
    return signup


@pytest.fixture
def attendance(world, make_user):
    """In community A: 王小明 125 min confirmed, @SUM 90 min back-filled and confirmed,
    one checked out but unconfirmed, one absent; in community B one confirmed row."""
    secretary = world.users["secretary_a"]
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a, name="王小明")
    sneaky = make_user("sneaky", community=world.a, display_name="陈某")
    make_volunteer(sneaky, world.a, name="@SUM(1+1)")
    pending = make_user("pending", community=world.a)
    absent = make_user("absent", community=world.a)
    activity = make_activity(world.a, secretary, title='=HYPERLINK("http://x")', capacity=9)
    activity.description = "-清理楼道杂物"
    slot = activity.slots[0]
    a, b, c, d = (_sign(slot, u, world.a) for u in (volunteer, sneaky, pending, absent))
    service_hours.set_times(a, slot.starts_at, slot.starts_at + timedelta(minutes=125))
    late = slot.ends_at + timedelta(days=2)
    service_hours.set_times(
        b,
        slot.starts_at,
        slot.starts_at + timedelta(minutes=90),
        actor=secretary,
        reason="忘记扫码，组织者补录",
        now=late,
    )
    service_hours.set_times(c, slot.starts_at, slot.starts_at + timedelta(minutes=60))
    service_hours.mark_absent(d)
    service_hours.confirm(a, secretary)
    service_hours.confirm(b, secretary)
    other = make_activity(world.b, world.users["secretary_b"], title="乙社区活动")
    make_volunteer(world.users["resident_b"], world.b)
    e = _sign(other.slots[0], world.users["resident_b"], world.b)
    service_hours.set_times(e, other.slots[0].starts_at, other.slots[0].ends_at)
    service_hours.confirm(e, world.users["secretary_b"])
    db.session.commit()
    return {"activity": activity, "slot": slot, "month": slot.local_day.strftime("%Y-%m")}


def _xlsx_rows(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _csv_rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_month_xlsx_has_the_national_columns_and_one_row_per_confirmed_attendance(
    as_user, world, attendance
):
    rows = _xlsx_rows(
        as_user("secretary_a").get(f"/stars/records.xlsx?month={attendance['month']}")
    )
    assert rows[0] == EXPECTED_HEADERS == list(HEADERS)
    body = sorted(rows[1:], key=lambda r: r[5])
    assert len(body) == 2  # not the unconfirmed, not the absent, not community B's
    slot = attendance["slot"]
    start = slot.starts_at.astimezone(LOCAL_TZ)
    confirmed = db.session.scalars(
        select(Signup).where(Signup.confirmed_at.is_not(None)).order_by(Signup.id)
    ).all()
    late, on_time = body
    assert on_time == [
        "王小明",
        '\'=HYPERLINK("http://x")',
        f"{start:%Y-%m-%d %H:%M}—{start + timedelta(minutes=125):%H:%M}",
        "社区广场",
        "'-清理楼道杂物",
        2.1,  # 125 min = 2.083 h, one decimal
        "甲社区",
        world.users["secretary_a"].display_name,
        confirmed[0].confirmed_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
        "否",
        None,
        None,
    ]
    assert late[0] == "'@SUM(1+1)" and late[5] == 1.5
    assert late[9:] == ["是", world.users["secretary_a"].display_name, "忘记扫码，组织者补录"]


def test_csv_matches_the_xlsx(as_user, world, attendance):
    client = as_user("secretary_a")
    rows = _csv_rows(client.get(f"/stars/records.csv?month={attendance['month']}"))
    assert rows[0] == EXPECTED_HEADERS
    hours = sorted(r[5] for r in rows[1:])
    assert hours == ["1.5", "2.1"]
    assert {r[0] for r in rows[1:]} == {"王小明", "'@SUM(1+1)"}


def test_per_activity_export_and_scope(as_user, world, attendance):
    activity_id = attendance["activity"].id
    rows = _xlsx_rows(as_user("secretary_a").get(f"/stars/records.xlsx?activity={activity_id}"))
    assert len(rows) == 3
    assert (
        as_user("secretary_b").get(f"/stars/records.csv?activity={activity_id}").status_code == 404
    )
    street = _csv_rows(as_user("street").get(f"/stars/records.csv?month={attendance['month']}"))
    assert len(street) == 4  # both communities of the street office


def test_a_month_with_nothing_in_it_is_a_sheet_with_headers(as_user, world, attendance):
    client = as_user("secretary_a")
    assert _xlsx_rows(client.get("/stars/records.xlsx?month=2001-01")) == [EXPECTED_HEADERS]
    assert _csv_rows(client.get("/stars/records.csv?month=2001-01")) == [EXPECTED_HEADERS]


@pytest.mark.parametrize(
    "query, status, message",
    [
        ("", 400, "请选择月份或活动"),
        ("?month=2026-13", 400, "月份应写成"),
        ("?month=May", 400, "月份应写成"),
        ("?month=2026-05%0A", 400, "月份应写成"),
        ("?month=２０２６-０５", 400, "月份应写成"),
        ("?activity=abc", 404, None),
        ("?activity=999999", 404, None),
    ],
)
def test_bad_export_requests_are_refused_clearly(as_user, world, query, status, message):
    r = as_user("secretary_a").get(f"/stars/records.xlsx{query}")
    assert r.status_code == status
    if message:
        assert message in r.get_data(as_text=True)


def test_records_page_lists_downloads(as_user, world, attendance):
    page = as_user("secretary_a").get("/stars/records").get_data(as_text=True)
    assert f"/stars/records.xlsx?activity={attendance['activity'].id}" in page

"""Exports: every list as CSV and XLSX, only the person's communities, formulas neutralised."""

import csv
import io

import pytest
from openpyxl import load_workbook

from alliance.dashboard.exports import EXPORTS
from alliance.extensions import db
from tests.commitments.factories import create_commitment, create_merchant
from tests.dashboard.factories import category_of, insert_orders, local, order_row


def _csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _data(world):
    evil = create_merchant(world.a, 1, name='=HYPERLINK("http://evil","点我")')
    create_merchant(world.a, 2, name="明珠面馆")
    create_merchant(world.b, 1, name="乙社区超市")
    create_commitment(evil, title="+1 折上折")
    insert_orders(
        [order_row(world.a, category_of(world.a), local(2026, 10, 5), title="-楼道灯坏了")]
    )
    db.session.commit()


def test_members_csv_lists_own_community_with_formulas_neutralised(as_user, world):
    _data(world)
    response = as_user("secretary_a").get("/dashboard/exports/members.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed  # written as it is read, whatever the size
    table = _csv(response)
    assert table[0] == list(EXPORTS["members"].headers)
    names = [row[2] for row in table[1:]]
    assert names == ['\'=HYPERLINK("http://evil","点我")', "明珠面馆"]
    assert [row[0] for row in table[1:]] == ["甲社区", "甲社区"]


def test_orders_xlsx_has_the_rows_neutralised(as_user, world):
    _data(world)
    response = as_user("secretary_a").get("/dashboard/exports/orders.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == EXPORTS["orders"].headers
    assert len(rows) == 2
    assert rows[1][4] == "'-楼道灯坏了"
    assert rows[1][6] == "待派单"
    assert rows[1][2] == "2026-10-05 10:00"  # local time


def test_street_officer_exports_every_community(as_user, world):
    _data(world)
    table = _csv(as_user("street").get("/dashboard/exports/members.csv"))
    assert sorted(row[0] for row in table[1:]) == ["乙社区", "甲社区", "甲社区"]


@pytest.mark.parametrize("key", sorted(EXPORTS))
def test_every_export_answers_in_both_formats(as_user, world, key):
    _data(world)
    client = as_user("secretary_a")
    assert _csv(client.get(f"/dashboard/exports/{key}.csv"))[0] == list(EXPORTS[key].headers)
    response = client.get(f"/dashboard/exports/{key}.xlsx")
    assert response.status_code == 200
    first = next(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert first == EXPORTS[key].headers


def test_unknown_exports_are_404(as_user, world):
    client = as_user("secretary_a")
    assert client.get("/dashboard/exports/passwords.csv").status_code == 404
    assert client.get("/dashboard/exports/members.pdf").status_code == 404
    page = client.get("/dashboard/exports").get_data(as_text=True)
    assert page.count("/dashboard/exports/") == 2 * len(EXPORTS)


def test_a_large_csv_comes_in_chunks_with_every_row(as_user, world):
    cat = category_of(world.a)
    insert_orders(
        [order_row(world.a, cat, local(2026, 10, 5), title=f"工单{k}") for k in range(1203)]
    )
    response = as_user("secretary_a").get("/dashboard/exports/orders.csv", buffered=False)
    chunks = list(response.response)
    assert len(chunks) == 3  # 500 + 500 + the rest
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8")[1:])))
    assert len(rows) == 1 + 1203


def test_a_large_xlsx_streams_every_row_in_bounded_statements(as_user, world, count_statements):
    cat = category_of(world.a)
    insert_orders([order_row(world.a, cat, local(2026, 10, 5), title=f"工单{k}") for k in range(5)])
    client = as_user("secretary_a")
    client.get("/dashboard/exports/orders.xlsx")
    with count_statements() as small:
        client.get("/dashboard/exports/orders.xlsx").close()
    insert_orders(
        [order_row(world.a, cat, local(2026, 10, 6), title=f"大批{k}") for k in range(5000)]
    )
    with count_statements() as large:
        response = client.get("/dashboard/exports/orders.xlsx", buffered=False)
        assert response.is_streamed
        chunks = list(response.response)
        response.close()
    assert large.count == small.count
    assert len(chunks) > 1  # sent a piece at a time, not as one body
    body = b"".join(chunks)
    assert int(response.headers["Content-Length"]) == len(body)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 5005
    titles = [row[4] for row in rows[1:]]
    assert sum(title.startswith("大批") for title in titles) == 5000


def test_the_lists_name_their_category_and_voided_redemptions_say_so(as_user, world):
    """The resources and projects lists name the service category ("财税服务", not "tax"); a
    voided redemption is marked 已作废 in the redemptions export."""
    from datetime import date

    from alliance.cards.models import Redemption
    from alliance.co_building.models import Resource
    from alliance.db_types import utcnow
    from alliance.projects.models import Project
    from tests.points.factories import give_card

    category = category_of(world.a)
    shop = create_merchant(world.a, 1, name="诚信财税事务所")
    db.session.add_all(
        [
            Resource(
                community_id=world.a.id,
                street_office_id=world.office.id,
                category_code=category.code,
                provider_kind="merchant",
                merchant_id=shop.id,
                title="免费税务讲座",
            ),
            Project(community_id=world.a.id, title="小微企业税务讲座", category_code=category.code),
        ]
    )
    volunteer = world.users["volunteer"]
    card = give_card(volunteer, world.a)
    offer = create_commitment(shop, rate=85).offer
    for k, voided in enumerate((None, utcnow())):
        db.session.add(
            Redemption(
                card_id=card.id,
                holder_id=volunteer.id,
                offer_id=offer.id,
                merchant_id=shop.id,
                community_id=world.a.id,
                code_type="static",
                offer_title="8.5折",
                rate_percent=85,
                bill_fen=1000,
                saving_fen=150,
                period_key="-",
                local_day=date(2026, 10, 5),
                idempotency_key=f"k{k}",
                fingerprint="f",
                created_at=local(2026, 10, 5, 10 + k),
                voided_at=voided,
            )
        )
    db.session.commit()
    client = as_user("secretary_a")
    resources = _csv(client.get("/dashboard/exports/resources.csv"))
    assert [row[1] for row in resources[1:]] == [category.name]
    projects = _csv(client.get("/dashboard/exports/projects.csv"))
    assert [row[2] for row in projects[1:]] == [category.name]
    redemptions = _csv(client.get("/dashboard/exports/redemptions.csv"))
    assert [row[-1] for row in redemptions[1:]] == ["", "已作废"]

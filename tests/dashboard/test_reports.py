"""The monthly report: page, PDF text, submission and the street office's overview."""

import io
import re
from datetime import timedelta

import pypdf
import pytest

from alliance.extensions import db
from alliance.reports.models import MonthlyReport
from alliance.reports.pdf import FontMissing, find_cjk_font
from tests.dashboard.factories import category_of, insert_orders, local, order_row


def _has_font(app):
    with app.app_context():
        try:
            find_cjk_font()
        except FontMissing:
            return False
    return True


def _story(world):
    cat = category_of(world.a)
    posted = local(2026, 10, 5)
    rows = [
        order_row(
            world.a,
            cat,
            posted,
            state="reviewed",
            rating=5,
            title="给26家小微企业讲报税",
            public_summary="给26家小微企业讲报税，联系人13912345678",
            first_dispatched_at=posted + timedelta(hours=3),
            resolved_at=posted + timedelta(days=3),
        ),
        order_row(world.a, cat, posted, state="submitted"),
        order_row(
            world.a,
            cat,
            local(2026, 9, 3),
            state="done",
            first_dispatched_at=local(2026, 9, 3, 12),
            resolved_at=local(2026, 9, 6),
        ),
        order_row(world.b, category_of(world.b), posted, state="submitted"),
    ]
    insert_orders(rows)


def _text(pdf_bytes):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    text = "".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\s\x00]+", "", text)


def test_report_page_compares_with_the_previous_month(as_user, world):
    _story(world)
    html = as_user("secretary_a").get("/reports/monthly/AAA/2026-10").get_data(as_text=True)
    row = re.search(r'<th scope="row">受理工单</th>(.*?)</tr>', html, re.S)[1]
    assert re.findall(r'text-end">([^<]*)<', row) == ["2", "1", "+1"]
    # The highlight is the approved public summary, long numbers masked as on public pages.
    assert "给26家小微企业讲报税，联系人***********" in html
    assert "需求清单：3 项，已办结 2 项" in html
    assert "尚未报送" in html


def test_report_pdf_has_the_figures_in_chinese(app, as_user, world):
    if not _has_font(app):
        pytest.skip("no CJK font on this system: apt-get install fonts-noto-cjk")
    _story(world)
    client = as_user("secretary_a")
    # Its speed on the demo (under 3 s) is measured by make bench (bench/timings.py).
    response = client.get("/reports/monthly/AAA/2026-10.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = _text(response.data)
    assert "甲社区2026-10月度工作报表" in text
    assert "受理工单21+1" in text
    assert "响应率50.0%100.0%-50.0" in text
    assert "需求清单：3项，已办结2项" in text


def test_secretary_submits_and_the_street_office_sees_it_with_the_sum(as_user, world):
    _story(world)
    client = as_user("secretary_a")
    response = client.post("/reports/monthly/AAA/2026-10", data={"remarks": "重阳节活动顺利"})
    assert response.status_code == 303
    report = db.session.query(MonthlyReport).one()
    assert (report.month, report.remarks) == ("2026-10", "重阳节活动顺利")
    assert "已于" in client.get("/reports/monthly/AAA/2026-10").get_data(as_text=True)

    html = as_user("street").get("/reports/monthly?month=2026-10").get_data(as_text=True)
    assert re.search(r"甲社区</a></th>\s*<td>已报送</td>", html)
    assert re.search(r"乙社区</a></th>\s*<td>未报送</td>", html)
    total = html[html.index('class="street-total"') :]
    assert "1 / 2 已报送" in total
    assert re.findall(r'text-end">([^<]*)<', total)[0] == "3"  # 2 + 1 orders received


def test_a_future_month_and_too_long_remarks_are_refused(as_user, world):
    client = as_user("secretary_a")
    response = client.post("/reports/monthly/AAA/2099-01", data={"remarks": ""})
    assert response.status_code == 422
    assert "这个月还没有开始" in response.get_data(as_text=True)
    response = client.post("/reports/monthly/AAA/2026-10", data={"remarks": "字" * 2001})
    assert response.status_code == 422
    assert db.session.query(MonthlyReport).count() == 0


def test_other_communities_reports_are_404(as_user, world):
    client = as_user("secretary_b")
    assert client.get("/reports/monthly/AAA/2026-10").status_code == 404
    assert client.get("/reports/monthly/AAA/2026-10.pdf").status_code == 404
    assert client.post("/reports/monthly/AAA/2026-10", data={}).status_code == 404
    assert client.get("/reports/monthly/BBB/2026-13").status_code == 404


def test_a_highlight_without_summary_names_its_category_once(as_user, world):
    cat = category_of(world.a)
    posted = local(2026, 10, 5)
    insert_orders(
        [
            order_row(
                world.a,
                cat,
                posted,
                state="reviewed",
                rating=5,
                first_dispatched_at=posted + timedelta(hours=3),
                resolved_at=posted + timedelta(days=1),
            )
        ]
    )
    html = as_user("secretary_a").get("/reports/monthly/AAA/2026-10").get_data(as_text=True)
    assert f"<li>{cat.name}（<span" in html
    assert f"{cat.name}：{cat.name}" not in html


def test_the_pdf_gives_the_local_day_of_submission(app, as_user, world):
    """Submitted at 01:00 on 3 November in Shanghai (17:00 on the 2nd in UTC): the PDF says
    the 3rd, as the page does."""
    if not _has_font(app):
        pytest.skip("no CJK font on this system: apt-get install fonts-noto-cjk")
    _story(world)
    client = as_user("secretary_a")
    client.post("/reports/monthly/AAA/2026-10", data={"remarks": ""})
    report = db.session.query(MonthlyReport).one()
    report.submitted_at = local(2026, 11, 3, 1)
    db.session.commit()
    page = client.get("/reports/monthly/AAA/2026-10").get_data(as_text=True)
    assert "已于 2026-11-03 报送街道" in page
    assert "已于2026-11-03报送街道" in _text(client.get("/reports/monthly/AAA/2026-10.pdf").data)

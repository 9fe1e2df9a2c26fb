"""/dashboard/ and the public figures API: the same numbers, the right people, bounded statements."""

import re
from datetime import timedelta

from alliance.dashboard.figures import figures_for, parse_month
from tests.dashboard.factories import category_of, insert_orders, local, order_row


def _october(world, n=3):
    cat = category_of(world.a)
    posted = local(2026, 10, 5)
    rows = [
        order_row(
            world.a,
            cat,
            posted,
            state="reviewed",
            rating=5 if k % 2 else 3,
            first_dispatched_at=posted + timedelta(hours=2),
            resolved_at=posted + timedelta(days=1),
        )
        for k in range(n)
    ]
    rows.append(order_row(world.b, category_of(world.b), posted, state="submitted"))
    insert_orders(rows)


def test_public_figures_api_answers_the_month(client, world):
    _october(world, 3)
    body = client.get("/api/v1/communities/AAA/figures?month=2026-10").get_json()
    assert body["community"] == "AAA"
    assert body["month"] == "2026-10"
    assert body["orders_received"] == 3
    assert body["response_rate"] == 100.0
    assert body["resolution_rate"] == 100.0
    assert body["satisfaction_rate"] == 33.3
    assert body["commitments"] == {"integrity": 0, "service": 0, "points": 0}
    expected = {
        "community",
        "month",
        "members",
        "volunteers",
        "cards",
        "commitments",
        "redemptions",
        "savings_fen",
        "orders_received",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "volunteer_hours",
        "points_earned",
        "points_spent",
    }
    assert set(body) == expected
    # A month with nothing received: rates are null, not 0.
    empty = client.get("/api/v1/communities/AAA/figures?month=2026-09").get_json()
    assert empty["orders_received"] == 0 and empty["response_rate"] is None


def test_public_figures_api_refuses_bad_months_and_unknown_communities(client, world):
    for bad in ("2026-13", "10-2026", "x", "2026-1"):
        response = client.get(f"/api/v1/communities/AAA/figures?month={bad}")
        assert response.status_code == 400, bad
        assert response.get_json()["error"]["code"] == 400
    assert client.get("/api/v1/communities/NOPE/figures?month=2026-10").status_code == 404


def test_the_figures_api_is_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/communities/{code}/figures"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"code", "month"}
    assert "CommunityFigures" in spec["components"]["schemas"]


def _summary_cell(html, label):
    """The summary table's cells of one row, as text."""
    start = html.index(f'<th scope="row">{label}</th>', html.index("dashboard-summary"))
    end = html.index("</tr>", start)
    return re.findall(r'<td class="text-end">([^<]*)</td>', html[start:end])


def test_secretary_dashboard_shows_own_community_with_the_apis_numbers(as_user, world):
    _october(world, 3)
    client = as_user("secretary_a")
    page = client.get("/dashboard/?month=2026-10&months=3")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    api = client.get("/api/v1/communities/AAA/figures?month=2026-10").get_json()
    assert _summary_cell(html, "受理工单") == [str(api["orders_received"])]
    assert _summary_cell(html, "满意率") == ["33.3%"]
    assert "乙社区" not in html
    assert html.count('class="chart-svg"') >= 10
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'alt="三率（%）。响应率：2026-08 —，2026-09 —，2026-10 100.0%' in html
    assert "当月受理并已评价的工单中" in html  # the definitions are on the page


def test_street_officer_sees_each_community_and_the_street_sum(as_user, world):
    _october(world, 3)
    html = as_user("street").get("/dashboard/?month=2026-10").get_data(as_text=True)
    head = html[html.index("dashboard-summary") : html.index("</thead>")]
    assert "甲社区" in head and "乙社区" in head and "全街道合计" in head
    assert _summary_cell(html, "受理工单") == ["3", "1", "4"]


def test_a_bad_month_on_the_dashboard_says_so_and_shows_this_month(as_user, world):
    response = as_user("secretary_a").get("/dashboard/?month=2026-99&months=7")
    assert response.status_code == 200
    assert "月份格式应为" in response.get_data(as_text=True)


def test_dashboard_and_api_agree_with_the_service(app, world):
    _october(world, 5)
    service = figures_for([world.a.id], [parse_month("2026-10")])[world.a.id][0]
    assert service.orders_received == 5
    assert service.satisfaction_rate == 40.0


def _count(client, count_statements, path):
    client.get(path)
    with count_statements() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_statements_do_not_grow_from_10_to_50000_orders(as_user, client, world, count_statements):
    cat = category_of(world.a)
    start = local(2026, 6, 1)

    def add(n):
        rows = []
        for k in range(n):
            posted = start + timedelta(minutes=7 * k)
            rows.append(
                order_row(
                    world.a,
                    cat,
                    posted,
                    state=("reviewed", "submitted", "done")[k % 3],
                    rating=(k % 5) + 1 if k % 3 == 0 else None,
                    first_dispatched_at=posted + timedelta(hours=k % 100),
                )
            )
        insert_orders(rows)

    add(10)
    api = "/api/v1/communities/AAA/figures?month=2026-06"
    small_api = _count(client, count_statements, api)
    secretary = as_user("secretary_a")
    board = "/dashboard/?month=2026-11&months=6"
    small_board = _count(secretary, count_statements, board)
    add(50_000 - 10)
    assert _count(client, count_statements, api) == small_api
    assert _count(secretary, count_statements, board) == small_board
    assert small_api <= 12

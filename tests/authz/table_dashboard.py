from tests.authz.matrix import Case, everyone, only

ROWS = {
    # Each sees their own communities' figures (secretary: own; street officer: the office's).
    "dashboard.index": Case("GET", "/dashboard/", only("secretary_a", "secretary_b", "street")),
    # Public figures: no personal data.
    "dashboard_api.community_figures": Case(
        "GET", "/api/v1/communities/AAA/figures?month=2026-10", everyone()
    ),
}

ROWS.update(
    {
        "dashboard.exports_index": Case(
            "GET", "/dashboard/exports", only("secretary_a", "secretary_b", "street")
        ),
        # Each gets only their own communities' rows (tests/dashboard/test_exports.py).
        "dashboard.export": Case(
            "GET", "/dashboard/exports/members.csv", only("secretary_a", "secretary_b", "street")
        ),
    }
)

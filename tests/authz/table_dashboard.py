from tests.authz.matrix import Case, everyone, only

ROWS = {
    # Each sees their own communities' figures (secretary: own; street officer: the office's).
    "dashboard.index": Case("GET", "/dashboard/", only("secretary_a", "secretary_b", "street")),
    # Public figures: no personal data.
    "dashboard_api.community_figures": Case(
        "GET", "/api/v1/communities/AAA/figures?month=2026-10", everyone()
    ),
}

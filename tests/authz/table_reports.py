from tests.authz.matrix import Case, only

ADMINS = ("secretary_a", "secretary_b", "street")

ROWS = {
    # A secretary is sent on to their own community's report; the street officer gets the table.
    "reports.monthly_index": Case(
        "GET", "/reports/monthly", only(*ADMINS, secretary_a=302, secretary_b=302)
    ),
    "reports.monthly": Case(
        "GET", "/reports/monthly/AAA/2026-10", only("secretary_a", "street", secretary_b=404)
    ),
    "reports.monthly_pdf": Case(
        "GET", "/reports/monthly/AAA/2026-10.pdf", only("secretary_a", "street", secretary_b=404)
    ),
    # Only A's secretary submits A's report.
    "reports.submit": Case(
        "POST",
        "/reports/monthly/AAA/2026-10",
        only("secretary_a", ok=303, secretary_b=404),
        data={"remarks": "本月工作顺利"},
    ),
}

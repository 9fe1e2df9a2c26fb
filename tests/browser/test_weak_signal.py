"""A first visit on a weak signal (issue 23): few bytes, and nothing in the way of the first paint.

The network and CPU are held down through the DevTools protocol (400 kbit/s, 400 ms round trips,
CPU 4 × slower, a 360 px phone). The bytes and the loading order are asserted here; paint times
are printed by `python -m bench.paint` (make bench), where speed targets belong.
"""

import pytest
from sqlalchemy import select

from alliance.emergency.alert_models import EmergencyAlert
from bench.paint import first_visit

KIB = 1024


@pytest.mark.parametrize("path", ["/", "/login", "/me/card", "warning"])
def test_first_visit_is_small_and_paints_before_any_script(
    browser, live_server_url, demo, db, path
):
    if path == "warning":  # the page a resident opens from the warning's SMS
        warning = db.session.scalar(select(EmergencyAlert.id).limit(1))
        path = f"/emergency/alerts/{warning}"
    login = ("volunteer", demo) if path not in ("/", "/login") else None
    result = first_visit(browser, live_server_url, path, login)

    kinds = [kind for kind, _url in result.requests]
    assert kinds[0] == "Document" and result.requests[0][1] == live_server_url + path
    assert result.transferred <= 80 * KIB, f"{path}: {result.transferred / KIB:.1f} KiB"
    assert result.blocking_scripts == []
    # The styles are asked for before any script, and no Bootstrap bundle comes at all.
    assert "Stylesheet" in kinds and "Script" in kinds
    assert kinds.index("Stylesheet") < kinds.index("Script")
    assert not [url for _kind, url in result.requests if "bootstrap/static" in url]
    assert result.fcp_ms is not None
    if path == "/me/card":
        assert any("/static/js/card." in url for _kind, url in result.requests)
    else:
        # Scripts only where they are needed: the card's script is not on the other pages.
        assert not any("/static/js/card." in url for _kind, url in result.requests)

"""The secretary's workbench on a phone: the waiting work, counted, one tap from the work."""

from tests.browser.conftest import assert_fits_phone, sign_in


def test_secretary_taps_from_the_workbench_to_the_waiting_applications(page, live_server_url, demo):
    sign_in(page, live_server_url, "secretary", demo)
    work = page.locator("section.workbench")
    line = work.locator("a[data-kind='volunteer_applications']")
    assert line.is_visible()
    assert int(line.locator(".task-count").inner_text()) >= 1
    assert "最早的已等" in line.inner_text()
    box = line.bounding_box()
    assert box["height"] >= 44
    assert_fits_phone(page)
    # The overdue orders come before the applications: most urgent first.
    kinds = work.locator("a.task-line").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds.index("orders_overdue") < kinds.index("volunteer_applications")
    line.click()
    page.wait_for_url(f"{live_server_url}/volunteers/applications")
    assert_fits_phone(page)
    page.goto(f"{live_server_url}/dashboard/")
    assert page.locator("img.chart-svg").first.bounding_box()["width"] <= 360
    assert_fits_phone(page)

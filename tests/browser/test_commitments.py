"""A resident browses the commitment board and one commitment on a phone."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_fits_phone, sign_in

SMALL_TARGETS = """() => [...document.querySelectorAll('main button, main .btn, main input, main select')]
    .filter(el => el.offsetParent !== null && el.type !== 'hidden' && el.type !== 'checkbox')
    .filter(el => el.getBoundingClientRect().height < 44)
    .map(el => el.outerHTML.slice(0, 80))"""


def test_resident_finds_the_free_clinic_on_a_phone(page, live_server_url, demo):
    page.goto(f"{live_server_url}/commitments/")
    expect(page.get_by_text("共公示承诺 79 项")).to_be_visible()
    assert_fits_phone(page)
    assert not page.evaluate(SMALL_TARGETS)
    page.get_by_label("搜索").fill("中医 义诊")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(re.compile(r"/commitments/\?.*q="))
    page.get_by_role("link", name="免费中医义诊").first.click()
    # The board's card shows the time too: wait for the commitment's own page.
    page.wait_for_url(re.compile(r"/commitments/\d+$"))
    expect(page.get_by_text("每月第一个周六上午").first).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("link", name="历史版本与践诺记录").click()
    page.wait_for_url(re.compile(r"/commitments/\d+/history$"))
    expect(page.get_by_text("7月义诊如期举行")).to_be_visible()
    assert_fits_phone(page)


def test_commitment_pages_fit_a_phone(page, live_server_url, demo):
    sign_in(page, live_server_url, "merchant", demo)
    for path in ("/commitments/mine", "/commitments/new"):
        page.goto(live_server_url + path)
        assert_fits_phone(page)
        small = page.evaluate(SMALL_TARGETS)
        assert not small, f"{path}: tap targets under 44px: {small}"
    page.context.clear_cookies()
    sign_in(page, live_server_url, "secretary", demo)
    for path in ("/commitments/review", "/commitments/reports"):
        page.goto(live_server_url + path)
        assert_fits_phone(page)
        small = page.evaluate(SMALL_TARGETS)
        assert not small, f"{path}: tap targets under 44px: {small}"

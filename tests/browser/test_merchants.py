"""A resident browses the alliance directory on a phone."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_fits_phone, sign_in

SMALL_TARGETS = """() => [...document.querySelectorAll('main button, main .btn, main input, main select')]
    .filter(el => el.offsetParent !== null && el.type !== 'hidden' && el.type !== 'checkbox')
    .filter(el => el.getBoundingClientRect().height < 44)
    .map(el => el.outerHTML.slice(0, 80))"""


def test_resident_browses_the_directory_on_a_phone(page, live_server_url, demo):
    sign_in(page, live_server_url, "resident", demo)
    page.goto(f"{live_server_url}/merchants/")
    expect(page.get_by_role("heading", name="联盟商户名录")).to_be_visible()
    assert_fits_phone(page)
    assert not page.evaluate(SMALL_TARGETS)
    page.get_by_label("类别").select_option(label="医药")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(re.compile(r"/merchants/\?.*category="))
    page.get_by_role("link", name="仁和堂大药房").click()
    # The directory says "第6家联盟商户" too: wait for the shop's own page.
    page.wait_for_url(re.compile(r"/merchants/\d+$"))
    expect(page.get_by_text("第6家联盟商户")).to_be_visible()
    expect(page.get_by_role("heading", name="公开承诺、优惠和服务")).to_be_visible()
    assert "13900" not in page.content()  # no contact phone on a public page
    assert_fits_phone(page)


def test_membership_forms_fit_a_phone(page, live_server_url, demo):
    sign_in(page, live_server_url, "resident", demo)
    for path in ("/merchants/apply", "/volunteers/apply", "/volunteers/me", "/merchants/mine"):
        page.goto(live_server_url + path)
        assert_fits_phone(page)
        small = page.evaluate(SMALL_TARGETS)
        assert not small, f"{path}: tap targets under 44px: {small}"

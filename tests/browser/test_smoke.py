from playwright.sync_api import expect

from tests.browser.conftest import assert_fits_phone, sign_in


def test_secretary_signs_in_on_a_phone_and_sees_the_home_page(page, live_server_url, demo):
    sign_in(page, live_server_url, "secretary", demo)
    expect(page.get_by_role("heading", name="联盟一览")).to_be_visible()
    expect(page.get_by_text("赵书记").first).to_be_visible()
    assert_fits_phone(page)
    font_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 16
    # The menu opens from the toggler on a phone, with Bootstrap served locally.
    page.get_by_role("button", name="打开菜单").click()
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="社区管理").click()
    page.wait_for_url(f"{live_server_url}/communities/")
    expect(page.get_by_text("云水明珠社区").first).to_be_visible()
    assert_fits_phone(page)


def test_pages_fit_a_phone_and_have_large_tap_targets(page, live_server_url, demo):
    for path in ("/", "/login", "/register"):
        page.goto(live_server_url + path)
        assert_fits_phone(page)
        small = page.evaluate(
            """() => [...document.querySelectorAll('main button, main .btn, main input, main select')]
                .filter(el => el.offsetParent !== null && el.type !== 'hidden' && el.type !== 'checkbox')
                .filter(el => el.getBoundingClientRect().height < 44)
                .map(el => el.outerHTML.slice(0, 80))"""
        )
        assert not small, f"{path}: tap targets under 44px: {small}"

"""A volunteer shows the card on a phone; the cashier opens the scanned URL and records the
discount; the volunteer sees it in the history."""

import base64
import io

import zxingcpp
from PIL import Image

from tests.browser.conftest import assert_fits_phone, sign_in


def test_card_scan_redeem_and_history(browser, live_server_url, demo):
    volunteer = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="zh-CN",
    )
    page = volunteer.new_page()
    sign_in(page, live_server_url, "volunteer", demo)
    page.goto(f"{live_server_url}/me/card")
    assert page.get_by_role("heading", name="志愿者卡").is_visible()
    assert_fits_phone(page)
    # The rotating code arrives from the JSON endpoint (static JS, CSP script-src 'self').
    page.locator(".qr-box.rotating img[data-code]").wait_for(state="visible")
    # Decode the static QR as the cashier's camera would.
    png = page.locator("svg.qr").first.screenshot()
    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text
    assert url.startswith(f"{live_server_url}/c/")
    rotating_src = page.locator(".qr-box.rotating img").get_attribute("src")
    rotating_svg = base64.b64decode(rotating_src.split(",", 1)[1])
    assert b"<svg" in rotating_svg

    cashier = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    counter = cashier.new_page()
    sign_in(counter, live_server_url, "merchant", demo)
    counter.goto(url)
    assert counter.get_by_text("有效", exact=True).is_visible()
    assert counter.get_by_text("静态码", exact=False).first.is_visible()
    shop = counter.locator("main p.text-muted").first.inner_text()
    counter.locator("input[name=offer_id]").first.check()
    counter.get_by_label("消费金额（元，选填）").fill("100")
    counter.get_by_role("button", name="确认核销").click()
    counter.wait_for_url(f"{live_server_url}/cards/redemptions/*")
    assert counter.get_by_text("核销成功").is_visible()
    assert_fits_phone(counter)

    page.goto(f"{live_server_url}/me/card/history")
    first = page.locator(".history-list li").first
    assert shop in first.inner_text()
    assert page.get_by_text("累计节省").is_visible()
    volunteer.close()
    cashier.close()

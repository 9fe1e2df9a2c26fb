"""A volunteer shows the card on a phone; the cashier opens the scanned URL and records the
discount; the volunteer sees it in the history."""

import base64
import io
import threading
from types import SimpleNamespace

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from alliance.accounts.models import User
from alliance.cards.models import Card, CardStatus
from alliance.emergency.alert_models import EmergencyAlert
from tests.browser.conftest import assert_fits_phone, sign_in


def open_my_card(browser, base_url, password):
    """The volunteer signs in on a phone of their own and opens /me/card."""
    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="zh-CN",
    )
    page = phone.new_page()
    sign_in(page, base_url, "volunteer", password)
    page.goto(f"{base_url}/me/card")
    return phone, page


def test_card_scan_redeem_and_history(browser, live_server_url, demo):
    volunteer, page = open_my_card(browser, live_server_url, demo)
    expect(page.get_by_role("heading", name="志愿者卡")).to_be_visible()
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
    expect(counter.get_by_text("有效", exact=True)).to_be_visible()
    expect(counter.get_by_text("静态码", exact=False).first).to_be_visible()
    shop = counter.locator("main p.text-muted").first.inner_text()
    counter.locator("input[name=offer_id]").first.check()
    counter.get_by_label("消费金额（元，选填）").fill("100")
    counter.get_by_role("button", name="确认核销").click()
    counter.wait_for_url(f"{live_server_url}/cards/redemptions/*")
    expect(counter.get_by_text("核销成功")).to_be_visible()
    assert_fits_phone(counter)

    page.goto(f"{live_server_url}/me/card/history")
    first = page.locator(".history-list li").first
    assert shop in first.inner_text()
    expect(page.get_by_text("累计节省")).to_be_visible()
    volunteer.close()
    cashier.close()


class _OneRequestPerConnection(WSGIRequestHandler):
    """HTTP/1.0: no keep-alive connection outlives the server, so stopping it cuts the network."""

    protocol_version = "HTTP/1.0"


@pytest.fixture
def stoppable_server(app):
    """A live server of its own that the test can stop.

    `context.set_offline()` has not always reached the requests a service worker makes
    (microsoft/playwright#2311); with the server stopped as well, a network-first worker cannot
    get an answer from the network whatever the Playwright version.
    """
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=_OneRequestPerConnection
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        if thread.is_alive():
            server.shutdown()
            thread.join(timeout=5)
            server.server_close()

    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", stop=stop)
    stop()


def volunteer_card_number(db):
    holder = db.session.scalar(select(User).where(User.username == "volunteer"))
    return db.session.scalar(
        select(Card.number).where(Card.holder_id == holder.id, Card.status == CardStatus.ACTIVE)
    )


def open_my_card_under_worker(browser, base_url, password, number):
    """/me/card once online, then reloaded under the service worker that keeps it offline."""
    phone, page = open_my_card(browser, base_url, password)
    card = page.locator(".member-card").filter(has_text=number)
    expect(card.locator(".member-card-number")).to_have_text(number)
    # The worker installs and activates; after one reload it controls the page.
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(card.locator("svg.qr")).to_be_visible()
    return phone, page, card


def test_my_card_keeps_working_offline_after_one_visit(browser, stoppable_server, demo, db):
    base = stoppable_server.url
    number = volunteer_card_number(db)
    phone, page, card = open_my_card_under_worker(browser, base, demo, number)

    # The network drops: the phone goes offline and the server can no longer be reached.
    phone.set_offline(True)
    stoppable_server.stop()
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(card.locator(".member-card-number")).to_have_text(number)
    expect(card.locator("svg.qr")).to_be_visible()
    # Without the network there is no rotating code; the page says so.
    expect(card.locator(".rotating-offline")).to_be_visible()
    phone.close()


def test_logout_leaves_no_card_on_a_shared_phone(browser, stoppable_server, demo, db):
    """The next person on the phone must not find the previous holder's card offline."""
    base = stoppable_server.url
    number = volunteer_card_number(db)
    phone, page, _ = open_my_card_under_worker(browser, base, demo, number)
    assert page.evaluate("caches.keys()") == ["alliance-offline"]

    page.get_by_role("button", name="打开菜单").click()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_text("您已退出登录。")).to_be_visible()
    # Clear-Site-Data on the logout response: the card cache and the worker are gone.
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations()") == []

    phone.set_offline(True)
    stoppable_server.stop()
    try:
        response = page.goto(f"{base}/me/card")
    except PlaywrightError:  # offline and nothing kept: the browser's own error page
        response = None
    assert response is None or not response.from_service_worker
    expect(page.get_by_text(number)).to_have_count(0)
    phone.close()


def test_latest_warning_opens_offline_from_its_sms_link(browser, stoppable_server, demo, db):
    """The worker keeps the community's latest warning: in a storm with no signal, the SMS link
    still shows what to do (issue 23)."""
    base = stoppable_server.url
    number = volunteer_card_number(db)
    phone, page, _ = open_my_card_under_worker(browser, base, demo, number)
    warning_id = db.session.scalar(
        select(EmergencyAlert.id).order_by(EmergencyAlert.sent_at.desc()).limit(1)
    )
    page.wait_for_function(
        "caches.open('alliance-offline')"
        ".then(c => c.match('/emergency/alerts/latest')).then(r => !!r)"
    )

    phone.set_offline(True)
    stoppable_server.stop()
    response = page.goto(f"{base}/emergency/alerts/{warning_id}")
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_contain_text("暴雨")
    expect(page.get_by_text("低洼地带居民请及时转移")).to_be_visible()
    phone.close()

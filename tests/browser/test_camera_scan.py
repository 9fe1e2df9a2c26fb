"""The in-page scanner reads a card's QR from the camera in a real Chromium, fed a video of the
card's QR through a fake camera; without BarcodeDetector (Linux Chromium) it decodes with the
jsQR served from the site. A refused camera says so."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from alliance.cards.models import Card, CardStatus
from alliance.commitments.models import CardKind
from alliance.extensions import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, sign_in

WIDTH, HEIGHT = 640, 480


def _video_of(url: str, path) -> None:
    """A few seconds of Y4M (4:2:0) video showing the QR of `url` on white."""
    import qrcode
    from PIL import Image

    qr = qrcode.make(url, border=4).convert("L").resize((420, 420), Image.NEAREST)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(qr, ((WIDTH - 420) // 2, (HEIGHT - 420) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(20):
            out.write(b"FRAME\n" + luma + chroma + chroma)


def _launch(playwright, *extra):
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra]
    )


def test_the_scanner_reads_a_card_from_the_camera(playwright, app, live_server_url, demo, tmp_path):
    with app.app_context():
        code = db.session.scalars(
            select(Card.code)
            .where(Card.kind == CardKind.VOLUNTEER, Card.status == CardStatus.ACTIVE)
            .order_by(Card.id)
        ).first()
    video = tmp_path / "card.y4m"
    _video_of(f"{live_server_url}/c/{code}", video)
    browser = _launch(
        playwright,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    try:
        context = browser.new_context(viewport=PHONE, locale="zh-CN", permissions=["camera"])
        page = context.new_page()
        sign_in(page, live_server_url, "merchant", demo)
        page.goto(f"{live_server_url}/scan")
        page.get_by_role("button", name="打开摄像头扫码").click()
        page.wait_for_url(re.compile(r"/c/"), timeout=20_000)
        assert page.url.endswith(f"/c/{code}")
        expect(page.locator(".verdict-word")).to_have_text("有效")
    finally:
        browser.close()


def test_a_refused_camera_says_so(playwright, app, live_server_url, demo):
    browser = _launch(playwright, "--use-fake-device-for-media-stream")
    try:
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        sign_in(page, live_server_url, "merchant", demo)
        page.goto(f"{live_server_url}/scan")
        page.get_by_role("button", name="打开摄像头扫码").click()
        expect(page.locator(".scanner-status")).to_contain_text("没有摄像头权限", timeout=10_000)
        expect(page.get_by_label("卡号或卡码")).to_be_visible()
    finally:
        browser.close()

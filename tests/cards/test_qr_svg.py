"""The inline SVG QR, rendered by a real browser (Debian Chromium), decodes to the exact URL."""

import io
import os
import re
import shutil

import pytest
import zxingcpp
from PIL import Image

CHROMIUM = os.environ.get("ALLIANCE_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not (os.path.exists(CHROMIUM) or shutil.which("chromium")),
                                reason="Chromium not installed")


def test_svg_on_the_card_page_decodes_to_the_card_url(counter, as_user):
    from playwright.sync_api import sync_playwright

    html = as_user("volunteer").get("/me/card").get_data(as_text=True)
    svg = re.search(r'<svg class="qr".*?</svg>', html, re.S).group(0)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 400, "height": 400})
        page.set_content(f"<body style='margin:0;background:#fff'><div style='width:360px'>{svg}</div></body>")
        png = page.locator("svg").screenshot()
        browser.close()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [d.text for d in decoded] == [f"http://localhost/c/{counter.code}"]

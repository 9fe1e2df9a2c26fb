"""The inline SVG QR of /me/card, rendered by Chromium, decodes back to the exact card URL."""

import io
import re

import zxingcpp
from PIL import Image

from tests.cards.conftest import counter  # noqa: F401  (fixture)


def test_svg_on_the_card_page_decodes_to_the_card_url(page, counter, as_user):  # noqa: F811
    html = as_user("volunteer").get("/me/card").get_data(as_text=True)
    svg = re.search(r'<svg [^>]*class="qr".*?</svg>', html, re.S).group(0)
    page.set_content(f"<body><div id='box'>{svg}</div></body>")
    page.add_style_tag(content="body{margin:0;background:#fff} #box{width:300px}")
    png = page.locator("svg").screenshot()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [d.text for d in decoded] == [f"http://localhost/c/{counter.code}"]

"""On a phone: the grid worker records a hazard with a photo taken on the spot; the secretary
sees it on the point's history; the map draws the four estates' outlines and the markers from
the project's own Leaflet, with no request leaving the site."""

import io

import pytest
from PIL import Image

from tests.browser.conftest import sign_in
from tests.browser.test_pages_fit_phone import _audit, _new_page


@pytest.fixture
def photo_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "HAZARD_PHOTO_DIR", str(tmp_path / "hazard-photos"))
    return tmp_path / "hazard-photos"


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 90, 40)).save(buf, "JPEG")
    return buf.getvalue()


def _loaded_width(img) -> int:
    """The picture's width once the browser has it; a lazy picture loads when scrolled to."""
    img.scroll_into_view_if_needed()
    return img.evaluate(
        """img => img.complete && img.naturalWidth ? img.naturalWidth : new Promise(done => {
            img.addEventListener('load', () => done(img.naturalWidth));
            img.addEventListener('error', () => done(0));
        })"""
    )


def test_a_check_with_a_photo_and_the_map_on_a_phone(browser, live_server_url, demo, photo_dir):
    problems: list[str] = []
    context, page = _new_page(browser)
    sign_in(page, live_server_url, "secretary", demo)
    page.goto(f"{live_server_url}/emergency/hazards")
    page.get_by_label("排查名称").fill("8月雨后巡查")
    page.get_by_role("button", name="开始排查").click()
    page.wait_for_url("**/emergency/hazards/rounds/*")
    round_url = page.url
    context.close()

    context, page = _new_page(browser)
    sign_in(page, live_server_url, "grid", demo)
    page.goto(round_url)
    page.locator("main a[href^='/emergency/hazards/checks/']").first.click()
    check_url = page.url
    page.get_by_role("radio", name="发现隐患").check()
    page.get_by_label("说明（发现隐患时必填）").fill("挡墙鼓包")
    page.get_by_label("照片（可选，最多 3 张，每张 5 MB 以内）").set_input_files(
        [{"name": "wall.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    page.get_by_role("button", name="保存检查结果").click()
    page.wait_for_url("**/emergency/hazards/rounds/*")
    assert len(list(photo_dir.iterdir())) == 1
    page.goto(check_url)
    photo = page.locator("#photos img").first
    assert _loaded_width(photo) == 320
    point_link = page.locator("main h1").inner_text()
    context.close()

    context, page = _new_page(browser)
    sign_in(page, live_server_url, "secretary", demo)
    page.goto(f"{live_server_url}/emergency/hazards")
    page.get_by_role("link", name=point_link.split(" ")[0]).first.click()
    _audit(page, page.url, problems)
    history = page.locator("#history img").first
    assert _loaded_width(history) == 320
    outside: list[str] = []
    page.on(
        "request",
        lambda r: r.url.startswith(live_server_url) or outside.append(r.url),
    )
    _audit(page, f"{live_server_url}/emergency/map", problems)
    page.wait_for_selector("#emergency-map .leaflet-interactive")
    # Four estate outlines (paths with a fill) plus circle markers; labels on the plain map.
    assert page.locator("#emergency-map .estate-label").count() == 4
    assert page.locator("#emergency-map path.leaflet-interactive").count() >= 4 + 60
    assert not outside, outside
    context.close()
    assert not problems, "\n".join(problems)

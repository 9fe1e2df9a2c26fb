"""Flood-season registers on a phone: an inspection round recorded point by point, and a
door-knock recorded by the household's person responsible; the pages fit 360 px and pass
the accessibility audit."""

from tests.browser.conftest import sign_in
from tests.browser.test_pages_fit_phone import _audit, _new_page

PAGES = [
    "/emergency/hazards",
    "/emergency/households",
    "/emergency/shelters",
    "/emergency/supplies",
    "/emergency/map",
]


def test_an_inspection_on_a_phone(browser, live_server_url, demo):
    context, page = _new_page(browser)
    sign_in(page, live_server_url, "secretary", demo)
    problems: list[str] = []
    for path in PAGES:
        _audit(page, live_server_url + path, problems)
    page.goto(f"{live_server_url}/emergency/hazards")
    page.get_by_label("排查名称").fill("8月雨后巡查")
    page.get_by_role("button", name="开始排查").click()
    page.wait_for_url("**/emergency/hazards/rounds/*")
    round_url = page.url
    assert "已检查 0 / 60" in page.locator("#progress").inner_text()
    context.close()

    context, page = _new_page(browser)
    sign_in(page, live_server_url, "grid", demo)
    page.goto(round_url)
    page.locator("main a[href^='/emergency/hazards/checks/']").first.click()
    _audit(page, page.url, problems)
    page.get_by_role("radio", name="发现隐患").check()
    page.get_by_label("说明（发现隐患时必填）").fill("坡面有新裂缝")
    page.get_by_role("button", name="保存检查结果").click()
    page.wait_for_url("**/emergency/hazards/rounds/*")
    assert "整改通知书" in page.locator("main").inner_text()
    assert "已检查 1 / " in page.locator("#progress").inner_text()
    context.close()
    assert not problems, f"{len(problems)} problems\n" + "\n".join(problems)


def test_a_door_knock_on_a_phone(browser, live_server_url, demo):
    context, page = _new_page(browser)
    sign_in(page, live_server_url, "secretary", demo)
    page.goto(f"{live_server_url}/emergency/")
    page.get_by_label("启动原因").fill("暴雨红色预警")
    page.get_by_role("button", name="启动应急响应").click()
    page.wait_for_url("**/emergency/responses/*")
    context.close()

    context, page = _new_page(browser)
    sign_in(page, live_server_url, "volunteer", demo)
    page.goto(f"{live_server_url}/emergency/households")
    page.locator("main a[href^='/emergency/households/']").first.click()
    problems: list[str] = []
    _audit(page, page.url, problems)
    page.get_by_role("radio", name="无人应答").check()
    page.get_by_role("button", name="保存走访记录").click()
    page.wait_for_url("**/emergency/households")
    assert "前再次走访" in page.locator("main").inner_text()
    context.close()
    assert not problems, "\n".join(problems)

"""Emergency mode in a phone browser: the secretary switches to a response from the console,
every emergency page fits 360 px and passes the accessibility audit, a call-up goes out and a
member answers 到 on the phone."""

from tests.browser.conftest import sign_in
from tests.browser.test_pages_fit_phone import _audit, _new_page

PAGES = [
    "/emergency/",
    "/emergency/roster",
    "/emergency/teams",
    "/emergency/posts",
    "/emergency/duty",
    "/emergency/alerts",
]


def test_console_switch_and_pages_on_a_phone(browser, live_server_url, demo):
    context, page = _new_page(browser)
    sign_in(page, live_server_url, "secretary", demo)
    page.goto(f"{live_server_url}/emergency/")
    page.get_by_label("事件类型").select_option("flood")
    page.get_by_label("响应级别").select_option("IV")
    page.get_by_label("启动原因").fill("区气象台发布暴雨橙色预警")
    page.get_by_role("button", name="启动应急响应").click()
    page.wait_for_url("**/emergency/responses/*")
    banner = page.locator(".emergency-banner")
    assert "Ⅳ级应急响应" in banner.inner_text()
    assert banner.get_by_role("link", name="进入应急指挥").get_attribute("href") == "/emergency/"
    problems: list[str] = []
    for path in [*PAGES, page.url.removeprefix(live_server_url)]:
        _audit(page, live_server_url + path, problems)
    for listing, selector in [
        ("/emergency/teams", "main a[href^='/emergency/teams/']"),
        ("/emergency/duty", "main a[href^='/emergency/duty/']"),
    ]:
        page.goto(live_server_url + listing)
        _audit(page, live_server_url + page.locator(selector).first.get_attribute("href"), problems)
    context.close()
    assert not problems, f"{len(problems)} problems\n" + "\n".join(problems)


def test_a_call_up_is_answered_on_a_phone(browser, live_server_url, demo):
    context, page = _new_page(browser)
    sign_in(page, live_server_url, "secretary", demo)
    page.goto(f"{live_server_url}/emergency/")
    page.get_by_label("启动原因").fill("防汛演练")
    page.get_by_label("这是演练（所有消息都会标明“演练”）").check()
    page.get_by_role("button", name="启动应急响应").click()
    page.wait_for_url("**/emergency/responses/*")
    page.goto(f"{live_server_url}/emergency/teams")
    page.get_by_role("link", name="云水明珠党员突击队").click()
    page.get_by_label("集合地点").fill("社区广场东门")
    page.get_by_role("button", name="发出集结令").click()
    page.wait_for_url("**/emergency/callups/*")
    assert "未回复 20" in page.locator(".answer-counts").inner_text()
    context.close()

    context, page = _new_page(browser)
    sign_in(page, live_server_url, "vol001", demo)
    page.goto(f"{live_server_url}/emergency/")
    page.get_by_role("link", name="回复：未回复").click()
    problems: list[str] = []
    _audit(page, page.url, problems)
    assert "演练" in page.locator("main h1").inner_text()
    page.get_by_role("button", name="到", exact=True).click()
    page.wait_for_url("**/emergency/callups/*")
    assert "我的回复：到（在路上）" in page.locator("main").inner_text()
    context.close()
    assert not problems, "\n".join(problems)

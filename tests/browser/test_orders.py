"""A need on a phone: the resident posts it, the secretary dispatches it, the merchant accepts
and finishes it, the resident reviews it."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_fits_phone, sign_in

SMALL_TARGETS = """() => [...document.querySelectorAll('main button, main .btn, main input, main select')]
    .filter(el => el.offsetParent !== null && el.type !== 'hidden' && el.type !== 'checkbox')
    .filter(el => el.getBoundingClientRect().height < 44)
    .map(el => el.outerHTML.slice(0, 80))"""


def _fits(page):
    assert_fits_phone(page)
    small = page.evaluate(SMALL_TARGETS)
    assert not small, f"{page.url}: tap targets under 44px: {small}"


def _switch(page, base, username, password):
    page.context.clear_cookies()
    sign_in(page, base, username, password)


def test_a_need_from_post_to_review_on_a_phone(page, live_server_url, demo):
    base = live_server_url
    sign_in(page, base, "resident", demo)
    page.get_by_role("button", name="打开菜单").click()
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="提需求").click()
    page.wait_for_url(f"{base}/requests/new")
    _fits(page)
    page.get_by_label("服务类别").select_option(label="养老助老")
    page.get_by_label("一句话说明需求").fill("楼上独居奶奶需要每天送一顿午饭")
    page.get_by_label("详细情况").fill("奶奶腿脚不便，下楼困难")
    page.get_by_label("小区").select_option(label="云水明珠二期")
    page.get_by_label("楼栋和单元").fill("6号楼1单元")
    page.get_by_label("紧急程度").select_option(label="紧急")
    page.get_by_role("button", name="提交需求").click()
    expect(page.get_by_text("需求已提交")).to_be_visible()
    expect(page.get_by_text("待派单").first).to_be_visible()
    order_url = page.url
    _fits(page)

    _switch(page, base, "secretary", demo)
    page.goto(f"{base}/requests/queue")
    _fits(page)
    page.get_by_role("link", name="楼上独居奶奶需要每天送一顿午饭").click()
    page.get_by_role("link", name="派单").last.click()
    expect(page.locator(".match-flag").first).to_be_visible()  # the best fits come first
    _fits(page)
    page.get_by_label("按姓名、技能、手机号或卡号搜索").fill("云水人家餐厅")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("button", name="派给 云水人家餐厅").click()
    page.get_by_role("button", name="确认派给 云水人家餐厅").click()
    expect(page.get_by_text("已派单").first).to_be_visible()
    expect(
        page.get_by_text("接单方：云水人家餐厅").or_(page.get_by_text("云水人家餐厅")).first
    ).to_be_visible()

    _switch(page, base, "merchant", demo)
    page.goto(f"{base}/requests/orders")
    _fits(page)
    page.get_by_role("link", name="楼上独居奶奶需要每天送一顿午饭").click()
    page.get_by_role("button", name="接单").click()
    expect(page.get_by_text("已接单").first).to_be_visible()
    page.get_by_role("button", name="开始办理").click()
    page.get_by_label("说明（可选）").fill("每天11点半送到")
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_text("已办结").first).to_be_visible()
    _fits(page)

    _switch(page, base, "resident", demo)
    page.goto(order_url)
    page.get_by_label("评分").select_option("5")
    page.get_by_label("评价内容").fill("饭菜热乎，谢谢店家")
    page.get_by_role("button", name="评价").click()
    expect(page.get_by_text("已评价").first).to_be_visible()
    expect(page.get_by_text("饭菜热乎，谢谢店家").first).to_be_visible()
    _fits(page)
    # The resident was told about each step in the inbox.
    page.goto(f"{base}/inbox/")
    expect(page.get_by_text("已派单").or_(page.get_by_text("派单")).first).to_be_visible()
    _fits(page)


def test_order_pages_fit_a_phone(page, live_server_url, demo):
    sign_in(page, live_server_url, "street", demo)
    for path in (
        "/requests/escalations",
        "/requests/units",
        "/requests/resources",
        "/requests/transparency",
    ):
        page.goto(live_server_url + path)
        _fits(page)
    page.context.clear_cookies()
    sign_in(page, live_server_url, "secretary", demo)
    for path in (
        "/requests/categories",
        "/requests/projects",
        "/requests/keys",
        "/requests/mine",
        "/inbox/",
    ):
        page.goto(live_server_url + path)
        _fits(page)

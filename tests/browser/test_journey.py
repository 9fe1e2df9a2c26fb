"""The whole story in a real browser, on a phone (issue 7).

Starting from the seeded demo: a shop applies and is approved as the next numbered member; it
publishes an 8.5折 offer and an exchange item; a resident registers, applies to volunteer, is
approved and opens /me/card; the shop's owner decodes the card's QR code, opens it and records a
redemption; the resident posts a need which the secretary dispatches to the shop, the shop takes
and finishes it and the resident reviews it; the volunteer signs up for an activity, is checked
in and out by card, earns points and exchanges them at the shop.

Every page visited must fit 360 px without sideways scrolling and log no console error. One
screenshot per step lands in tests/artifacts/journey/ (ignored by git, kept by CI).
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from alliance.accounts.models import User
from alliance.activities.models import Signup
from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.merchants.models import Merchant
from tests.browser.conftest import PHONE, assert_fits_phone, sign_in

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey"
SHOP = "明珠巷口维修铺"
SHOP_PHONE = "13712340001"
RESIDENT_PHONE = "13712340002"
PASSWORD = "Journey2024go"
NEED = "家里水龙头漏水需要上门修理"
ACTIVITY = "周六义务理发"
OVERFLOW_MARK = "journey-overflow"
OVERFLOW_PROBE = f"""
window.__overflowProbe = true;
window.addEventListener("load", () => {{
  const root = document.documentElement;
  const overflow = root.scrollWidth - root.clientWidth;
  if (overflow > 0) console.warn("{OVERFLOW_MARK} " + overflow + "px " + location.href);
}});
"""


class Actor:
    """One person's phone: its own browser context, console watched, every page checked."""

    def __init__(self, journey, browser, name):
        self.journey = journey
        self.name = name
        self.context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        # Every page that loads reports sideways scrolling to the console (an init script runs
        # outside the page's CSP), so no page of the journey escapes the 360 px check.
        self.context.add_init_script(OVERFLOW_PROBE)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30000)  # a busy machine is slow, not broken
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: journey.errors.append(f"{name}: {exc}"))
        self.page.on("framenavigated", self._visited)

    def _console(self, message):
        if message.text.startswith(OVERFLOW_MARK):
            self.journey.overflows.append(f"{self.name}: {message.text}")
        elif message.type == "error":
            self.journey.errors.append(f"{self.name} {self.page.url}: {message.text}")

    def _visited(self, frame):
        if frame == self.page.main_frame:
            self.journey.visited.add(frame.url)

    def goto(self, path):
        self.page.goto(self.journey.base + path)

    def step(self, label):
        """The page fits the phone; keep a screenshot of it."""
        self.page.wait_for_load_state("load")
        assert self.page.evaluate("window.__overflowProbe === true")
        assert_fits_phone(self.page)
        self.journey.shots += 1
        target = ARTIFACTS / f"{self.journey.shots:02d}-{label}.png"
        self.page.screenshot(path=str(target), full_page=True)

    def menu(self, label):
        """Open the hamburger menu and follow one entry, as a person on a phone would."""
        page = self.page
        page.get_by_role("button", name="打开菜单").click()
        page.get_by_role("navigation", name="主菜单").get_by_role(
            "link", name=label, exact=True
        ).click()
        page.wait_for_load_state("load")


class Journey:
    def __init__(self, base):
        self.base = base
        self.errors: list[str] = []
        self.overflows: list[str] = []
        self.visited: set[str] = set()
        self.shots = 0


def _community_merchants(app) -> int:
    with app.app_context():
        community_id = db.session.scalar(select(Community.id).where(Community.code == "YSMZ"))
        return db.session.scalar(
            select(func.count()).select_from(Merchant).where(Merchant.community_id == community_id)
        )


def _register(actor, name, phone, username):
    page = actor.page
    actor.goto("/register")
    page.get_by_label("姓名").fill(name)
    page.get_by_label(re.compile(r"^手机号")).fill(phone)
    page.get_by_label("用户名（可选）").fill(username)
    page.get_by_label("所在社区").select_option(label="云水明珠社区")
    page.get_by_label(re.compile(r"^密码")).fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("注册成功")).to_be_visible()


def _draft_and_submit(actor, kind, title, offer_rate=None):
    page = actor.page
    actor.goto("/commitments/new")
    assert SHOP in page.get_by_label("商户").inner_text()  # the owner's only shop, preselected
    page.get_by_label("承诺类型").select_option(label=kind)
    page.get_by_label("标题").fill(title)
    page.get_by_label("承诺内容").fill(f"{SHOP}向社区公开承诺：{title}。")
    if offer_rate:
        page.get_by_label("包含折扣优惠").check()
        page.get_by_label("折扣", exact=True).fill(offer_rate)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("承诺草稿已保存")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state("load")


def test_the_whole_journey_on_a_phone(browser, app, live_server_url, demo):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    journey = Journey(live_server_url)
    base = live_server_url
    before = _community_merchants(app)

    shop = Actor(journey, browser, "shop")
    secretary = Actor(journey, browser, "secretary")
    resident = Actor(journey, browser, "resident")
    sign_in(secretary.page, base, "secretary", demo)

    # 1. A shop owner registers and applies to join the alliance.
    _register(shop, "周老板", SHOP_PHONE, "zhou_noodles")
    shop.step("shop-registered")
    shop.goto("/merchants/apply")
    page = shop.page
    page.get_by_label("商户名称").fill(SHOP)
    page.get_by_label("经营类别").select_option(label="生活服务")
    page.get_by_label("所在小区").select_option(label="云水明珠一期")
    page.get_by_label("店铺地址").fill("云水明珠一期南门底商8号")
    page.get_by_label("联系人").fill("周老板")
    page.get_by_label("联系电话").fill(SHOP_PHONE)
    page.get_by_label("准备提供的优惠或服务").fill("持卡维修8.5折；积分换小修一次。")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("入盟申请已提交")).to_be_visible()
    shop.step("shop-applied")

    # 2. The secretary approves it as the next numbered member.
    secretary.menu("入盟审核")
    secretary.page.get_by_role("link", name=SHOP).click()
    expect(secretary.page.get_by_text(f"第{before + 1}家联盟商户")).to_be_visible()
    secretary.step("application-review")
    secretary.page.get_by_role("button", name="批准入盟并签订协议").click()
    expect(secretary.page.get_by_text(f"为第{before + 1}家联盟商户")).to_be_visible()
    secretary.step("shop-approved")

    # 3. The shop drafts an 8.5折 offer and an exchange commitment; the secretary approves both.
    _draft_and_submit(shop, "信誉", "持卡维修享8.5折", offer_rate="8.5折")
    shop.step("offer-submitted")
    _draft_and_submit(shop, "积分兑换", "志愿积分兑换小修")
    secretary.menu("承诺审核")
    offer = secretary.page.locator("li.card").filter(has_text="持卡维修享8.5折")
    assert offer.locator(".offer-rate").inner_text() == "8.5折"
    for _ in range(2):
        pending = secretary.page.locator("li.card").filter(has_text=SHOP).first
        pending.get_by_role("button", name="通过并公示").click()
        secretary.page.wait_for_load_state("load")
    secretary.step("commitments-approved")
    shop.goto("/commitments/")
    shop.page.get_by_label("搜索").fill("8.5折")
    shop.page.get_by_role("button", name="查找").click()
    shop.page.get_by_role("link", name="持卡维修享8.5折").first.click()
    assert shop.page.locator(".offer-rate").inner_text() == "8.5折"
    shop.step("offer-published")

    # The shop publishes an exchange item through the UI.
    shop.menu("积分兑换项目")
    page = shop.page
    page.get_by_label("积分兑换承诺").select_option(label=f"{SHOP} · 志愿积分兑换小修")
    page.get_by_label("兑换什么").fill("免费换灯泡一次")
    page.get_by_label("所需积分").fill("15")
    page.get_by_label("库存").fill("30")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("免费换灯泡一次").first).to_be_visible()
    shop.step("exchange-item")

    # 4. A resident registers and applies to volunteer; the secretary approves.
    _register(resident, "林晓", RESIDENT_PHONE, "linxiao")
    resident.menu("志愿者")
    page = resident.page
    page.get_by_role("link", name="申请成为志愿者").click()
    page.get_by_label("所在小区").select_option(label="云水明珠二期")
    page.get_by_label("楼栋").fill("6号楼1单元")
    page.get_by_label("特长").fill("理发、维修")
    page.get_by_label("可服务时间").fill("周末全天")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("志愿者申请已提交")).to_be_visible()
    resident.step("volunteer-applied")
    secretary.menu("志愿者审核")
    row = secretary.page.locator("li.card").filter(has_text="林晓")
    row.get_by_role("button", name="批准").click()
    expect(secretary.page.get_by_text("已批准林晓成为志愿者")).to_be_visible()
    secretary.step("volunteer-approved")

    # 5. The volunteer opens the card; the shop's owner decodes its QR code and opens it.
    resident.goto("/me/card")
    page = resident.page
    expect(page.get_by_role("heading", name="志愿者卡")).to_be_visible()
    page.locator(".qr-box.rotating img").wait_for(state="visible")
    resident.step("volunteer-card")
    png = page.locator("svg.qr").first.screenshot()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert decoded, "the card's QR code did not decode"
    card_url = decoded[0].text
    assert re.fullmatch(rf"{re.escape(base)}/c/[A-Za-z0-9_-]+", card_url), card_url
    download = page.get_by_role("link", name="下载二维码图片").get_attribute("href")
    from_png = resident.context.request.get(base + download)
    assert from_png.ok
    decoded_png = zxingcpp.read_barcodes(Image.open(io.BytesIO(from_png.body())))
    assert decoded_png[0].text == card_url

    shop.page.goto(card_url)
    page = shop.page
    expect(page.get_by_text("有效", exact=True)).to_be_visible()
    page.get_by_label(re.compile("持卡维修享8.5折")).check()
    page.get_by_label("消费金额（元，选填）").fill("60")
    shop.step("card-scanned")
    page.get_by_role("button", name="确认核销").click()
    page.wait_for_url(f"{base}/cards/redemptions/*")
    receipt = page.locator("dl.receipt").inner_text()
    assert "¥51.00" in receipt  # pays 85 % of 60 yuan
    assert "¥9.00" in receipt  # saving shown
    shop.step("redeemed")
    resident.goto("/me/card/history")
    assert SHOP in resident.page.locator(".history-list li").first.inner_text()
    resident.step("card-history")

    # 6. The resident posts a need; the secretary dispatches it to the shop.
    resident.menu("提需求")
    page = resident.page
    page.get_by_label("服务类别").select_option(label="维修服务")
    page.get_by_label("一句话说明需求").fill(NEED)
    page.get_by_label("详细情况").fill("厨房水龙头一直滴水")
    page.get_by_label("小区").select_option(label="云水明珠二期")
    page.get_by_label("楼栋和单元").fill("6号楼1单元")
    page.get_by_label("紧急程度").select_option(index=0)
    page.get_by_role("button", name="提交需求").click()
    expect(page.get_by_text("需求已提交")).to_be_visible()
    order_url = page.url
    resident.step("need-posted")

    secretary.menu("派单")
    secretary.page.get_by_role("link", name=NEED).click()
    secretary.page.get_by_role("link", name="派单").last.click()
    secretary.step("dispatch")
    # Volunteers with 水电维修 rank first; the secretary finds the shop by name.
    secretary.page.get_by_label("按姓名、技能、手机号或卡号搜索").fill(SHOP)
    secretary.page.get_by_role("button", name="搜索").click()
    shop_row = secretary.page.locator("li.card").filter(has_text=SHOP)
    # 生活服务 is close to 维修服务: the reason says so, with its points.
    expect(shop_row.get_by_text(re.compile("经营类别「生活服务」相近 \\+15"))).to_be_visible()
    shop_row.get_by_role("button", name=f"派给 {SHOP}").click()
    secretary.page.get_by_role("button", name=f"确认派给 {SHOP}").click()
    expect(secretary.page.get_by_text("已派单").first).to_be_visible()
    secretary.step("dispatched")

    # 7. The shop takes and finishes it; the resident reviews it.
    shop.menu("我的工单")
    page = shop.page
    page.get_by_role("link", name=NEED).click()
    page.get_by_role("button", name="接单").click()
    expect(page.get_by_text("已接单").first).to_be_visible()
    page.get_by_role("button", name="开始办理").click()
    page.get_by_label("说明（可选）").fill("已更换阀芯")
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_text("已办结").first).to_be_visible()
    shop.step("order-finished")

    resident.page.goto(order_url)
    page = resident.page
    page.get_by_label("评分").select_option("5")
    page.get_by_label("评价内容").fill("师傅来得快，修得好")
    page.get_by_role("button", name="评价").click()
    expect(page.get_by_text("已评价").first).to_be_visible()
    expect(page.get_by_text("师傅来得快，修得好").first).to_be_visible()
    resident.step("order-reviewed")

    # 8. The volunteer signs up for an activity; the organiser checks the card in and out.
    resident.menu("志愿活动")
    page = resident.page
    page.get_by_role("link", name=ACTIVITY).click()
    page.get_by_role("button", name="报名这个时段").first.click()
    expect(page.get_by_text("报名成功")).to_be_visible()
    resident.step("activity-signup")

    card_code = card_url.rsplit("/", 1)[1]
    secretary.menu("活动管理")
    secretary.page.get_by_role("link", name=ACTIVITY).click()
    secretary.page.get_by_role("link", name="签到签退").first.click()
    page = secretary.page
    page.get_by_label("扫志愿者卡或输入卡号").fill(card_url)
    page.get_by_role("button", name="签到 / 签退").click()
    expect(page.get_by_text("已签到").first).to_be_visible()
    secretary.step("checked-in")
    with app.app_context():  # two hours of service pass
        signup = db.session.scalars(
            select(Signup).join(User, Signup.user_id == User.id).where(User.username == "linxiao")
        ).one()
        signup.check_in_at = utcnow() - timedelta(hours=2)
        # Hours count within the slot only: the slot is the one going on now.
        signup.slot.starts_at = signup.check_in_at
        signup.slot.ends_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    page.get_by_label("扫志愿者卡或输入卡号").fill(
        card_code
    )  # typed code, as when the camera fails
    page.get_by_role("button", name="签到 / 签退").click()
    expect(page.get_by_text("已签退").first).to_be_visible()
    page.get_by_role("button", name="确认时长并计分").click()
    earned = int(re.search(r"获得 (\d+) 积分", page.get_by_text("已确认").first.inner_text())[1])
    assert earned >= 15
    secretary.step("confirmed")

    resident.menu("我的积分")
    assert resident.page.get_by_test_id("balance").inner_text() == str(earned)
    expect(resident.page.get_by_text(ACTIVITY).first).to_be_visible()
    resident.step("points")

    # 9. The volunteer exchanges the points at the shop's counter.
    shop.page.goto(card_url)
    page = shop.page
    assert page.get_by_test_id("holder-balance").inner_text() == str(earned)
    page.get_by_role("button", name="兑换「免费换灯泡一次」").click()
    page.get_by_role("button", name="确认兑换「免费换灯泡一次」").click()
    message = page.get_by_text(re.compile("兑换成功")).inner_text()
    assert f"剩余 {earned - 15} 积分" in message
    shop.step("exchanged")
    resident.goto("/me/points")
    assert resident.page.get_by_test_id("balance").inner_text() == str(earned - 15)
    resident.step("points-after-exchange")

    for actor in (shop, secretary, resident):
        actor.context.close()
    assert not journey.errors, "console errors:\n" + "\n".join(journey.errors)
    assert not journey.overflows, "pages scroll sideways:\n" + "\n".join(journey.overflows)
    assert len(journey.visited) >= 20

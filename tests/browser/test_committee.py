"""The secretary holds the December liaison meeting on a phone (360 px): signs one officer in by
card, ticks the others, sees the quorum reached, passes a decision, writes and closes the
minutes, and prints them; residents see the decision, not who came."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from alliance.accounts.models import User
from alliance.cards.models import Card
from tests.browser.conftest import assert_fits_phone, sign_in
from tests.browser.test_commitments import SMALL_TARGETS


def _card_of(db, display_name: str) -> str:
    """The demo numbers cards in the order they were issued; look the officer's up."""
    return db.session.scalar(
        select(Card.number)
        .join(User, User.id == Card.holder_id)
        .where(User.display_name == display_name)
    )


def test_secretary_holds_a_meeting_on_a_phone(page, live_server_url, demo, db):
    base = live_server_url
    sign_in(page, base, "secretary", demo)
    page.goto(f"{base}/committee/meetings")
    assert_fits_phone(page)
    assert not page.evaluate(SMALL_TARGETS)
    page.get_by_role("link", name=re.compile("2026-12-10 15:00")).click()
    page.wait_for_url(re.compile(r"/committee/meetings/\d+$"))
    assert_fits_phone(page)
    assert not page.evaluate(SMALL_TARGETS)
    # The agenda built itself: undone decisions carried over, the overdue one marked.
    agenda = page.locator("#agenda")
    expect(agenda.get_by_text("逾期未办决议").first).to_be_visible()
    expect(agenda.get_by_text("商户门前停车秩序", exact=False)).to_be_visible()
    expect(page.locator("#quorum")).to_contain_text("未达法定人数")

    page.get_by_label("扫描或输入参会人的卡号").fill(_card_of(db, "李店长"))
    page.get_by_role("button", name="签到").click()
    expect(page.get_by_text("李店长已签到。")).to_be_visible()
    expect(page.locator("#quorum")).to_contain_text("到会1人")

    # Tick people present until the quorum (more than half of 24) is there.
    for present in range(2, 14):
        page.locator("#attendance form button[value='present']").first.click()
        # Wait for the new page's count, so the next tap lands on it, not on the old page.
        expect(page.locator("#quorum")).to_contain_text(f"到会{present}人")
    expect(page.locator("#quorum")).to_contain_text("已达法定人数")
    assert_fits_phone(page)

    form = page.locator("#decision-form")
    form.get_by_label("决议内容").fill("春节前组织联盟商户为困难户送温暖。")
    form.get_by_label("负责人").fill("merchant")
    form.get_by_label("完成期限").fill("2027-01-20")
    form.get_by_role("button", name="通过决议").click()
    expect(page.get_by_text("决议云水明珠〔2026〕17号已通过。")).to_be_visible()

    page.get_by_label("讨论情况").fill("讨论了春节送温暖的分工。")
    page.get_by_role("button", name="保存纪要").click()
    expect(page.get_by_text("纪要已保存。")).to_be_visible()
    page.get_by_role("button", name="结束会议").click()
    expect(page.get_by_text("会议已结束。")).to_be_visible()
    assert_fits_phone(page)

    page.get_by_role("link", name="打印会议纪要").click()
    page.wait_for_url(re.compile(r"/minutes$"))
    expect(page.locator("#present")).to_contain_text("李店长")
    expect(page.get_by_role("cell", name="云水明珠〔2026〕17号")).to_be_visible()
    expect(page.get_by_text("讨论了春节送温暖的分工。")).to_be_visible()
    assert_fits_phone(page)

    page.goto(f"{base}/logout")
    page.goto(f"{base}/committee/decisions?community=YSMZ")
    expect(page.get_by_text("春节前组织联盟商户为困难户送温暖。")).to_be_visible()
    expect(page.get_by_text("李店长")).to_have_count(0)
    assert_fits_phone(page)
    assert not page.evaluate(SMALL_TARGETS)

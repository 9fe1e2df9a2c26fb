"""A volunteer signs up on a phone; the organiser checks the card in and out and confirms; the
volunteer sees the points at /me/points; the member exchanges some at the counter."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from alliance.accounts.models import User
from alliance.activities.models import Activity, Signup
from alliance.cards import services as cards
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.points import ledger, scoring
from tests.browser.conftest import assert_fits_phone, sign_in
from tests.browser.test_commitments import SMALL_TARGETS


def _card_of_volunteer(app):
    with app.app_context():
        volunteer = db.session.scalars(select(User).where(User.username == "volunteer")).one()
        card = cards.current_card(volunteer.id, "volunteer") or cards.issue_card(
            volunteer, "volunteer"
        )
        db.session.commit()
        return volunteer.id, card.number, card.code, ledger.balance_of(volunteer.id)


def test_sign_up_check_in_confirm_see_points_and_exchange(page, app, live_server_url, demo):
    volunteer_id, number, code, before = _card_of_volunteer(app)
    base = live_server_url

    sign_in(page, base, "volunteer", demo)
    page.goto(f"{base}/activities/")
    assert_fits_phone(page)
    page.get_by_role("link", name="周六义务理发").click()
    page.wait_for_url(re.compile(r"/activities/\d+$"))
    page.get_by_role("button", name="报名这个时段").first.click()
    expect(page.get_by_text("报名成功")).to_be_visible()
    assert_fits_phone(page)
    assert not page.evaluate(SMALL_TARGETS)

    with app.app_context():
        signup = db.session.scalars(
            select(Signup)
            .join(Activity)
            .where(Signup.user_id == volunteer_id, Activity.title == "周六义务理发")
        ).one()
        slot_id, signup_id = signup.slot_id, signup.id

    page.context.clear_cookies()
    sign_in(page, base, "secretary", demo)
    page.goto(f"{base}/activities/slots/{slot_id}/attendance")
    assert_fits_phone(page)
    page.get_by_label("扫志愿者卡或输入卡号").fill(number)
    page.get_by_role("button", name="签到 / 签退").click()
    expect(page.get_by_text("已签到").first).to_be_visible()
    with app.app_context():  # two hours pass, inside the slot (hours count only within it)
        row = db.session.get(Signup, signup_id)
        row.check_in_at = utcnow() - timedelta(hours=2)
        row.slot.starts_at = row.check_in_at
        row.slot.ends_at = utcnow() + timedelta(hours=1)
        # The night multiplier would change the figure with the hour the test runs at; the
        # demo has adopted rule versions, so the one in force on the slot's day is the one read.
        rule = scoring.rule_at(row.community_id, row.slot.local_day)
        rule.night_percent = 100
        db.session.add(rule)
        db.session.commit()
    page.get_by_label("扫志愿者卡或输入卡号").fill(f"{base}/c/{code}")
    page.get_by_role("button", name="签到 / 签退").click()
    expect(page.get_by_text("已签退").first).to_be_visible()
    page.get_by_role("button", name="确认时长并计分").click()
    expect(page.get_by_text("已确认，获得 20 积分")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, base, "volunteer", demo)
    page.goto(f"{base}/me/points")
    assert_fits_phone(page)
    assert page.get_by_test_id("balance").inner_text() == str(before + 20)
    expect(page.get_by_text("周六义务理发").first).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, base, "merchant", demo)
    page.goto(f"{base}/c/{code}")
    assert_fits_phone(page)
    assert page.get_by_test_id("holder-balance").inner_text() == str(before + 20)
    page.get_by_role("button", name="兑换「饮料一瓶」").click()
    page.get_by_role("button", name="确认兑换「饮料一瓶」").click()
    message = page.get_by_text(re.compile("兑换成功")).inner_text()
    assert f"剩余 {before + 10} 积分" in message

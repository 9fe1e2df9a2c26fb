"""Voids (作废) of redemptions and exchanges, and the confirmation a far-too-large bill asks for."""

import uuid
from datetime import timedelta

import time_machine
from sqlalchemy import func, select, update

from alliance.audit.models import AuditEntry
from alliance.cards import services as card_services
from alliance.cards.models import Redemption
from alliance.clock import local_start, local_today
from alliance.counter import reports
from alliance.db_types import utcnow
from alliance.extensions import db as _db
from alliance.merchants.models import MerchantStaff
from alliance.notifications.models import Notification
from alliance.points.models import Exchange, ExchangeItem, LedgerEntry, PointsAccount
from tests.cards.conftest import bearer
from tests.conftest import login
from tests.points.factories import counter_setup


def _redeem(client, token, body):
    return client.post(
        "/api/v1/redemptions",
        json=body,
        headers={**bearer(token), "Idempotency-Key": str(uuid.uuid4())},
    )


def _void(client, token, kind, record_id, reason="金额输错"):
    return client.post(
        f"/api/v1/{kind}/{record_id}/void", json={"reason": reason}, headers=bearer(token)
    )


def _saved_this_month(community_id):
    figures = dict(
        (str(label), value) for label, value in card_services.home_figures([community_id])
    )
    return figures["本月核销"], figures["本月节省（元）"]


def test_a_mistyped_bill_asks_for_confirmation_first(client, counter, api_token):
    body = {"code": counter.code, "offer_id": counter.free_id, "bill_fen": 10_000_000}
    refused = _redeem(client, api_token, body)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["message"] == "confirm_required"
    assert _db.session.scalar(select(func.count(Redemption.id))) == 0
    assert _redeem(client, api_token, {**body, "confirm": True}).status_code == 201
    # Ten times the member's median bill (¥10 here) asks too, though below ¥2,000.
    for _ in range(3):
        assert _redeem(client, api_token, {**body, "bill_fen": 1000}).status_code == 201
    assert _redeem(client, api_token, {**body, "bill_fen": 10_001}).status_code == 422
    assert _redeem(client, api_token, {**body, "bill_fen": 9_000}).status_code == 201


def test_the_counter_page_shows_the_confirm_step(client, counter):
    login(client, "merchant")
    page = client.get(f"/c/{counter.code}")
    assert "金额核对无误" not in page.get_data(as_text=True)
    form = {"offer_id": str(counter.free_id), "bill": "100000", "key": "k1"}
    asked = client.post(f"/c/{counter.code}/redeem", data=form)
    assert asked.status_code == 422
    text = asked.get_data(as_text=True)
    assert "远高于本店平常的金额" in text and 'name="confirm"' in text
    assert _db.session.scalar(select(func.count(Redemption.id))) == 0
    done = client.post(f"/c/{counter.code}/redeem", data={**form, "confirm": "y"})
    assert done.status_code in (302, 303)
    assert _db.session.scalar(select(func.count(Redemption.id))) == 1


def test_a_voided_redemption_leaves_every_figure(client, counter, api_token, world):
    good = _redeem(
        client, api_token, {"code": counter.code, "offer_id": counter.free_id, "bill_fen": 10_000}
    )
    slip = _redeem(
        client,
        api_token,
        {
            "code": counter.code,
            "offer_id": counter.free_id,
            "bill_fen": 10_000_000,
            "confirm": True,
        },
    )
    slip_id = slip.get_json()["id"]
    assert _saved_this_month(world.a.id) == (2, (1000 + 1_000_000) // 100)

    voided = _void(client, api_token, "redemptions", slip_id)
    assert voided.status_code == 200
    assert voided.get_json()["voided"] is True
    # The home page, the member's report and export, the cards report and the holder's total.
    assert _saved_this_month(world.a.id) == (1, 10)
    month = local_today().strftime("%Y-%m")
    login(client, "merchant")
    report = client.get(f"/cards/merchant?month={month}").get_data(as_text=True)
    assert "已作废" in report
    csv = client.get(f"/cards/merchant.csv?month={month}").get_data(as_text=True)
    assert "100000.00" not in csv and "100.00" in csv
    first, end = local_today().replace(day=1), local_today() + timedelta(days=1)
    assert reports.totals_by_member([world.a.id], first, end)[0]["saving"] == 1000
    _rows, count, saved = card_services.holder_history(world.users["volunteer"])
    assert (count, saved) == (1, 1000)
    login(client, "secretary_a")
    cards_report = client.get(f"/cards/report?month={month}").get_data(as_text=True)
    assert "10,000.00" not in cards_report and "100,000" not in cards_report

    # Told, audited, and not twice.
    told = _db.session.scalars(
        select(Notification).where(Notification.user_id == world.users["volunteer"].id)
    ).all()
    assert [n.kind for n in told].count("counter.redemption_voided") == 1
    audit = _db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "Redemption", AuditEntry.action == "void"
        )
    ).one()
    assert audit.object_id == slip_id and audit.after["void_reason"] == "金额输错"
    assert _void(client, api_token, "redemptions", slip_id).status_code == 409
    assert (
        _void(client, api_token, "redemptions", good.get_json()["id"], reason="").status_code == 400
    )


def test_a_voided_exchange_gives_points_and_stock_back_once(client, world):
    s = counter_setup(world, balance=25, cost=10, stock=3, limit=1)
    made = client.post(
        "/api/v1/exchanges",
        json={"code": s.code, "item_id": s.item_id},
        headers={**bearer(s.token), "Idempotency-Key": "x1"},
    )
    assert made.status_code == 201
    record_id = made.get_json()["id"]
    voided = _void(client, s.token, "exchanges", record_id, reason="拿错了")
    assert voided.status_code == 200
    assert voided.get_json()["points_balance"] == 25 and voided.get_json()["stock"] == 3
    assert _void(client, s.token, "exchanges", record_id).status_code == 409
    _db.session.expire_all()
    balance = _db.session.scalar(
        select(PointsAccount.balance).where(PointsAccount.user_id == s.volunteer_id)
    )
    ledger = _db.session.scalar(
        select(func.sum(LedgerEntry.delta)).where(LedgerEntry.user_id == s.volunteer_id)
    )
    assert balance == ledger == 25
    assert _db.session.get(ExchangeItem, s.item_id).stock == 3
    # The per-person slot is free again: the holder may exchange the item once more.
    again = client.post(
        "/api/v1/exchanges",
        json={"code": s.code, "item_id": s.item_id},
        headers={**bearer(s.token), "Idempotency-Key": "x2"},
    )
    assert again.status_code == 201
    kinds = _db.session.scalars(
        select(Notification.kind).where(Notification.user_id == s.volunteer_id)
    ).all()
    assert "counter.exchange_voided" in kinds


def _age(model, record_id, minutes):
    _db.session.execute(
        update(model)
        .where(model.id == record_id)
        .values(created_at=utcnow() - timedelta(minutes=minutes))
    )
    _db.session.commit()


def test_who_may_void_and_until_when(app, client, counter, api_token, world):
    record_id = _redeem(
        client, api_token, {"code": counter.code, "offer_id": counter.free_id, "bill_fen": 500}
    ).get_json()["id"]
    link = _db.session.scalars(select(MerchantStaff)).one()
    link.is_owner = False
    _db.session.commit()
    path = f"/cards/redemptions/{record_id}/void"

    _age(Redemption, record_id, 31)
    staff = app.test_client()
    login(staff, "merchant")
    late = staff.post(path, data={"reason": "输错"})
    assert late.status_code == 403
    assert "店员只能在30分钟内作废" in late.get_data(as_text=True)
    assert _void(client, api_token, "redemptions", record_id).status_code == 403

    other = app.test_client()
    login(other, "secretary_b")
    assert other.get(path).status_code == 404
    assert other.post(path, data={"reason": "输错"}).status_code == 404

    _age(Redemption, record_id, 60 * 24 * 3)
    secretary = app.test_client()
    login(secretary, "secretary_a")
    assert secretary.post(path, data={"reason": ""}).status_code == 422
    done = secretary.post(path, data={"reason": "商户来电更正"})
    assert done.status_code == 303
    assert _db.session.get(Redemption, record_id).voided_at is not None
    assert secretary.post(path, data={"reason": "再来一次"}).status_code == 409


def test_the_owner_voids_the_same_day_from_the_receipt(client, counter, api_token):
    # An hour past local midnight at least, so that 45 minutes earlier is the same day
    # whatever hour the suite runs at (it failed in CI at 00:10 in Shanghai).
    with time_machine.travel(max(utcnow(), local_start(local_today()) + timedelta(hours=1))):
        record_id = _redeem(
            client, api_token, {"code": counter.code, "offer_id": counter.free_id, "bill_fen": 500}
        ).get_json()["id"]
        _age(Redemption, record_id, 45)  # past the staff's half hour; the owner still may
        login(client, "merchant")
        receipt = client.get(f"/cards/redemptions/{record_id}").get_data(as_text=True)
        assert "作废这次核销" in receipt
        done = client.post(f"/cards/redemptions/{record_id}/void", data={"reason": "顾客退单"})
        assert done.status_code == 303
        receipt = client.get(f"/cards/redemptions/{record_id}").get_data(as_text=True)
        assert "作废这次核销" not in receipt and "顾客退单" in receipt


def test_exchange_void_page(client, world):
    s = counter_setup(world, balance=25, cost=10, stock=3)
    made = client.post(
        "/api/v1/exchanges",
        json={"code": s.code, "item_id": s.item_id},
        headers={**bearer(s.token), "Idempotency-Key": "x1"},
    )
    record_id = made.get_json()["id"]
    login(client, "merchant")
    items = client.get("/points/items").get_data(as_text=True)
    assert f"/points/exchanges/{record_id}/void" in items
    assert (
        client.post(f"/points/exchanges/{record_id}/void", data={"reason": "拿错"}).status_code
        == 303
    )
    assert _db.session.get(Exchange, record_id).voided_at is not None


def test_the_secretary_finds_an_old_exchange_on_the_points_page_and_voids_it(app, client, world):
    """After the day it was made only the secretary may void an exchange: the points page
    lists the community's latest exchanges with the way to void each; another community's
    secretary does not see them."""
    s = counter_setup(world, balance=25, cost=10, stock=3)
    made = client.post(
        "/api/v1/exchanges",
        json={"code": s.code, "item_id": s.item_id},
        headers={**bearer(s.token), "Idempotency-Key": "old-1"},
    )
    record_id = made.get_json()["id"]
    _age(Exchange, record_id, 60 * 24 * 3)
    secretary = app.test_client()
    login(secretary, "secretary_a")
    page = secretary.get("/points/admin").get_data(as_text=True)
    assert f"/points/exchanges/{record_id}/void" in page
    other = app.test_client()
    login(other, "secretary_b")
    assert f"/points/exchanges/{record_id}/void" not in other.get("/points/admin").get_data(
        as_text=True
    )
    voided = secretary.post(f"/points/exchanges/{record_id}/void", data={"reason": "兑错了"})
    assert voided.status_code == 303
    _db.session.expire_all()
    assert _db.session.get(Exchange, record_id).voided_at is not None
    assert "已作废" in secretary.get("/points/admin").get_data(as_text=True)

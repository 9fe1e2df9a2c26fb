"""Exchange at members: the counter page, the cashier API, stock, limits and idempotency."""

import uuid

from sqlalchemy import func, select

from alliance.extensions import db
from alliance.points.models import Exchange, ExchangeItem, LedgerEntry, PointsAccount
from tests.points.factories import counter_setup


def bearer(raw, key=None):
    headers = {"Authorization": f"Bearer {raw}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def state(setup):
    db.session.expire_all()
    stock = db.session.get(ExchangeItem, setup.item_id).stock
    balance = db.session.scalar(
        select(PointsAccount.balance).where(PointsAccount.user_id == setup.volunteer_id)
    )
    ledger = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.delta), 0)).where(
            LedgerEntry.user_id == setup.volunteer_id
        )
    )
    assert balance == ledger
    return stock, balance, db.session.scalar(select(func.count(Exchange.id)))


def test_verify_answer_carries_balance_and_exchange_items(client, world):
    s = counter_setup(world, balance=25, cost=10, stock=3)
    r = client.post("/api/v1/cards/verify", json={"code": s.code}, headers=bearer(s.token))
    assert r.status_code == 200
    body = r.get_json()
    assert body["points_balance"] == 25
    assert body["exchange_items"] == [
        {
            "id": s.item_id,
            "title": "牛肉面一碗",
            "points": 10,
            "stock": 3,
            "per_person_limit": None,
            "affordable": True,
            "within_limit": True,
        }
    ]
    r = client.post("/api/v1/cards/verify", json={"code": "nonsense"}, headers=bearer(s.token))
    assert r.get_json()["points_balance"] is None and r.get_json()["exchange_items"] == []


def test_the_verify_answer_is_exactly_its_documented_schema(client, world):
    """The answer is built as sent (alliance.counter.api.serialize_verification): it must be
    what the OpenAPI document's CardVerification schema gives, field for field."""
    from datetime import datetime

    from alliance.counter.api import VerifyResponse

    s = counter_setup(world, balance=25, cost=10, stock=3)
    for code in (s.code, "nonsense"):
        body = client.post("/api/v1/cards/verify", json={"code": code}, headers=bearer(s.token))
        body = body.get_json()
        typed = dict(body)
        if body["verification_expires_at"]:
            typed["verification_expires_at"] = datetime.fromisoformat(
                body["verification_expires_at"]
            )
        assert VerifyResponse().dump(typed) == body, code
        assert set(body) == set(VerifyResponse().fields), code
    assert body["valid"] is False


def test_api_exchange_spends_once_per_key(client, world):
    s = counter_setup(world, balance=25, cost=10, stock=3)
    key = str(uuid.uuid4())
    first = client.post(
        "/api/v1/exchanges",
        json={"code": s.code, "item_id": s.item_id},
        headers=bearer(s.token, key),
    )
    assert first.status_code == 201
    assert first.get_json()["points_balance"] == 15 and first.get_json()["stock"] == 2
    again = client.post(
        "/api/v1/exchanges",
        json={"code": s.code, "item_id": s.item_id},
        headers=bearer(s.token, key),
    )
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["points_balance"] == 15
    assert state(s) == (2, 15, 1)
    other = client.post(
        "/api/v1/exchanges",
        json={"code": s.code, "item_id": s.item_id + 1},
        headers=bearer(s.token, key),
    )
    assert other.status_code == 422 and other.get_json()["error"]["message"] == "key_reused"


def test_too_few_points_is_409_and_changes_nothing(client, world):
    s = counter_setup(world, balance=5, cost=10, stock=3)
    r = client.post(
        "/api/v1/exchanges",
        json={"code": s.code, "item_id": s.item_id},
        headers=bearer(s.token, "k1"),
    )
    assert r.status_code == 409
    assert r.get_json()["error"]["message"] == "insufficient_points"
    assert "积分不足" in r.get_json()["error"]["detail"]
    assert state(s) == (3, 5, 0)


def test_no_stock_is_409(client, world):
    s = counter_setup(world, balance=50, cost=10, stock=1)
    assert (
        client.post(
            "/api/v1/exchanges",
            json={"code": s.code, "item_id": s.item_id},
            headers=bearer(s.token, "a"),
        ).status_code
        == 201
    )
    r = client.post(
        "/api/v1/exchanges",
        json={"code": s.code, "item_id": s.item_id},
        headers=bearer(s.token, "b"),
    )
    assert r.status_code == 409 and r.get_json()["error"]["message"] == "out_of_stock"
    assert state(s) == (0, 40, 1)


def test_per_person_limit_is_409(client, world):
    s = counter_setup(world, balance=50, cost=10, stock=10, limit=2)
    for key in ("a", "b"):
        assert (
            client.post(
                "/api/v1/exchanges",
                json={"code": s.code, "item_id": s.item_id},
                headers=bearer(s.token, key),
            ).status_code
            == 201
        )
    r = client.post(
        "/api/v1/exchanges",
        json={"code": s.code, "item_id": s.item_id},
        headers=bearer(s.token, "c"),
    )
    assert r.status_code == 409 and r.get_json()["error"]["message"] == "limit_reached"
    assert state(s) == (8, 30, 2)


def test_bad_requests(client, world):
    s = counter_setup(world)
    url = "/api/v1/exchanges"
    assert client.post(url, json={"code": s.code}, headers=bearer(s.token, "k")).status_code == 400
    assert (
        client.post(
            url, json={"code": s.code, "item_id": "1"}, headers=bearer(s.token, "k")
        ).status_code
        == 400
    )
    assert client.post(url, data="nope", headers=bearer(s.token, "k")).status_code == 400
    assert (
        client.post(
            url, json={"code": s.code, "item_id": s.item_id}, headers=bearer(s.token)
        ).status_code
        == 400
    )  # no Idempotency-Key
    r = client.post(
        url, json={"code": "bogus-code", "item_id": s.item_id}, headers=bearer(s.token, "k")
    )
    assert r.status_code == 422 and r.get_json()["error"]["message"] == "invalid_card"
    r = client.post(url, json={"code": s.code, "item_id": 999999}, headers=bearer(s.token, "k"))
    assert r.status_code == 422 and r.get_json()["error"]["message"] == "item_not_available"
    assert client.post(url, json={"code": s.code, "item_id": s.item_id}).status_code == 401
    assert state(s) == (100, 100, 0)


def test_openapi_documents_exchanges_and_the_points_fields(client):
    doc = client.get("/api/openapi.json").get_json()
    op = doc["paths"]["/api/v1/exchanges"]["post"]
    assert {"201", "200", "409", "422", "400"} <= set(op["responses"])
    verification = doc["components"]["schemas"]["CardVerification"]["properties"]
    assert "points_balance" in verification and "exchange_items" in verification
    item = doc["components"]["schemas"]["CardExchangeItem"]["properties"]
    assert {"id", "points", "stock", "title"} <= set(item)


def test_counter_page_shows_balance_and_exchanges(as_user, world):
    s = counter_setup(world, balance=25, cost=10, stock=3)
    client = as_user("merchant")
    page = client.get(f"/c/{s.code}")
    text = page.get_data(as_text=True)
    assert "持卡人积分余额" in text and "牛肉面一碗" in text and ">25<" in text
    r = client.post(
        f"/points/exchange/{s.code}", data={"item_id": str(s.item_id), "key": "x1", "confirm": "1"}
    )
    assert r.status_code == 303
    page = client.get(f"/c/{s.code}").get_data(as_text=True)
    assert "兑换成功" in page and ">15<" in page
    # The same form submitted twice (double click): one spend.
    client.post(
        f"/points/exchange/{s.code}", data={"item_id": str(s.item_id), "key": "x1", "confirm": "1"}
    )
    assert "没有重复扣分" in client.get(f"/c/{s.code}").get_data(as_text=True)
    assert state(s) == (2, 15, 1)
    # Too few points: a clear message, nothing changed.
    client.post(
        f"/points/exchange/{s.code}", data={"item_id": str(s.item_id), "key": "x2", "confirm": "1"}
    )
    client.post(
        f"/points/exchange/{s.code}", data={"item_id": str(s.item_id), "key": "x3", "confirm": "1"}
    )
    assert "积分不足" in client.get(f"/c/{s.code}").get_data(as_text=True)
    assert state(s) == (1, 5, 2)


def test_anyone_else_scanning_sees_no_points(as_user, client, world):
    s = counter_setup(world, balance=25)
    assert "持卡人积分余额" not in client.get(f"/c/{s.code}").get_data(as_text=True)
    assert "持卡人积分余额" not in as_user("resident").get(f"/c/{s.code}").get_data(as_text=True)


def test_an_exchange_asks_again_before_spending(as_user, world):
    s = counter_setup(world, balance=25, cost=10, stock=3)
    client = as_user("merchant")
    asked = client.post(f"/points/exchange/{s.code}", data={"item_id": str(s.item_id), "key": "c1"})
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "扣除 10 积分" in text and "确认兑换「牛肉面一碗」" in text
    assert state(s) == (3, 25, 0)
    done = client.post(
        f"/points/exchange/{s.code}", data={"item_id": str(s.item_id), "key": "c1", "confirm": "1"}
    )
    assert done.status_code == 303 and state(s) == (2, 15, 1)

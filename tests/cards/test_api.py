"""The cashier API: tokens, verify, redemptions with Idempotency-Key, errors, OpenAPI."""

import uuid

import pytest
from sqlalchemy import func, select

from alliance.cards import codes
from alliance.cards.models import Redemption
from tests.cards.conftest import bearer


def test_missing_or_bad_token_is_401_json(client, counter):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.post("/api/v1/cards/verify", json={"code": counter.code}, headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == 401


def test_verify_valid_card_lists_this_merchants_offers(client, counter, api_token):
    response = client.post(
        "/api/v1/cards/verify", json={"code": counter.code}, headers=bearer(api_token)
    )
    body = response.get_json()
    assert response.status_code == 200
    assert body["valid"] is True and body["reason"] is None and body["code_type"] == "static"
    assert body["card"] == {
        "number": counter.card.number,
        "kind": "volunteer",
        "holder_masked": "王*明",
    }
    titles = {o["title"]: o for o in body["offers"]}
    assert (
        titles["面条85折"]["rate_percent"] == 85 and titles["面条85折"]["rate_display"] == "8.5折"
    )
    assert titles["面条85折"]["usage_limit"] == 1 and titles["面条85折"]["usage_period"] == "day"


def test_verify_rotating_and_invalid_codes(client, counter, api_token):
    card = counter.card
    rot = codes.rotating_code(card.rotating_id, card.totp_secret, codes.current_step())
    body = client.post(
        "/api/v1/cards/verify", json={"code": rot}, headers=bearer(api_token)
    ).get_json()
    assert body["valid"] and body["code_type"] == "rotating"
    stale = codes.rotating_code(card.rotating_id, card.totp_secret, codes.current_step() - 3)
    body = client.post(
        "/api/v1/cards/verify", json={"code": stale}, headers=bearer(api_token)
    ).get_json()
    expected = {
        "valid": False,
        "reason": "stale",
        "code_type": "rotating",
        "card": None,
        "offers": [],
    }
    assert {k: body[k] for k in expected} == expected
    for garbage in ("", "x" * 10_000, "卡号", counter.code[:-2], "%00%00"):
        response = client.post(
            "/api/v1/cards/verify", json={"code": garbage}, headers=bearer(api_token)
        )
        assert response.status_code == 200
        assert response.get_json()["valid"] is False


def test_bad_json_is_400(client, counter, api_token):
    for payload in (
        {"data": "{not json", "content_type": "application/json"},
        {"json": ["code"]},
        {"json": {"code": 5}},
        {"json": {}},
    ):
        response = client.post("/api/v1/cards/verify", headers=bearer(api_token), **payload)
        assert response.status_code == 400, payload
    response = client.post(
        "/api/v1/redemptions",
        headers={**bearer(api_token), "Idempotency-Key": "a"},
        json={"code": counter.code, "offer_id": "1", "bill_fen": 1.5},
    )
    assert response.status_code == 400


def _post(client, token, key, body):
    return client.post(
        "/api/v1/redemptions", json=body, headers={**bearer(token), "Idempotency-Key": key}
    )


def test_redemption_is_idempotent_and_limits_are_409(client, counter, api_token, db):
    body = {"code": counter.code, "offer_id": counter.daily_id, "bill_fen": 1234}
    key = str(uuid.uuid4())
    first = _post(client, api_token, key, body)
    assert first.status_code == 201
    record = first.get_json()
    assert record["saving_fen"] == 185 and record["card_number"] == counter.card.number
    again = _post(client, api_token, key, body)
    assert again.status_code in (200, 201) and again.get_json()["id"] == record["id"]
    different = _post(client, api_token, key, {**body, "bill_fen": 999})
    assert different.status_code == 422
    limit = _post(client, api_token, str(uuid.uuid4()), body)
    assert limit.status_code == 409
    assert _post(client, api_token, "", body).status_code == 400
    assert db.session.scalar(select(func.count(Redemption.id))) == 1


def test_redemption_refusals(client, counter, api_token, db):
    wrong_offer = _post(client, api_token, "w1", {"code": counter.code, "offer_id": 99999})
    assert wrong_offer.status_code == 422
    bad_card = _post(client, api_token, "w2", {"code": "nope", "offer_id": counter.free_id})
    assert bad_card.status_code == 422
    counter.shop.status = "suspended"
    db.session.commit()
    suspended = _post(client, api_token, "w3", {"code": counter.code, "offer_id": counter.free_id})
    assert suspended.status_code == 403


def test_verification_is_rate_limited(app, client, counter, api_token):
    app.config["CARD_VERIFY_RATE_LIMIT"] = "3/minute"
    try:
        statuses = [
            client.post(
                "/api/v1/cards/verify", json={"code": "x" * 22}, headers=bearer(api_token)
            ).status_code
            for _ in range(5)
        ]
        assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
        assert client.get(f"/c/{counter.code}").status_code == 200
        assert [client.get(f"/c/{counter.code}").status_code for _ in range(3)][-1] == 429
    finally:
        app.config.pop("CARD_VERIFY_RATE_LIMIT")


# The service-orders helper's Open311 schema is registered twice (their file, not ours).
@pytest.mark.filterwarnings("ignore:.*Open311.*already been added:UserWarning")
def test_openapi_documents_both_operations(client):
    spec = client.get("/api/openapi.json").get_json()
    verify = spec["paths"]["/api/v1/cards/verify"]["post"]
    assert verify["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "CardVerifyRequest"
    )
    redeem = spec["paths"]["/api/v1/redemptions"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in redeem["parameters"])
    assert {"201", "409", "422", "401"} <= set(redeem["responses"])
    assert "RedemptionRecord" in spec["components"]["schemas"]


def test_cli_creates_a_token(runner, counter):
    result = runner.invoke(args=["api-token", "create", "merchant"])
    assert result.exit_code == 0, result.output
    from alliance.api.tokens import user_for_token

    assert user_for_token(result.output.strip()).username == "merchant"
    assert runner.invoke(args=["api-token", "create", "resident"]).exit_code != 0

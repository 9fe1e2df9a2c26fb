"""Card numbers are not card codes (issue 12, item 3)."""

import uuid

from tests.cards.conftest import bearer


def test_a_typed_number_shows_whose_card_it_is_never_its_code(counter, as_user):
    client = as_user("merchant")
    response = client.post("/scan", data={"text": counter.card.number.lower()})
    assert response.status_code == 200
    assert "Location" not in response.headers
    page = response.get_data(as_text=True)
    assert counter.code not in page
    assert counter.card.number in page and "王*明" in page and "有效" in page
    assert counter.card.rotating_id not in page


def test_a_scanned_code_or_url_still_opens_the_verification(counter, as_user):
    client = as_user("merchant")
    for text in (f"https://x.example/c/{counter.code}", counter.code):
        response = client.post("/scan", data={"text": text})
        assert response.status_code == 303 and response.headers["Location"].endswith(counter.code)


def test_scan_is_rate_limited_per_member(counter, as_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "CARD_VERIFY_RATE_LIMIT", "5/minute")
    client = as_user("merchant")
    statuses = [
        client.post("/scan", data={"text": f"AAA-{n:06d}"}).status_code for n in range(1, 8)
    ]
    assert statuses[:5] == [200] + [422] * 4  # the first number is a card; the rest are not
    assert statuses[-1] == 429


def test_a_number_spends_nothing_through_the_api(client, counter, api_token):
    for path, body in (
        ("/api/v1/exchanges", {"code": counter.card.number, "item_id": 1}),
        ("/api/v1/redemptions", {"code": counter.card.number, "offer_id": counter.free_id}),
    ):
        response = client.post(
            path, json=body, headers={**bearer(api_token), "Idempotency-Key": uuid.uuid4().hex}
        )
        assert response.status_code == 422, path

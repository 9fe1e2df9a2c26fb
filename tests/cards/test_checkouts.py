"""A checkout outlives the rotating code: five minutes from a valid verification, for that card
at that member only, used up once (also when requests race)."""

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select

from alliance.cards import codes
from alliance.cards.models import Redemption
from alliance.counter import checkouts
from alliance.db_types import utcnow
from alliance.extensions import db as _db
from alliance.points.models import Exchange
from tests.cards.conftest import bearer
from tests.cards.test_concurrency import THREADS, _post, _race, server  # noqa: F401
from tests.commitments.factories import create_merchant
from tests.conftest import login
from tests.points.factories import counter_setup


def _redeem(client, token, body, key=None):
    return client.post(
        "/api/v1/redemptions",
        json=body,
        headers={**bearer(token), "Idempotency-Key": key or str(uuid.uuid4())},
    )


def _rotating(card, seconds_ago=0):
    step = codes.current_step((utcnow() - timedelta(seconds=seconds_ago)).timestamp())
    return codes.rotating_code(card.rotating_id, card.totp_secret, step)


def test_verify_opens_a_five_minute_checkout(client, counter, api_token):
    before = utcnow()
    body = client.post(
        "/api/v1/cards/verify", json={"code": _rotating(counter.card)}, headers=bearer(api_token)
    ).get_json()
    assert body["valid"] is True and body["code_type"] == "rotating"
    assert body["verification_id"]
    expires = datetime.fromisoformat(body["verification_expires_at"])
    assert timedelta(seconds=299) <= expires - before <= timedelta(seconds=301)
    invalid = client.post(
        "/api/v1/cards/verify", json={"code": "nonsense"}, headers=bearer(api_token)
    ).get_json()
    assert invalid["verification_id"] is None and invalid["verification_expires_at"] is None


def test_a_checkout_outlives_the_rotating_code_and_is_used_once(client, counter, api_token):
    # Scanned 65 seconds ago: the code itself is stale by now, the checkout is not.
    stale = _rotating(counter.card, seconds_ago=65)
    opened = checkouts.open_checkout(
        counter.card_id, counter.shop_id, "rotating", now=utcnow() - timedelta(seconds=65)
    )
    body = {"offer_id": counter.free_id, "bill_fen": 2000}
    by_code = _redeem(client, api_token, {**body, "code": stale})
    assert by_code.status_code == 422 and by_code.get_json()["error"]["message"] == "invalid_card"
    key = str(uuid.uuid4())
    first = _redeem(client, api_token, {**body, "verification_id": opened.verification_id}, key)
    assert first.status_code == 201
    assert first.get_json()["card_number"] == counter.card.number
    # The same request again is the same record; another request finds the checkout used.
    again = _redeem(client, api_token, {**body, "verification_id": opened.verification_id}, key)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    used = _redeem(client, api_token, {**body, "verification_id": opened.verification_id})
    assert used.status_code == 409
    assert used.get_json()["error"]["message"] == "verification_used"
    assert _db.session.scalar(select(func.count(Redemption.id))) == 1


def test_an_expired_or_foreign_checkout_opens_nothing(client, counter, api_token, world):
    body = {"offer_id": counter.free_id}
    old = checkouts.open_checkout(
        counter.card_id, counter.shop_id, "static", now=utcnow() - timedelta(seconds=301)
    )
    expired = _redeem(client, api_token, {**body, "verification_id": old.verification_id})
    assert expired.status_code == 422
    assert expired.get_json()["error"]["message"] == "verification_expired"
    other_shop = create_merchant(world.a, 7, name="别家店")
    _db.session.commit()
    foreign = checkouts.open_checkout(counter.card_id, other_shop.id, "static")
    refused = _redeem(client, api_token, {**body, "verification_id": foreign.verification_id})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["message"] == "verification_invalid"
    forged = _redeem(client, api_token, {**body, "verification_id": old.verification_id + "x"})
    assert forged.status_code == 422
    # With both, the checkout decides: a forged one is refused whatever the code.
    both = _redeem(client, api_token, {**body, "code": counter.code, "verification_id": "x"})
    neither = _redeem(client, api_token, body)
    assert both.status_code == 422 and neither.status_code == 400
    assert _db.session.scalar(select(func.count(Redemption.id))) == 0


def test_a_lost_card_is_refused_even_with_an_open_checkout(client, counter, api_token):
    opened = checkouts.open_checkout(counter.card_id, counter.shop_id, "static")
    counter.card.status = "lost"
    _db.session.commit()
    r = _redeem(
        client, api_token, {"offer_id": counter.free_id, "verification_id": opened.verification_id}
    )
    assert r.status_code == 422 and r.get_json()["error"]["message"] == "invalid_card"


def test_exchange_with_a_checkout(client, world):
    s = counter_setup(world, balance=30, cost=10, stock=5)
    verified = client.post(
        "/api/v1/cards/verify", json={"code": s.code}, headers=bearer(s.token)
    ).get_json()
    vid = verified["verification_id"]

    def exchange(key):
        return client.post(
            "/api/v1/exchanges",
            json={"verification_id": vid, "item_id": s.item_id},
            headers={**bearer(s.token), "Idempotency-Key": key},
        )

    assert exchange("e1").status_code == 201
    second = exchange("e2")
    assert second.status_code == 409
    assert second.get_json()["error"]["message"] == "verification_used"
    assert _db.session.scalar(select(func.count(Exchange.id))) == 1


def test_racing_uses_of_one_checkout_make_exactly_one(server, counter, api_token):  # noqa: F811
    opened = checkouts.open_checkout(counter.card_id, counter.shop_id, "static")
    body = {"verification_id": opened.verification_id, "offer_id": counter.free_id}
    url = server + "/api/v1/redemptions"
    keys = [str(uuid.uuid4()) for _ in range(THREADS)]
    jobs = [(lambda key=key: _post(url, api_token, key, body)) for key in keys]
    statuses = sorted(status for status, _body in _race(jobs))
    assert statuses == [201] + [409] * (THREADS - 1), statuses
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count(Redemption.id))) == 1


def test_the_counter_page_keeps_the_choice_when_the_code_goes_stale(client, counter):
    login(client, "merchant")
    fresh = _rotating(counter.card)
    page = client.get(f"/c/{fresh}").get_data(as_text=True)
    assert "本次核验有效至" in page and 'name="verification_id"' in page
    opened = checkouts.open_checkout(
        counter.card_id, counter.shop_id, "rotating", now=utcnow() - timedelta(seconds=65)
    )
    stale = _rotating(counter.card, seconds_ago=65)
    form = {"offer_id": str(counter.free_id), "bill": "20", "key": "page-1"}
    without = client.post(f"/c/{stale}/redeem", data=form)
    assert without.status_code == 422
    assert "动态码已过期" in without.get_data(as_text=True)
    done = client.post(
        f"/c/{stale}/redeem", data={**form, "verification_id": opened.verification_id}
    )
    assert done.status_code in (302, 303)
    assert _db.session.scalar(select(func.count(Redemption.id))) == 1


def test_verification_ids_are_itsdangerous_own_text_and_compressed_ones_still_load():
    """The serializer skips zlib, which never shortens a checkout's payload (a random nonce):
    the ids are the same text as URLSafeSerializer's; an id it compressed still loads."""
    from itsdangerous import URLSafeSerializer

    from alliance.counter.checkouts import UncompressedSerializer

    ours = UncompressedSerializer("k", salt="counter-checkout")
    theirs = URLSafeSerializer("k", salt="counter-checkout")
    for n in range(200):
        payload = {"n": secrets.token_urlsafe(12), "c": n, "m": 7, "t": "rotating", "i": 1796617366}
        assert ours.dumps(payload) == theirs.dumps(payload)
    roomy = {"n": "a" * 120, "c": 1, "m": 7, "t": "static", "i": 1796617366}
    compressed = theirs.dumps(roomy)
    assert compressed.startswith(".")
    assert ours.loads(compressed) == roomy

"""A view's plain limits are counted in one trip to the storage (alliance.rate_limits,
OneTripLimiter): the same counts, headers and 429 as Flask-Limiter's own path, in the same keys.
The trip itself is counted on a Redis of the test's own in tests/faults/test_limits_in_one_trip.py."""

import threading
from datetime import UTC, datetime

import time_machine
from limits import parse

from alliance.extensions import limiter
from alliance.rate_limits import MemoryWithoutTimers
from tests.cards.conftest import bearer


def _verify(client, token, address="127.0.0.1"):
    return client.post(
        "/api/v1/cards/verify",
        json={"code": "x" * 22},
        headers=bearer(token),
        environ_base={"REMOTE_ADDR": address},
    )


def test_verification_counts_its_limits_and_sends_their_headers(
    app, client, api_token, monkeypatch
):
    monkeypatch.setitem(app.config, "CARD_VERIFY_RATE_LIMIT", "3/minute")
    answers = [_verify(client, api_token) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"3"}
    assert 0 < int(answers[0].headers["Retry-After"]) <= 60
    assert answers[-1].get_json()["error"]["code"] == 429
    # As Flask-Limiter stops at the first limit breached (the member's), the refused request
    # is not counted against the address.
    with app.test_request_context():
        key = parse("3/minute").key_for("127.0.0.1", "counter_api.verify")
        assert limiter.storage.get(key) == 3


def test_the_counts_are_flask_limiters_own(app, client, api_token, monkeypatch):
    monkeypatch.setitem(app.config, "CARD_VERIFY_RATE_LIMIT", "5/minute")
    for _ in range(2):
        assert _verify(client, api_token).status_code == 200
    with app.test_request_context():
        stats = limiter.limiter.get_window_stats(
            parse("5/minute"), "127.0.0.1", "counter_api.verify"
        )
    assert stats.remaining == 3


def test_the_members_limit_holds_across_addresses(app, client, api_token, monkeypatch):
    monkeypatch.setitem(app.config, "CARD_VERIFY_RATE_LIMIT", "3/minute")
    statuses = [_verify(client, api_token, f"10.0.0.{n}").status_code for n in range(1, 6)]
    assert statuses == [200, 200, 200, 429, 429]


def test_a_mistyped_limit_is_left_out_as_flask_limiter_does(app, client, api_token, monkeypatch):
    monkeypatch.setitem(app.config, "CARD_VERIFY_RATE_LIMIT", "3 per minut")
    assert [_verify(client, api_token).status_code for _ in range(4)] == [200] * 4


def test_memory_limits_start_no_thread(app, client, api_token, monkeypatch):
    started = []
    start = threading.Thread.start

    def counted_start(thread):
        started.append(thread)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", counted_start)
    assert [_verify(client, api_token).status_code for _ in range(10)] == [200] * 10
    assert started == []


def test_memory_counts_expire_and_are_swept_without_a_thread():
    storage = MemoryWithoutTimers()
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=UTC), tick=False) as clock:
        assert [storage.incr("a", 60) for _ in range(2)] == [1, 2]
        clock.shift(61)
        assert storage.get("a") == 0 and storage.incr("a", 60) == 1
        storage.incr("b", 5)
        clock.shift(61)
        storage.incr("c", 60)  # a count a second or more after the last sweep sweeps
        assert set(storage.storage) == {"c"}

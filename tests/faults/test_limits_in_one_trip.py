"""Card verification's two limits cost one trip to Redis, and fall back to memory without it
(alliance.rate_limits.OneTripLimiter, on a Redis of the test's own so its counters are exact)."""

import logging

import redis
from limits import parse

from alliance.extensions import db
from tests.cards.conftest import bearer
from tests.faults.conftest import make_app_on_redis
from tests.faults.servers import RedisServer

UNREACHABLE = "Rate limit storage unreachable"


def _calls(server: RedisServer) -> dict[str, int]:
    stats = redis.Redis.from_url(server.url).info("commandstats")
    return {name.removeprefix("cmdstat_"): value["calls"] for name, value in stats.items()}


def _verify(client, token):
    return client.post("/api/v1/cards/verify", json={"code": "x" * 22}, headers=bearer(token))


def test_a_verification_is_one_trip_to_redis(
    database_url, counter, api_token, redis_server, restore_limiter
):
    app = make_app_on_redis(database_url, redis_server, CARD_VERIFY_RATE_LIMIT="3/minute")
    client = app.test_client()
    assert _verify(client, api_token).status_code == 200  # loads the script once
    redis.Redis.from_url(redis_server.url).config_resetstat()
    second = _verify(client, api_token)
    calls = _calls(redis_server)
    for own in ("info", "config|resetstat"):
        calls.pop(own, None)
    # One script call; its own commands count both limits and read their expiry.
    assert calls == {"evalsha": 1, "incrby": 2, "ttl": 2}
    assert second.status_code == 200 and second.headers["X-RateLimit-Remaining"] == "1"
    assert [_verify(client, api_token).status_code for _ in range(2)] == [200, 429]
    # The refused request stopped at the member's limit: the address's count stays at 3.
    address_key = parse("3/minute").key_for("127.0.0.1", "counter_api.verify")
    assert redis.Redis.from_url(redis_server.url).get(f"LIMITS:{address_key}") == b"3"
    with app.app_context():
        db.engine.dispose()


def test_verification_falls_back_to_memory_while_redis_is_away(
    database_url, counter, api_token, redis_server, restore_limiter, caplog
):
    app = make_app_on_redis(database_url, redis_server, CARD_VERIFY_RATE_LIMIT="3/minute")
    caplog.set_level(logging.INFO, logger="flask-limiter")
    client = app.test_client()
    assert _verify(client, api_token).status_code == 200
    redis_server.stop()
    statuses = [_verify(client, api_token).status_code for _ in range(5)]
    # Counted in this process's memory from the outage on: three more, then the limit.
    assert statuses == [200, 200, 200, 429, 429]
    warnings = [r for r in caplog.records if UNREACHABLE in r.getMessage()]
    assert len(warnings) == 1
    with app.app_context():
        db.engine.dispose()

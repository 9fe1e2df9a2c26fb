"""Redis (the rate-limit storage) stopped while people log in: limits fall back to memory."""

import logging
import threading
import time

import redis

from alliance.extensions import db
from tests.conftest import PASSWORD
from tests.faults.conftest import make_app_on_redis
from tests.faults.servers import RedisServer

UNREACHABLE = "Rate limit storage unreachable"
RECOVERED = "Rate limit storage recovered"


def _login(app, address: str):
    with app.test_client() as client:
        response = client.post(
            "/login",
            data={"identifier": "resident", "password": PASSWORD},
            environ_base={"REMOTE_ADDR": address},
        )
        return response.status_code


def _wait_for(condition, what: str, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _limit_keys(server: RedisServer) -> list[bytes]:
    return redis.Redis.from_url(server.url).keys("LIMITS*")


def test_logins_keep_working_while_redis_is_away(
    database_url, world, redis_server, restore_limiter, caplog
):
    app = make_app_on_redis(database_url, redis_server, LOGIN_RATE_LIMIT="5 per minute")
    caplog.set_level(logging.INFO, logger="flask-limiter")
    statuses: list[int] = []
    stop = threading.Event()

    def people_logging_in():
        n = 0
        while not stop.is_set():
            n += 1
            # One login per address: these people never reach the limit.
            statuses.append(_login(app, f"10.1.{n // 250}.{n % 250}"))

    worker = threading.Thread(target=people_logging_in)
    worker.start()
    try:
        _wait_for(lambda: len(statuses) >= 5, "logins with Redis up")
        assert _limit_keys(redis_server), "limits are counted in Redis while it runs"

        redis_server.stop()
        before_outage = len(statuses)
        _wait_for(lambda: UNREACHABLE in caplog.text, "the fallback warning")
        _wait_for(lambda: len(statuses) >= before_outage + 20, "logins during the outage")

        # The limit still holds during the outage, counted in this process's memory.
        attacker = [_login(app, "10.9.9.9") for _ in range(7)]
        assert attacker[:5] == [303] * 5
        assert attacker[5:] == [429, 429]

        redis_server.start()
        _wait_for(lambda: RECOVERED in caplog.text, "the limiter to go back to Redis")
        after = len(statuses)
        _wait_for(lambda: len(statuses) >= after + 5, "logins after the restart")
    finally:
        stop.set()
        worker.join(timeout=30)

    assert statuses and set(statuses) == {303}, "every login signed in: no 500, no 429"
    warnings = [r for r in caplog.records if UNREACHABLE in r.getMessage()]
    assert len(warnings) == 1, "one warning per outage, not one per request"
    assert warnings[0].levelno == logging.WARNING

    # Back on Redis: a new address's attempts are counted there (the restarted Redis was empty).
    assert _login(app, "10.8.8.8") == 303
    assert any(b"10.8.8.8" in key for key in _limit_keys(redis_server))
    with app.app_context():
        db.engine.dispose()

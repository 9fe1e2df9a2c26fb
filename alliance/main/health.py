"""What a load balancer and an operator ask: is the database there, and every other dependency?

``/healthz`` is the load balancer's question: 200 only when the database answers. ``/readyz``
(and ``/healthz?deep=1``) report each dependency the deployment configured: the database, the
Redis that counts rate limits, the job broker and the worker's heartbeat (the unix time the
worker's beat writes to ``alliance:worker:heartbeat`` on the broker). A dependency that is not
configured is reported as such and is no failure: ``make run`` has no Redis and is healthy.
Every probe has a short timeout so that a dependency that hangs does not hang the answer.
"""

import time

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from alliance.extensions import db, limiter

OK, DOWN, NOT_CONFIGURED = "ok", "down", "not_configured"
HEARTBEAT_KEY = "alliance:worker:heartbeat"
PROBE_TIMEOUT_SECONDS = 0.5


def _timed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def probe_database(engine) -> dict:
    """``SELECT 1`` on its own connection, ended with COMMIT.

    No session: the check in front of the app (:mod:`alliance.health`) has none. COMMIT, not
    ROLLBACK: on PostgreSQL a ROLLBACK makes psycopg forget the connection's prepared statements
    (``alliance.database``).
    """
    started = time.perf_counter()
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        return {"status": DOWN, "error": exc.__class__.__name__, "ms": _timed(started)}
    return {"status": OK, "ms": _timed(started)}


def check_database() -> dict:
    return probe_database(db.engine)


def check_rate_limit_storage() -> dict:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith("memory://") or not current_app.config.get("RATELIMIT_ENABLED", True):
        return {"status": NOT_CONFIGURED}
    started = time.perf_counter()
    try:
        alive = bool(limiter.storage.check())
    except Exception as exc:  # any storage backend: its own errors
        return {"status": DOWN, "error": exc.__class__.__name__, "ms": _timed(started)}
    return {"status": OK if alive else DOWN, "ms": _timed(started)}


def broker_url() -> str | None:
    url = current_app.config.get("CELERY_BROKER_URL")
    if not url:
        url = (current_app.config.get("CELERY") or {}).get("broker_url")
    return url or None


def _redis_client(url: str):
    """One client per broker URL and app (its pool kept), with short timeouts."""
    import redis

    clients = current_app.extensions.setdefault("alliance_health_redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(
            url,
            socket_timeout=PROBE_TIMEOUT_SECONDS,
            socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        )
    return clients[url]


def check_broker_and_worker() -> tuple[dict, dict]:
    url = broker_url()
    if url is None:
        return {"status": NOT_CONFIGURED}, {"status": NOT_CONFIGURED}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        unknown = {"status": "unchecked", "reason": "only a Redis broker is probed"}
        return unknown, dict(unknown)
    import redis

    started = time.perf_counter()
    client = _redis_client(url)
    try:
        client.ping()
        beat = client.get(HEARTBEAT_KEY)
    except redis.RedisError as exc:
        broker = {"status": DOWN, "error": exc.__class__.__name__, "ms": _timed(started)}
        return broker, {
            "status": DOWN,
            "error": "broker unreachable",
            "heartbeat_age_seconds": None,
        }
    broker = {"status": OK, "ms": _timed(started)}
    max_age = float(current_app.config.get("WORKER_HEARTBEAT_MAX_AGE", 180))
    try:
        age = round(max(0.0, time.time() - float(beat)), 1) if beat is not None else None
    except ValueError:
        age = None
    worker = {
        "status": OK if age is not None and age <= max_age else DOWN,
        "heartbeat_age_seconds": age,
        "max_age_seconds": max_age,
    }
    if age is None:
        worker["error"] = "no heartbeat"
    return broker, worker


def readiness() -> tuple[dict, bool]:
    """Each dependency's state, and whether every configured one is up."""
    broker, worker = check_broker_and_worker()
    report = {
        "database": check_database(),
        "redis": check_rate_limit_storage(),
        "broker": broker,
        "worker": worker,
    }
    ready = all(part["status"] != DOWN for part in report.values())
    return {"status": "ok" if ready else "unavailable", **report}, ready

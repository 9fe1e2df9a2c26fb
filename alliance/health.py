"""/healthz answered in front of the app: one `SELECT 1`, no session, login, locale or limiter.

A load balancer asks several times a second; through Flask the check cost five times the query
(see bench/RESULTS.md). The answer is the one `alliance.main.views.healthz` gives: 200
``{"status": "ok"}`` only when the database answers, otherwise 503 with the database's state and
``Retry-After``. ``/healthz?deep=1`` (every dependency, as /readyz) and other methods go on to the
Flask views. The transaction ends with COMMIT: on PostgreSQL a ROLLBACK would make psycopg forget
the connection's prepared statements (alliance/database.py).

A worker asks the database at most once per ``HEALTHZ_CACHE_SECONDS`` (1 s by default; 0 asks on
every probe) and answers the probes in between with what it found: a load balancer polling
several times a second learns of an outage within that second, without a round trip per poll
(on PostgreSQL the round trips, not Python, were what a probe cost: bench/RESULTS.md).
"""

import json
import time
from urllib.parse import parse_qs

from flask import Flask

from alliance.extensions import db
from alliance.main.health import OK, probe_database
from alliance.outages import LOG_EVERY_SECONDS, RETRY_AFTER_SECONDS

PATH = "/healthz"
HEALTHY = b'{"status":"ok"}\n'
HEADERS = [
    ("Content-Type", "application/json"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
]


def wants_deep(query_string: str) -> bool:
    """``?deep=…`` as the view reads it (its first value; empty or 0 is not deep)."""
    values = parse_qs(query_string, keep_blank_values=True).get("deep")
    return bool(values) and values[0] not in ("", "0")


class HealthCheck:
    def __init__(self, app: Flask):
        with app.app_context():
            self.engine = db.engine
        self.wsgi_app = app.wsgi_app
        self.logger = app.logger
        self.last_logged = -LOG_EVERY_SECONDS
        self.cache_seconds = float(app.config.get("HEALTHZ_CACHE_SECONDS", 1.0))
        self.clock = time.monotonic
        self.answer = None  # (good until, status, headers, body)

    def __call__(self, environ, start_response):
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or wants_deep(environ.get("QUERY_STRING", ""))
        ):
            return self.wsgi_app(environ, start_response)
        now = self.clock()
        answer = self.answer
        if answer is None or now >= answer[0]:
            answer = self.answer = (now + self.cache_seconds, *self._probe(now))
        _until, status, headers, body = answer
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _probe(self, now: float):
        database = probe_database(self.engine)
        headers = list(HEADERS)
        if database["status"] == OK:
            return "200 OK", headers, HEALTHY
        if now - self.last_logged >= LOG_EVERY_SECONDS:  # a line every 10 s, not per probe
            self.last_logged = now
            self.logger.error("health check: the database does not answer (%s)", database)
        body = json.dumps({"status": "unavailable", "database": database}).encode() + b"\n"
        headers.append(("Retry-After", str(RETRY_AFTER_SECONDS)))
        return "503 Service Unavailable", headers, body


def init_health(app: Flask) -> None:
    app.wsgi_app = HealthCheck(app)

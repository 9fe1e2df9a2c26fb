"""/healthz answered in front of the app: one `SELECT 1`, no session, login, locale or limiter.

A load balancer asks several times a second; through Flask the check cost five times the query
(see bench/RESULTS.md). The answer is the one `alliance.main.views.healthz` gives: 200
``{"status": "ok"}`` only when the database answers, otherwise 503 with the database's state and
``Retry-After``. ``/healthz?deep=1`` (every dependency, as /readyz) and other methods go on to the
Flask views. The transaction ends with COMMIT: on PostgreSQL a ROLLBACK would make psycopg forget
the connection's prepared statements (alliance/database.py).
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

    def __call__(self, environ, start_response):
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or wants_deep(environ.get("QUERY_STRING", ""))
        ):
            return self.wsgi_app(environ, start_response)
        database = probe_database(self.engine)
        headers = list(HEADERS)
        if database["status"] == OK:
            status, body = "200 OK", HEALTHY
        else:
            now = time.monotonic()
            if now - self.last_logged >= LOG_EVERY_SECONDS:  # a line every 10 s, not per probe
                self.last_logged = now
                self.logger.error("health check: the database does not answer (%s)", database)
            status = "503 Service Unavailable"
            body = json.dumps({"status": "unavailable", "database": database}).encode() + b"\n"
            headers.append(("Retry-After", str(RETRY_AFTER_SECONDS)))
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def init_health(app: Flask) -> None:
    app.wsgi_app = HealthCheck(app)

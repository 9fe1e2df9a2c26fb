"""/healthz answered in front of the app: one `SELECT 1`, no session, login, locale or limiter.

A load balancer asks several times a second; through Flask the check cost five times the query
(see bench/RESULTS.md). The Flask view stays (url_for, the authorization matrix) and says the
same; this layer answers first. The transaction ends with COMMIT: on PostgreSQL a ROLLBACK would
make psycopg forget the connection's prepared statements (alliance/database.py).
"""

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from alliance.extensions import db

PATH = "/healthz"
OK = b'{"status":"ok"}\n'
DOWN = b'{"status":"unavailable"}\n'
HEADERS = [
    ("Content-Type", "application/json"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
]


def database_answers(engine) -> bool:
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT 1")
    except SQLAlchemyError:
        return False
    return True


class HealthCheck:
    def __init__(self, app: Flask):
        with app.app_context():
            self.engine = db.engine
        self.wsgi_app = app.wsgi_app
        self.logger = app.logger

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        if database_answers(self.engine):
            status, body = "200 OK", OK
        else:
            self.logger.error("health check: the database does not answer")
            status, body = "503 Service Unavailable", DOWN
        start_response(status, [*HEADERS, ("Content-Length", str(len(body)))])
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def init_health(app: Flask) -> None:
    app.wsgi_app = HealthCheck(app)

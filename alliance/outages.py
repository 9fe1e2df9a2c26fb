"""When a dependency is away: the database answers 503 with Retry-After, never a traceback.

A request that cannot reach the database (PostgreSQL stopped or restarting, the pool's connection
cut, SQLite still locked after its 30 s busy timeout) ends in one of SQLAlchemy's errors. The
transaction of that request is rolled back by the database itself (nothing half-saved: each view
commits once), so the right answer is "try again shortly", not a 500 with a traceback in the log.
Dead pooled connections are replaced once it is back (``DB_PING_AFTER_IDLE_SECONDS``,
``alliance.database._ping_after_idle``).

The 503 page is built without the database: no signed-in user, no menu, the locale from the
browser session only (reading the account's language would ask the database again and, on a
locked SQLite, wait another 30 s).
"""

import logging
import time

from flask import current_app, g, make_response, render_template, request, session
from flask.logging import default_handler
from flask_babel import force_locale
from sqlalchemy import exc as sa_exc

from alliance.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
LOG_EVERY_SECONDS = 10.0
_last_logged = -LOG_EVERY_SECONDS
MESSAGE = _l("系统正在维护或暂时繁忙，您的操作没有保存，请稍后再试。")

# SQLite's transient conditions (a lock held past the busy timeout, a full or failing disk);
# anything else from SQLite ("no such table", a syntax error) is a bug and stays a 500.
_SQLITE_TRANSIENT = (
    "database is locked",
    "database table is locked",
    "database is busy",
    "disk i/o error",
    "database or disk is full",
    "unable to open database file",
)


def is_unavailable(error: BaseException) -> bool:
    """True when `error` means the database cannot answer now, not that our code is wrong."""
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(error, sa_exc.DisconnectionError):
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        return False
    module = type(error.orig).__module__ or ""
    if module.startswith("sqlite3"):
        text = str(error.orig).lower()
        return any(marker in text for marker in _SQLITE_TRANSIENT)
    # psycopg: OperationalError covers refused connections, admin shutdown, "starting up",
    # lost connections and cancelled statements; InterfaceError a connection already closed.
    return True


def log_limiter_outages() -> None:
    """Let Flask-Limiter's "storage unreachable" warning and "recovered" note reach the log.

    Flask-Limiter gives its logger a NullHandler, so where nothing configured logging (gunicorn
    as ``make serve`` runs it) the one warning of a Redis outage vanished. When the root logger
    has no handler, send it where Flask's own messages go (stderr); a deployment that configures
    logging keeps its own arrangement.
    """
    limiter_log = logging.getLogger("flask-limiter")
    if logging.getLogger().handlers or default_handler in limiter_log.handlers:
        return
    limiter_log.addHandler(default_handler)
    limiter_log.setLevel(logging.INFO)


def unavailable_response():
    """The 503 answer: JSON for the APIs, a page for people, both saying to retry shortly."""
    from alliance.errors import json_error, wants_json

    # Flask-Login's template context loads the signed-in user; from now on this request has
    # none, so neither the page nor the locale selector asks the database again.
    g._login_user = current_app.login_manager.anonymous_user()
    locale = session.get("locale")
    if locale not in current_app.config["LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        message = str(MESSAGE)
        if wants_json():
            response = make_response(*json_error(503, message))
        else:
            html = render_template("errors/unavailable.html", message=message, locale=locale)
            response = make_response(html, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:  # a line every 10 s of outage, not per request
        _last_logged = now
        log.warning("database unavailable (%s %s): answering 503", request.method, request.path)
    return response

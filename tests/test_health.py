"""/healthz: answered before the app, and says when the database does not answer."""

import json

from sqlalchemy import create_engine

from alliance.health import HealthCheck


def test_healthz_answers_without_a_session_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz_is_503_when_the_database_is_gone(app, tmp_path):
    check = HealthCheck(app)
    check.engine = create_engine(f"sqlite:///{tmp_path}/missing/dir/db.sqlite")
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    body = b"".join(check({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, start_response))
    assert seen["status"].startswith("503") and b"unavailable" in body


def test_healthz_down_answers_as_the_view_does(app, tmp_path):
    """The layer's 503 says what the view's does: the database's state, and when to retry."""
    check = HealthCheck(app)
    check.engine = create_engine(f"sqlite:///{tmp_path}/missing/dir/db.sqlite")
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(check({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, start_response))
    answer = json.loads(body)
    assert answer["status"] == "unavailable" and answer["database"]["status"] == "down"
    assert answer["database"]["error"] == "OperationalError"
    assert seen["headers"]["Retry-After"] == "30"
    assert seen["headers"]["Cache-Control"] == "no-store"


def test_deep_healthz_goes_on_to_the_app(client):
    """``?deep=1`` reports every dependency (as /readyz); ``?deep=0`` is the plain answer."""
    deep = client.get("/healthz?deep=1")
    assert deep.status_code == 200 and set(deep.get_json()) >= {"database", "redis", "worker"}
    assert client.get("/healthz?deep=0").get_json() == {"status": "ok"}
    assert client.head("/healthz").status_code == 200


def test_healthz_asks_the_database_once_a_second_and_then_sees_it_gone(app, tmp_path):
    """Polls in between get the answer found last; after the second, an outage shows (503)."""
    check = HealthCheck(app)
    check.cache_seconds = 1.0
    now = [100.0]
    check.clock = lambda: now[0]
    asked = []
    real_probe = check._probe

    def probe(at):
        asked.append(at)
        return real_probe(at)

    check._probe = probe
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    def poll():
        b"".join(check({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, start_response))
        return seen["status"][:3]

    assert [poll(), poll()] == ["200", "200"] and asked == [100.0]
    check.engine = create_engine(f"sqlite:///{tmp_path}/missing/dir/db.sqlite")  # it goes away
    now[0] = 100.5
    assert poll() == "200" and asked == [100.0]
    now[0] = 101.0
    assert poll() == "503" and asked == [100.0, 101.0]

"""/healthz: answered before the app, and says when the database does not answer."""

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

import re

import pytest
from sqlalchemy import func, select

from alliance import create_app
from alliance.accounts.models import User
from alliance.extensions import db as _db
from tests.conftest import PASSWORD, IsolatedClient


def test_unknown_url_is_a_styled_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "找不到这个页面" in page and "返回首页" in page and "共富联盟" in page


def test_unknown_api_url_answers_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == 404


def test_json_clients_get_json_errors(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.is_json


def test_forbidden_is_a_styled_403(as_user, world):
    response = as_user("resident").get(f"/communities/{world.a.id}/people")
    assert response.status_code == 403
    assert "没有权限" in response.get_data(as_text=True)


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


@pytest.fixture
def failing_app(app):
    """A second app on the same database, with a route that writes and then fails."""
    other = create_app({**app.config, "PROPAGATE_EXCEPTIONS": False, "TESTING": False})
    other.test_client_class = IsolatedClient

    @other.get("/boom")
    def boom():
        user = _db.session.scalars(select(User)).first()
        user.display_name = "改了一半"
        _db.session.add(User(username="halfsaved", display_name="x", password_hash="x"))
        _db.session.flush()
        raise RuntimeError("boom")

    return other


def test_unexpected_error_is_a_styled_500_and_saves_nothing(failing_app, world, db, caplog):
    users_before = db.session.scalar(select(func.count(User.id)))
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    assert "服务器出了点问题" in response.get_data(as_text=True)
    assert "Unhandled error on GET /boom" in caplog.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id))) == users_before
    assert db.session.scalar(select(User).where(User.display_name == "改了一半")) is None


def test_security_headers_on_every_response(client):
    for path in ("/", "/login", "/no/such/page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_pages_carry_no_inline_script(client, world, as_user):
    for path in ("/", "/login", "/register"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page
        for chunk in page.split("<script")[1:]:
            assert 'src="/' in chunk.split(">")[0], "every script is a same-site file"


def test_bootstrap_is_served_locally(client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'href="(/static/css/bootstrap\.[0-9a-f]{10}\.css)"', page).group(1)
    assert "cdn.jsdelivr" not in page
    assert ".navbar" in client.get(href).get_data(as_text=True)


def test_csrf_protects_forms(app, world):
    protected = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    protected.test_client_class = IsolatedClient
    client = protected.test_client()
    response = client.post("/login", data={"identifier": "resident", "password": "x"})
    assert response.status_code == 400
    assert "请求有误" in response.get_data(as_text=True)


def test_production_config_sets_secure_cookies(monkeypatch):
    from alliance.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_the_view_edge_answers_422_for_a_rejected_form_and_303_after_a_post(client, world):
    """A resident who mistypes the password sees the form again (422, nothing saved, the
    reason shown); a right one moves on with See Other, so a reload never re-posts."""
    wrong = client.post("/login", data={"identifier": "resident", "password": "not-it"})
    assert wrong.status_code == 422 and "<form" in wrong.get_data(as_text=True)
    empty = client.post("/register", data={})
    assert empty.status_code == 422
    assert _db.session.scalar(select(func.count(User.id))) == len(world.users)
    right = client.post("/login", data={"identifier": "resident", "password": PASSWORD})
    assert right.status_code == 303

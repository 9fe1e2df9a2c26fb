"""The layout's language and large-text switches: a visitor's need no CSRF token (so public
pages set no session), but another site cannot press them; a signed-in person's still need the
token, because the choice is saved on the account."""

import pytest

from alliance import create_app
from alliance.accounts.models import User
from alliance.extensions import db
from tests.conftest import PASSWORD, IsolatedClient

SWITCHES = [("/language", {"locale": "en"}), ("/large-text", {"mode": "on"})]


@pytest.fixture
def protected(app):
    """The app with CSRF checks on, as in production."""
    strict = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    strict.test_client_class = IsolatedClient
    return strict


@pytest.mark.parametrize("path, data", SWITCHES)
@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ],
)
def test_another_site_cannot_switch_a_visitors_display(protected, world, path, data, headers):
    visitor = protected.test_client()
    response = visitor.post(path, data={**data, "next": "/merchants/"}, headers=headers)
    assert response.status_code == 403
    page = visitor.get("/merchants/").get_data(as_text=True)
    assert "large-text" not in page.split(">", 2)[1] and 'lang="zh-CN"' in page


def test_a_visitor_switches_language_and_large_text_without_a_token(protected, world):
    visitor = protected.test_client()
    response = visitor.get("/merchants/")
    page = response.get_data(as_text=True)
    assert 'name="csrf_token"' not in page and 'action="/language"' in page
    assert response.headers.getlist("Set-Cookie") == []
    assert visitor.get("/login").headers.getlist("Set-Cookie")  # its own form's token
    same = {"Sec-Fetch-Site": "same-origin"}
    assert (
        visitor.post("/language", data={"locale": "en", "next": "/"}, headers=same).status_code
        == 303
    )
    # An older browser sends Origin alone; behind a proxy the app may see another scheme.
    origin = {"Origin": "https://localhost"}
    assert (
        visitor.post("/large-text", data={"mode": "on", "next": "/"}, headers=origin).status_code
        == 303
    )
    page = visitor.get("/merchants/").get_data(as_text=True)
    assert '<html lang="en" class="large-text"' in page


def test_a_signed_in_persons_switch_still_needs_the_token(protected, world):
    member = protected.test_client()
    form = member.get("/login").get_data(as_text=True)
    token = form.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    signed_in = member.post(
        "/login", data={"identifier": "resident", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 303
    same = {"Sec-Fetch-Site": "same-origin"}
    assert member.post("/language", data={"locale": "en"}, headers=same).status_code == 400
    page = member.get("/me").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and page.count('name="csrf_token"') >= 2
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    switched = member.post("/language", data={"locale": "en", "csrf_token": token}, headers=same)
    assert switched.status_code == 303
    db.session.expire_all()
    assert db.session.query(User).filter_by(username="resident").one().locale == "en"


def _signed_in(app, username):
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = form.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    data = {"identifier": username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 303
    return client


def test_the_kept_header_carries_each_persons_own_token_and_page(protected, world):
    """The layout's header is kept per menu and language (alliance.fragments); the token and
    the return path in its forms are this request's, not those of whoever filled it first."""
    first, second = _signed_in(protected, "resident"), _signed_in(protected, "resident")
    first.get("/merchants/?page=1")
    page = second.get("/commitments/?q=%E9%9D%A2").get_data(as_text=True)
    header = page.split("</header>", 1)[0]
    assert 'name="next" value="/commitments/?q=%E9%9D%A2"' in header
    assert 'name="next" value="/commitments/"' in header
    token = header.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    same = {"Sec-Fetch-Site": "same-origin"}
    assert (
        second.post(
            "/large-text", data={"mode": "on", "csrf_token": token}, headers=same
        ).status_code
        == 303
    )
    assert (
        first.post(
            "/large-text", data={"mode": "on", "csrf_token": token}, headers=same
        ).status_code
        == 400
    )

"""Logging out ends the session on the server (issue 12, item 10); kept sessions are checked."""

from datetime import timedelta

import time_machine

from alliance.db_types import utcnow
from alliance.extensions import db
from tests.conftest import login


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_a_copied_session_cookie_dies_with_logout(app, world):
    victim = app.test_client()
    login(victim, "resident")
    stolen = _cookie(victim, "session")
    assert victim.post("/logout").status_code == 303
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_copied_remember_cookie_dies_with_logout(app, world):
    victim = app.test_client()
    login(victim, "resident", remember="y")
    remembered = _cookie(victim, "remember_token")
    assert remembered
    victim.post("/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remembered)
    response = thief.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remember_cookie_still_works_before_logout(app, world):
    victim = app.test_client()
    login(victim, "resident", remember="y")
    thief = app.test_client()
    thief.set_cookie("remember_token", _cookie(victim, "remember_token"))
    assert thief.get("/me").status_code == 200


def test_get_logout_asks_first_and_signs_nobody_out(app, world):
    client = app.test_client()
    login(client, "resident")
    page = client.get("/logout")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'method="post"' in text and "退出登录" in text
    assert client.get("/me").status_code == 200
    assert client.post("/logout").status_code == 303
    assert client.get("/me").status_code == 302


def test_get_logout_signed_out_goes_home(client, world):
    response = client.get("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_signing_in_again_after_logout_works(app, world):
    client = app.test_client()
    login(client, "resident")
    client.post("/logout")
    db.session.expire_all()
    assert login(client, "resident").status_code == 303
    assert client.get("/me").status_code == 200


def test_a_visitor_gets_no_cookie_and_a_signed_in_session_still_follows_its_browser(app, world):
    """Public pages set no cookie at all for a visitor (the layout's switches need no token,
    alliance.preference_posts), nor clear a remember cookie each time. A signed-in session used from another browser (its
    User-Agent) is still ended (strong session protection)."""
    visitor = app.test_client()
    for path in ("/merchants/", "/commitments/", "/", "/merchants/"):
        assert visitor.get(path).headers.getlist("Set-Cookie") == [], path
    member = app.test_client()
    login(member, "resident")
    assert member.get("/me").status_code == 200
    response = member.get("/me", headers={"User-Agent": "another browser"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_kept_session_cookie_is_still_checked_for_age_and_key(app, world):
    """A session cookie verified once is kept by its text (alliance.sessions): the same text
    signs in again without its signature being checked, but only within the session's lifetime
    and under the same secret key; an altered text is checked and refused."""
    client = app.test_client()
    login(client, "resident")
    assert client.get("/me").status_code == 200  # the welcome shown: a session of plain values
    assert client.get("/me").status_code == 200  # kept
    text = _cookie(client, "session")
    altered = app.test_client()
    altered.set_cookie("session", text[:-3] + ("xyz" if text[-3:] != "xyz" else "abc"))
    assert altered.get("/me").status_code == 302

    later = utcnow() + app.permanent_session_lifetime + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        response = client.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    again = app.test_client()
    login(again, "resident")
    again.get("/me")
    assert again.get("/me").status_code == 200
    key = app.secret_key
    app.secret_key = "a key the cookie was not signed with"
    try:
        assert again.get("/me").status_code == 302
    finally:
        app.secret_key = key

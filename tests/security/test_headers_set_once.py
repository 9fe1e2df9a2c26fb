"""The headers every answer carries are the libraries' own: Flask-Talisman's security headers,
set once per view's options and kept (alliance.security_headers), the X-RateLimit headers of
limits counted in one trip (alliance.rate_limits), and Flask-Login's remember cookie, whose
hook runs only where a user was loaded (alliance.sessions). Each small site below runs the
libraries' own classes beside ours and compares what a client receives."""

import time_machine
from flask import Flask, jsonify
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman

from alliance.rate_limits import OneTripLimiter, check_only_where_limits_apply
from alliance.security import CSP
from alliance.security_headers import SecurityHeaders
from tests.cards.conftest import bearer
from tests.conftest import login

# --- security headers -----------------------------------------------------------------------


def _secured(extension_class, force_https):
    app = Flask(__name__)
    extension_class().init_app(
        app,
        content_security_policy=CSP,
        force_https=force_https,
        strict_transport_security=force_https,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"camera": "(self)", "geolocation": "()", "microphone": "()"},
    )

    @app.get("/page")
    def page():
        return "<p>页面</p>"

    @app.get("/json")
    def as_json():
        return jsonify(ok=True)

    @app.get("/framed")
    def framed():
        # A view's own header of a name Talisman sets: Talisman replaces it.
        return "<p>框</p>", 200, {"X-Frame-Options": "SAMEORIGIN", "X-Other": "1"}

    return app


def _headers(app, path, **kwargs):
    response = app.test_client().get(path, **kwargs)
    return response.status_code, sorted(response.headers.items())


def test_security_headers_are_talismans_own_on_every_kind_of_answer():
    for force_https in (False, True):
        ours, theirs = _secured(SecurityHeaders, force_https), _secured(Talisman, force_https)
        for path in ("/page", "/json", "/framed", "/missing"):
            for kwargs in (
                {},
                {"base_url": "https://localhost"},
                {"base_url": "https://localhost", "headers": {"X-Forwarded-Proto": "https"}},
            ):
                for _twice in range(2):  # the second answer comes from what was kept
                    assert _headers(ours, path, **kwargs) == _headers(theirs, path, **kwargs)


def test_hsts_only_on_secure_requests_and_the_frame_header_is_replaced_not_doubled():
    app = _secured(SecurityHeaders, force_https=True)
    client = app.test_client()
    plain = client.get("/page")
    assert plain.status_code == 302 and plain.location.startswith("https://")
    secure = client.get("/framed", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert secure.headers.getlist("X-Frame-Options") == ["DENY"]
    assert secure.headers["X-Other"] == "1"
    proxied = client.get("/page", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200 and "Strict-Transport-Security" in proxied.headers


# --- rate limit headers ---------------------------------------------------------------------


def _limited(limiter_class, **options):
    app = Flask(__name__)
    limiter = limiter_class(
        get_remote_address, storage_uri="memory://", headers_enabled=True, **options
    )
    limiter.init_app(app)
    check_only_where_limits_apply(app, limiter)

    @app.get("/two")
    @limiter.limit("3 per minute")
    @limiter.limit("10 per hour", key_func=lambda: "everyone")
    def two():
        return "ok"

    @app.get("/busy")
    @limiter.limit("5 per minute")
    def busy():
        return "busy", 503, {"Retry-After": "120"}

    return app


def _limit_headers(client, path):
    response = client.get(path)
    names = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")
    named = ("X-Left", "Retry-After")
    return response.status_code, [(name, response.headers.getlist(name)) for name in names + named]


def test_limit_headers_are_flask_limiters_own():
    for options in ({}, {"header_name_mapping": {"X-RateLimit-Remaining": "X-Left"}}):
        with time_machine.travel("2026-12-07 08:00:30 +0000", tick=False):
            ours = _limited(OneTripLimiter, **options).test_client()
            theirs = _limited(Limiter, **options).test_client()
            for path in ["/two"] * 5 + ["/busy"] * 2:
                assert _limit_headers(ours, path) == _limit_headers(theirs, path)


def test_limit_headers_come_once_per_answer_refusals_included():
    with time_machine.travel("2026-12-07 08:00:30 +0000", tick=False):
        client = _limited(OneTripLimiter).test_client()
        answers = [client.get("/two") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers.getlist("X-RateLimit-Remaining") for a in answers] == [
        ["2"],
        ["1"],
        ["0"],
        ["0"],
    ]
    # One header each, the seconds to the end of the minute's window (Flask-Limiter's +1).
    assert {tuple(a.headers.getlist("Retry-After")) for a in answers} == {("61",)}


# --- the remember cookie --------------------------------------------------------------------


def test_a_cashier_token_answer_does_not_vary_by_cookie_but_pages_do(client, api_token):
    answer = client.post("/api/v1/cards/verify", json={"code": "x" * 22}, headers=bearer(api_token))
    assert answer.status_code == 200
    assert "Cookie" not in answer.headers.get("Vary", "")
    assert "remember_token=" not in " ".join(answer.headers.getlist("Set-Cookie"))
    page = client.get("/")
    assert "Cookie" in page.headers.get("Vary", "")


def test_remember_me_is_still_set_at_login_and_cleared_at_logout(client, world):
    response = login(client, "resident", remember="y")
    assert any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))
    logout = client.post("/logout")
    cleared = [c for c in logout.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert cleared and ("Max-Age=0" in cleared[0] or "Expires=Thu, 01 Jan 1970" in cleared[0])

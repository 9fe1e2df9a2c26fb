"""The rate limiter checks before a request only where a limit can apply (alliance.rate_limits):
a view's own limits still hold, default limits still hold, and a page with no limit is not
checked at all. After the view, the limiter's headers and conditional deductions still come
where a limit ran, and a page with no limit gets no limiter state."""

from flask import Flask
from flask.globals import request_ctx
from flask_limiter.util import get_remote_address

from alliance.rate_limits import OneTripLimiter, check_only_where_limits_apply


def _site(**limiter_options):
    """A small site with its own limiter (the app's is shared by every app of the suite)."""
    app = Flask(__name__)
    app.limiter_state_left = []

    # Registered before the limiter's: Flask runs teardown hooks last-registered first, so this
    # one sees what the limiter left behind.
    @app.teardown_request
    def note_limiter_state(_exc):
        app.limiter_state_left.append(
            hasattr(request_ctx._get_current_object(), "_limiter_request_context")
        )

    limiter = OneTripLimiter(get_remote_address, storage_uri="memory://", **limiter_options)
    checks = []
    check = limiter._check_request_limit

    def counted(*args, **kwargs):
        checks.append(kwargs.get("in_middleware", True))
        return check(*args, **kwargs)

    limiter._check_request_limit = counted
    limiter.init_app(app)
    check_only_where_limits_apply(app, limiter)

    @app.get("/limited")
    @limiter.limit("1 per minute")
    def limited():
        return "ok"

    @app.get("/free")
    def free():
        return "ok"

    @app.get("/unknown/<int:n>")
    @limiter.limit("2 per minute", deduct_when=lambda response: response.status_code == 404)
    def counted_when_missing(n):
        return ("no such thing", 404) if n else "found"

    return app, checks


def test_a_views_own_limit_holds_and_a_page_without_one_is_not_checked():
    app, checks = _site()
    client = app.test_client()
    assert [client.get("/free").status_code for _ in range(5)] == [200] * 5
    assert checks == []  # nothing before the page: no limit can apply to it
    assert client.get("/limited").status_code == 200
    assert client.get("/limited").status_code == 429


def test_default_limits_still_hold_on_every_page():
    app, _checks = _site(default_limits=["2 per minute"])
    client = app.test_client()
    assert [client.get("/free").status_code for _ in range(3)] == [200, 200, 429]


def test_a_views_limit_still_sends_its_headers_and_a_free_page_builds_no_limiter_state():
    app, _checks = _site(headers_enabled=True)
    client = app.test_client()
    free = client.get("/free")
    assert "X-RateLimit-Limit" not in free.headers
    assert app.limiter_state_left == [False]
    limited = client.get("/limited")
    assert limited.headers["X-RateLimit-Limit"] == "1"
    assert limited.headers["X-RateLimit-Remaining"] == "0"


def test_conditional_deductions_still_count():
    app, _checks = _site()
    client = app.test_client()
    # Only the misses count: found pages do not use up the limit.
    assert [client.get("/unknown/0").status_code for _ in range(3)] == [200] * 3
    assert [client.get("/unknown/1").status_code for _ in range(3)] == [404, 404, 429]

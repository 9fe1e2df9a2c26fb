"""The rate limiter checks before a request only where a limit can apply (alliance.rate_limits):
a view's own limits still hold, default limits still hold, and a page with no limit is not
checked at all."""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from alliance.rate_limits import check_only_where_limits_apply


def _site(**limiter_options):
    """A small site with its own limiter (the app's is shared by every app of the suite)."""
    app = Flask(__name__)
    limiter = Limiter(get_remote_address, storage_uri="memory://", **limiter_options)
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

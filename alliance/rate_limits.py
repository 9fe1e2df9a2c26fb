"""The rate limiter's check before each request, only where a limit can apply.

Flask-Limiter checks every request before its view, even where no limit applies: it resolves
the endpoint's limits, its blueprint's and the application's, and finds none, some 300 Python
calls on every page (5-7% of a list page; bench/RESULTS.md, seventh session). Our limits are
all on views (`@limiter.limit`), and those views check them themselves when called. The check
before the request only matters for limits that apply without a decorator: default,
application-wide and blueprint limits. So it runs when the limiter has any of those.
"""

from flask import Flask
from flask_limiter import Limiter


def check_only_where_limits_apply(app: Flask, limiter: Limiter) -> None:
    """Replace the limiter's check before every request of `app` (after `limiter.init_app`)."""
    hooks = app.before_request_funcs.setdefault(None, [])
    check = limiter._check_request_limit
    if check not in hooks:  # the limiter is off, or does not check on its own
        return
    manager = limiter.limit_manager

    def check_limits_that_apply_here():
        if manager.default_limits or manager.application_limits or manager._blueprint_limits:
            check()

    hooks[hooks.index(check)] = check_limits_that_apply_here

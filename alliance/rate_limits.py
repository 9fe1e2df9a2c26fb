"""The rate limiter's check before each request, only where a limit can apply.

Flask-Limiter checks every request before its view, even where no limit applies: it resolves
the endpoint's limits, its blueprint's and the application's, and finds none, some 300 Python
calls on every page (5-7% of a list page; bench/RESULTS.md, seventh session). Our limits are
all on views (`@limiter.limit`), and those views check them themselves when called. The check
before the request only matters for limits that apply without a decorator: default,
application-wide and blueprint limits. So it runs when the limiter has any of those.

After the view, likewise: the limiter adds its X-RateLimit headers, makes its conditional
deductions (`deduct_when`) and clears its per-request state on every response, building that
state first where no limit ran (1% of a signed-in list page under gunicorn, eighth session).
Where no limit was evaluated there is nothing to add, deduct or clear, so those hooks run only
when this request has the limiter's state.
"""

from functools import partial

from flask import Flask
from flask.globals import request_ctx
from flask_limiter import Limiter

# Flask-Limiter's per-request state, set on the request context by `Limiter.context`.
_LIMITER_STATE = "_limiter_request_context"


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
    _after_view_only_where_a_limit_ran(app, limiter)


def _limiter_ran() -> bool:
    return hasattr(request_ctx._get_current_object(), _LIMITER_STATE)


def _after_view_only_where_a_limit_ran(app: Flask, limiter: Limiter) -> None:
    after = app.after_request_funcs.setdefault(None, [])
    for index, hook in enumerate(after):
        if isinstance(hook, partial) and hook.args == (limiter,):
            inject = hook

            def inject_where_a_limit_ran(response, inject=inject):
                return inject(response) if _limiter_ran() else response

            after[index] = inject_where_a_limit_ran
    teardown = app.teardown_request_funcs.setdefault(None, [])
    release = limiter._Limiter__release_context
    if release in teardown:

        def release_where_a_limit_ran(exc=None):
            if _limiter_ran():
                release(exc)

        teardown[teardown.index(release)] = release_where_a_limit_ran

"""The rate limiter's check before each request, only where a limit can apply; a view's plain
limits counted in one trip to the storage (OneTripLimiter); memory limits without a sweeping
thread (MemoryWithoutTimers).

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

import time
from functools import lru_cache, partial

from flask import Flask
from flask.globals import request_ctx
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.wrappers import Limit, LimitGroup, RequestLimit
from limits import parse_many
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter
from limits.util import WindowStats

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


# Every key's count and seconds left, in one trip: limits' own incr_expire.lua per key, and a
# stop after the first breach as Flask-Limiter's fail_on_first_breach does.
# KEYS: the limits' keys. ARGV: cost, whether to stop at a breach, then per key its expiry and
# amount. Returns count, ttl for each key counted.
_INCR_ALL = """
local cost = tonumber(ARGV[1])
local counted = {}
for i, key in ipairs(KEYS) do
    local current = redis.call("incrby", key, cost)
    if tonumber(current) == cost then
        redis.call("expire", key, ARGV[2 * i + 1])
    end
    counted[#counted + 1] = current
    counted[#counted + 1] = redis.call("ttl", key)
    if ARGV[2] == "1" and tonumber(current) > tonumber(ARGV[2 * i + 2]) then
        break
    end
end
return counted
"""


@lru_cache(maxsize=64)
def _parsed(limit_text: str) -> tuple:
    return tuple(parse_many(limit_text)) if limit_text else ()


def _plain(group: LimitGroup) -> bool:
    """A view's limit with nothing conditional about it: counted on every call, by endpoint."""
    return (
        group.override_defaults
        and group.scope is None
        and group.methods is None
        and group.exempt_when is None
        and group.deduct_when is None
        and group.on_breach is None
        and not group.per_method
        and group.cost in (None, 1)
        and not group.shared
    )


class MemoryWithoutTimers(MemoryStorage):
    """limits' memory storage, with its expired keys swept in passing at most once a second.

    The library's sweeps by a new thread 10 ms after any count, whenever the last one has
    ended: a busy worker started a hundred threads a second and waited for each to start (9% of
    a card verification's time with `make serve`'s memory:// limits; bench/RESULTS.md, tenth
    session). Counts do not depend on the sweep: an expired count is dropped when it is next
    read. Sweeping only frees the memory of keys nobody asks for again.
    """

    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()
        self._next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the thread-starting one
        now = time.time()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


class OneTripLimiter(Limiter):
    """Flask-Limiter, with a view's own limits counted in one trip to the storage.

    For a view with several limits (card verification: per address and per member),
    Flask-Limiter resolves the view's limits anew on every call, counts each limit with its own
    call to the storage and, for the X-RateLimit headers after the view, reads the winning
    limit's count and expiry again: four round trips to Redis for two limits. Where the view's
    limits are plain (fixed window, no exemption, condition, cost, scope or callback), they are
    counted here in one Lua call that returns each count and expiry, and the headers are made
    from those. Anything else, and any trouble with the storage, takes Flask-Limiter's own path,
    which falls back to memory and warns once as before. The keys are Flask-Limiter's own, so
    both paths count the same windows.
    """

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        # Registering computes the script's digest; Redis first sees it at the first count.
        self._incr_all = (
            self._storage.get_connection().register_script(_INCR_ALL)
            if isinstance(self._storage, RedisStorage)
            else None
        )
        # Memory storage, chosen or as the fallback while Redis is away, without its threads.
        if type(self._storage) is MemoryStorage:
            self._storage = MemoryWithoutTimers()
            self._limiter = type(self._limiter)(self._storage)
        if type(getattr(self, "_fallback_storage", None)) is MemoryStorage:
            self._fallback_storage = MemoryWithoutTimers()
            self._fallback_limiter = type(self._fallback_limiter)(self._fallback_storage)

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        groups = None if in_middleware else self._plain_groups(callable_name)
        counted = None if groups is None else self._limits_to_count(groups)
        if not counted:  # not plain, or a case Flask-Limiter has its own answer for
            return super()._check_request_limit(callable_name, in_middleware)
        try:
            windows = self._count_all(counted)
        except Exception:
            # As Flask-Limiter does when its storage fails, without asking the storage again
            # first (a Redis that hangs would hold the request twice as long).
            if self._in_memory_fallback_enabled and not self._storage_dead:
                self.logger.warning(
                    "Rate limit storage unreachable - falling back to in-memory storage"
                )
                self._storage_dead = True
                self.context.seen_limits.clear()
                return super()._check_request_limit(callable_name, in_middleware)
            if self._swallow_errors:
                self.logger.exception("Failed to rate limit. Swallowing error")
                return None
            raise
        self._note_windows(counted, windows)
        return None

    def _limits_to_count(self, groups) -> list | None:
        """(limit, [key, scope], group) of each limit, sorted as Flask-Limiter sorts them; None
        where Flask-Limiter does something else: a static endpoint (exempt), a limit text that
        does not parse (logged and left out), an empty key (skipped), no limit at all (the
        default and blueprint limits apply)."""
        endpoint = self.identify_request()
        if not endpoint or endpoint.rsplit(".", 1)[-1] == "static":
            return None
        counted = []
        for group in groups:
            provider = group.limit_provider
            try:
                items = _parsed(provider() if callable(provider) else provider)
            except ValueError:
                return None
            for item in items:
                key = group.key_function()
                if not key:
                    return None
                counted.append((item, [key, endpoint], group))
        counted.sort(key=lambda entry: entry[0])
        return counted or None

    def _plain_groups(self, callable_name):
        if (
            not callable_name
            or self._storage_dead
            or not (self.enabled and self.initialized)
            or self._meta_limits
            or self._key_prefix
            or self._request_filters
            or self._on_breach
            or type(self._limiter) is not FixedWindowRateLimiter
            or self.limit_manager._route_exemptions.get(callable_name)
        ):
            return None
        groups = self.limit_manager._decorated_limits.get(callable_name)
        if not groups or not all(_plain(group) for group in groups):
            return None
        return groups

    def _count_all(self, counted) -> list[tuple[int, float]]:
        """(count, reset time) per limit counted, in order; fewer after a breach."""
        storage = self._storage
        keys = [item.key_for(*args) for item, args, _group in counted]
        if self._incr_all is not None:
            argv = [1, "1" if self._fail_on_first_breach else "0"]
            for item, _args, _group in counted:
                argv += [item.get_expiry(), item.amount]
            answer = self._incr_all([storage.prefixed_key(key) for key in keys], argv)
            now = time.time()
            return [
                (int(answer[i]), max(int(answer[i + 1]), 0) + now) for i in range(0, len(answer), 2)
            ]
        windows = []
        for key, (item, _args, _group) in zip(keys, counted, strict=True):
            count = storage.incr(key, item.get_expiry())
            windows.append((count, storage.get_expiry(key)))
            if count > item.amount and self._fail_on_first_breach:
                break
        return windows

    def _note_windows(self, counted, windows) -> None:
        """What Flask-Limiter's own check leaves for its headers, or its 429: the headers of
        the last limit breached, the 429 of the first."""
        view_limits = []
        first = last = None
        for (item, args, group), (count, reset) in zip(counted, windows, strict=False):
            request_limit = RequestLimit(self, item, args, count > item.amount, False)
            request_limit._window = WindowStats(reset, max(0, item.amount - count))
            view_limits.append(request_limit)
            if request_limit.breached:
                self.logger.info(
                    "ratelimit %s (%s) exceeded at endpoint: %s", item, args[0], args[1]
                )
                first = first or (request_limit, group)
                last = request_limit
        context = self.context
        context.view_rate_limits = view_limits
        context.view_rate_limit = last or view_limits[0]
        if first:
            request_limit, group = first
            limit = Limit(
                request_limit.limit, group.key_function, None, False, None, group.error_message
            )
            raise RateLimitExceeded(limit)

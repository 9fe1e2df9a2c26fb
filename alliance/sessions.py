"""Flask's signed cookie sessions, with a cookie verified once remembered by its exact text.

Opening the session was a sixth of a signed-in request that did nothing else: a serializer
built anew (itsdangerous JSON-encodes an empty dict to find out what kind it is), then the
cookie's HMAC checked, base64 and zlib undone and its JSON parsed, on every request, for the
same few cookies (bench/RESULTS.md, seventh session). A cookie is valid or not by its text
alone: a text seen valid before is valid again, until the age Flask allows runs out. So each
worker keeps the sessions of cookies it has verified, by the cookie's text, with the time each
was signed. Nobody can make a text that is kept without having been given it: the cookie is
the same secret it was. Only sessions of plain values are kept (a list, such as the queued
flash messages, is changed in place by Flask).
"""

import time

from flask import Flask, Request, g
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

# A kept session is a few hundred bytes: a megabyte or two per worker at most.
LIMIT = 4_096
_PLAIN = (str, int, float, bool, type(None))


class RememberedCookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}
        # (the keys, the cookie's text) → (its session, when it was signed)
        self._verified: dict[tuple, tuple[dict, float]] = {}

    @staticmethod
    def _keys(app: Flask) -> tuple:
        return (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = self._keys(app)
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        text = request.cookies.get(self.get_cookie_name(app))
        if not text:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        key = (self._keys(app), text)
        kept = self._verified.get(key)
        if kept is not None:
            if time.time() - kept[1] <= max_age:
                return self.session_class(kept[0])
            self._verified.pop(key, None)  # another thread may have taken it out
        try:
            data, signed = serializer.loads(text, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(value, _PLAIN) for value in data.values()):
            if len(self._verified) >= LIMIT:
                self._verified.clear()
            self._verified[key] = (data, signed.timestamp())
        return self.session_class(data)


def remember_cookie_only_where_a_user_was_loaded(app: Flask, login_manager) -> None:
    """Run Flask-Login's remember-cookie hook only in requests that loaded, logged in or
    logged out a user.

    The hook looks in the session for the mark that `login_user(remember=True)` and
    `logout_user()` leave there, and since Flask 3.1 merely looking marks the session as used:
    every answer then carries `Vary: Cookie`, and adding it was 2.3% of a card verification's
    instructions (a cashier's token request that has no session; bench/RESULTS.md, eleventh
    session). The mark is put there only by `login_user` and `logout_user`, and both record
    the user in `g._login_user`, as loading `current_user` does; the hook takes the mark out
    before the session is saved, so it never comes back in a cookie. Where no user was
    loaded there is nothing for the hook to do (unless the remember cookie is refreshed on
    every request, which then keeps the hook everywhere).
    """
    hooks = app.after_request_funcs.setdefault(None, [])
    update = login_manager._update_remember_cookie
    if update not in hooks:
        return

    def update_remember_cookie_where_a_user_was_loaded(response):
        if "_login_user" in g or app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
            return update(response)
        return response

    hooks[hooks.index(update)] = update_remember_cookie_where_a_user_was_loaded

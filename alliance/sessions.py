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

from flask import Flask, Request
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

"""The security headers' extension (bound in alliance.security)."""

from types import SimpleNamespace

import flask
from flask_talisman import Talisman
from werkzeug.datastructures import Headers


class SecurityHeaders(Talisman):
    """Flask-Talisman, minus the work it repeats on every request.

    It works out each request's options four times (once per hook) and turns the policy
    dictionary into its header text on every response, though neither changes unless a view
    has options of its own (none here) or a nonce is in use (none: no inline script). Both are
    kept after the first time: per endpoint, and per policy object.

    The headers themselves are the same on every response of a view, but for HSTS, which goes
    only on secure requests. Setting them one by one, each replacing any of its name, and the
    check for https before every request were 1.4% of a card verification's instructions
    (bench/RESULTS.md, eleventh session). So Talisman sets them once on an empty header list,
    per view's options and secure or not; each response then gets that list added at once,
    unless it already has one of those names (a view's own header, which Talisman replaces:
    then Talisman's own path runs) or a nonce is in use.
    """

    def __init__(self, *args, **kwargs):
        self._options_by_endpoint: dict = {}
        self._policy_text: dict = {}
        self._headers_for: dict = {}
        super().__init__(*args, **kwargs)

    def init_app(self, app, **kwargs):
        # What was kept belongs to the last app's settings (the suite binds one extension to
        # many apps).
        self._options_by_endpoint.clear()
        self._policy_text.clear()
        self._headers_for.clear()
        super().init_app(app, **kwargs)
        # What Talisman's check before every request repeats; set once here instead.
        if self.session_cookie_secure and not app.debug:
            app.config["SESSION_COOKIE_SECURE"] = True

    def _get_local_options(self):
        endpoint = flask.request.endpoint
        found = self._options_by_endpoint.get(endpoint)
        if found is None:
            found = self._options_by_endpoint[endpoint] = super()._get_local_options()
        return found

    def _force_https(self):
        if not self._get_local_options()["force_https"]:
            return None
        return super()._force_https()

    def _parse_policy(self, policy):
        if getattr(flask.request, "csp_nonce", None):
            return super()._parse_policy(policy)
        kept = self._policy_text.get(id(policy))
        if kept is None or kept[0] is not policy:
            kept = self._policy_text[id(policy)] = (policy, super()._parse_policy(policy))
        return kept[1]

    def _set_response_headers(self, response):
        request = flask.request
        if getattr(request, "csp_nonce", None):
            return super()._set_response_headers(response)
        # Talisman's own test for HSTS (_set_hsts_headers), read from the environ.
        secure = request.is_secure or request.environ.get("HTTP_X_FORWARDED_PROTO") == "https"
        # A view's options are kept per endpoint (_get_local_options): so are its headers.
        key = (request.endpoint, secure)
        kept = self._headers_for.get(key)
        if kept is None:
            probe = SimpleNamespace(headers=Headers())
            super()._set_response_headers(probe)
            pairs = list(probe.headers.items())
            kept = self._headers_for[key] = (pairs, {name.lower() for name, _value in pairs})
        pairs, names = kept
        headers = response.headers
        if any(name.lower() in names for name, _value in headers):
            return super()._set_response_headers(response)
        headers.extend(pairs)
        return response

"""The security headers' extension (bound in alliance.security)."""

import flask
from flask_talisman import Talisman


class SecurityHeaders(Talisman):
    """Flask-Talisman, minus the work it repeats on every request.

    It works out each request's options four times (once per hook) and turns the policy
    dictionary into its header text on every response, though neither changes unless a view
    has options of its own (none here) or a nonce is in use (none: no inline script). Both are
    kept after the first time: per endpoint, and per policy object.
    """

    def __init__(self, *args, **kwargs):
        self._options_by_endpoint: dict = {}
        self._policy_text: dict = {}
        super().__init__(*args, **kwargs)

    def _get_local_options(self):
        endpoint = flask.request.endpoint
        found = self._options_by_endpoint.get(endpoint)
        if found is None:
            found = self._options_by_endpoint[endpoint] = super()._get_local_options()
        return found

    def _parse_policy(self, policy):
        if getattr(flask.request, "csp_nonce", None):
            return super()._parse_policy(policy)
        kept = self._policy_text.get(id(policy))
        if kept is None or kept[0] is not policy:
            kept = self._policy_text[id(policy)] = (policy, super()._parse_policy(policy))
        return kept[1]

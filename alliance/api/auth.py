"""Bearer-token authentication for the counter API: member staff's cashier tokens."""

from datetime import timedelta

from flask import g, request

from alliance.api import tokens
from alliance.db_types import utcnow
from alliance.errors import json_error

LAST_USED_GRANULARITY = timedelta(minutes=5)


def api_token() -> tokens.TokenGrant | None:
    """The request's token grant (looked up once: the rate limiter's key needs it first)."""
    if "api_token_lookup" not in g:
        header = request.headers.get("Authorization", "")
        raw = header[7:].strip() if header[:7].lower() == "bearer " else None
        g.api_token_lookup = tokens.grant_for(raw)
    return g.api_token_lookup


def authenticate():
    """`before_request` of the counter APIs: 401 without a valid token, 403 for a closed shop."""
    grant = api_token()
    if grant is None or not grant.allowed:
        if grant is not None and not grant.merchant.is_active:
            return json_error(403, "merchant_inactive", "本店已暂停或退出联盟")
        response, status = json_error(401, "unauthorized", "missing or invalid API token")
        response.headers["WWW-Authenticate"] = 'Bearer realm="alliance"'
        return response, status
    now = utcnow()
    if grant.last_used_at is None or now - grant.last_used_at > LAST_USED_GRANULARITY:
        # Written at most every few minutes: verification stays a read-only request.
        tokens.touch_token(grant.id, now)
        g.api_token_touched = True
    g.api_token = grant

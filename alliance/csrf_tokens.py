"""The pages' CSRF token signed once per session token, not once per page.

Flask-WTF signs the session's token anew on every request that shows a form (the layout's
header has three on every signed-in page): a serializer built, then JSON, HMAC and base64, for
the same token each time. With WTF_CSRF_TIME_LIMIT = None a signed token never expires on its
own, so each worker keeps the signed form of every session token it has signed, by the token
itself, which is that session's secret: a token is only ever given to its own session.
"""

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer

# A signed token is about a hundred bytes: well under a megabyte per worker.
LIMIT = 4_096


def csrf_token() -> str:
    """Flask-WTF's generate_csrf, with the signed token kept (see above)."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field not in g and field in session and config.get("WTF_CSRF_TIME_LIMIT") is None:
        raw = session[field]
        secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        kept = current_app.extensions.setdefault("alliance_csrf_tokens", {})
        token = kept.get((secret, raw))
        if token is None:
            if len(kept) >= LIMIT:
                kept.clear()
            signer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
            token = kept[(secret, raw)] = signer.dumps(raw)
        setattr(g, field, token)
    return generate_csrf()

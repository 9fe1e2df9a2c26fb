"""Idempotency keys for operations a client may retry (card redemptions, points exchanges).

As Stripe does it: the client sends a key (e.g. a UUID); the row it creates stores the key
(unique per merchant) and a fingerprint of the request, so a retry with the same key and the
same parameters gets the first answer, and the same key with other parameters is refused.
"""

import hashlib

MAX_KEY_LENGTH = 255


def clean_key(raw: str | None) -> str | None:
    """The key without surrounding blanks, or None when it is missing, too long or not ASCII."""
    key = (raw or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii():
        return None
    return key


def request_fingerprint(*parts) -> str:
    """A stable digest of a request's parameters (the same parts give the same digest)."""
    return hashlib.sha256("\x00".join(str(part) for part in parts).encode()).hexdigest()

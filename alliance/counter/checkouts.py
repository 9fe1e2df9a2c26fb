"""A checkout (核验单): what a valid verification opens, so typing the amount may outlast the
rotating code (valid 30–60 seconds).

The verification answers a `verification_id`: a signed, opaque token naming the card, the member
and the kind of code shown, good for `CHECKOUT_SECONDS`. A redemption or an exchange may send it
in place of the code; it is then for that card at that member only, and the operation that
succeeds uses it up: a row in `counter_checkouts` with the token's nonce, unique, written in the
operation's own transaction. Two operations racing with one token: exactly one writes the row,
the other is refused (409); an operation that fails rolls back and leaves the token unused.

Verifying writes nothing (the verification endpoint is the counter's hottest path); only a use
does. The card is judged again at use (a card lost meanwhile is refused), except the rotating
code's time step, which is what the checkout is for.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, Serializer, URLSafeSerializer
from itsdangerous.encoding import base64_encode
from sqlalchemy.exc import IntegrityError

from alliance.counter import services
from alliance.counter.models import Checkout
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l

CHECKOUT_SECONDS = 300
MAX_ID_LENGTH = 200
_SALT = "counter-checkout"


class CheckoutError(DomainError):
    code = "verification_invalid"
    status = 422


@dataclass(frozen=True)
class Opened:
    """A checkout as issued: its id for the client and when it ends."""

    verification_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Claim:
    """What a verification id says, once its signature and age are checked."""

    nonce: str
    card_id: int
    merchant_id: int
    code_type: str
    issued_at: datetime

    @property
    def expires_at(self) -> datetime:
        return self.issued_at + timedelta(seconds=CHECKOUT_SECONDS)


def _serializer() -> URLSafeSerializer:
    return _serializer_for(current_app.secret_key)


class UncompressedSerializer(URLSafeSerializer):
    """itsdangerous' URL-safe serializer without its try at zlib: the payload is compressed
    only when that makes it shorter, which a random nonce in 70 bytes almost never allows
    (a review found 2 in 28,600 ids, where the numbers repeat digits), and the try (a deflate
    state built and dropped) was 3.2% of a verification's instructions (bench/RESULTS.md,
    eleventh session). So an id is the same text as before, or in those rare cases a few
    characters longer and uncompressed; both load, and one that was compressed still loads."""

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))  # the JSON, as bytes


@cache
def _serializer_for(secret_key) -> URLSafeSerializer:
    # One per key: building one encodes a test payload to learn its kind, every time.
    return UncompressedSerializer(secret_key, salt=_SALT)


def _invalid() -> CheckoutError:
    return CheckoutError(_l("核验编号无效，请重新扫码。"), code="verification_invalid")


def open_checkout(
    card_id: int, merchant_id: int, code_type: str, now: datetime | None = None
) -> Opened:
    """The verification id for a valid card verified at a member (writes nothing)."""
    issued = int((now or utcnow()).timestamp())
    payload = {
        "n": secrets.token_urlsafe(12),
        "c": card_id,
        "m": merchant_id,
        "t": code_type,
        "i": issued,
    }
    expires = datetime.fromtimestamp(issued, UTC) + timedelta(seconds=CHECKOUT_SECONDS)
    return Opened(_serializer().dumps(payload), expires)


def read_claim(verification_id, merchant_id: int, now: datetime | None = None) -> Claim:
    """The claim of a verification id for this member, or CheckoutError (expired, foreign)."""
    if not isinstance(verification_id, str) or not 0 < len(verification_id) <= MAX_ID_LENGTH:
        raise _invalid()
    try:
        payload = _serializer().loads(verification_id)
        claim = Claim(
            str(payload["n"]),
            int(payload["c"]),
            int(payload["m"]),
            str(payload["t"]),
            datetime.fromtimestamp(int(payload["i"]), UTC),
        )
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError):
        raise _invalid() from None
    if claim.merchant_id != merchant_id:
        raise _invalid()  # another member's checkout opens nothing here
    if (now or utcnow()) >= claim.expires_at:
        raise CheckoutError(_l("核验已超过5分钟，请重新扫码。"), code="verification_expired")
    return claim


def use_up(claim: Claim, now: datetime | None = None) -> None:
    """Mark the checkout used, inside the operation's transaction: the unique nonce lets
    exactly one of several racing operations through (the caller has taken the write lock)."""
    now = now or utcnow()
    row = Checkout(
        public_id=claim.nonce[:32],
        card_id=claim.card_id,
        merchant_id=claim.merchant_id,
        code_type=claim.code_type,
        created_at=claim.issued_at,
        expires_at=claim.expires_at,
        used_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise CheckoutError(
            _l("这次核验已经用过了，请重新扫码。"), code="verification_used", status=409
        ) from None


def verify_for_operation(
    merchant,
    *,
    raw_code,
    verification_id,
    now: datetime,
    with_offers: bool = True,
) -> tuple[services.Verification, Claim | None]:
    """The verdict an operation acts on: from the open checkout when it names one, else from
    the code; with the claim to use up when the operation succeeds."""
    if verification_id is not None:
        claim = read_claim(verification_id, merchant.id, now)
        result = services.verify_checkout(
            claim.card_id, claim.code_type, merchant, now=now, with_offers=with_offers
        )
        return result, claim
    return services.verify(raw_code, merchant, now=now, with_offers=with_offers), None


def source_fingerprint(raw_code, verification_id) -> str:
    """What an idempotency fingerprint takes for the card: the code, or the checkout."""
    return raw_code if verification_id is None else f"checkout:{verification_id}"

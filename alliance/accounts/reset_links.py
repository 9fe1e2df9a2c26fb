"""Reset links: a secretary makes a one-time link for a person who forgot their password."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from alliance.accounts.models import PasswordReset, User
from alliance.accounts.services import AccountError
from alliance.communities.services import can_administer
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.extensions import db

RESET_PURPOSE = "password_reset"
RESET_VALID_FOR = timedelta(hours=24)


class ResetLinkInvalid(AccountError):
    """`reason` is "unknown", "used" (or replaced by a newer link) or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_reset_password_of(actor: User, person: User) -> bool:
    """A secretary for people of their community; a street officer for their office's people."""
    return (
        person.community is not None
        and person.closed_at is None
        and person.id != actor.id
        and can_administer(actor, person.community)
    )


def create_reset_link(person: User, *, by: User) -> str:
    """Make a one-time token for `person` (valid 24 h); earlier unused links stop working.

    Returns the token, to be shown once. Only its hash is stored.
    """
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == person.id,
            PasswordReset.purpose == RESET_PURPOSE,
            PasswordReset.used_at.is_(None),
            PasswordReset.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            token_hash=_digest(token),
            purpose=RESET_PURPOSE,
            user_id=person.id,
            community_id=person.community_id,
            created_by_id=by.id,
            created_at=now,
            expires_at=now + RESET_VALID_FOR,
        )
    )
    db.session.flush()
    return token


def find_reset(token: str) -> PasswordReset:
    """The link's record if it can still be used; ResetLinkInvalid says why not."""
    if not token or len(token) > 100:
        raise ResetLinkInvalid("unknown")
    reset = db.session.scalars(
        select(PasswordReset).where(
            PasswordReset.token_hash == _digest(token), PasswordReset.purpose == RESET_PURPOSE
        )
    ).first()
    if reset is None or reset.user.closed_at is not None:
        raise ResetLinkInvalid("unknown")
    if reset.used_at is not None or reset.revoked_at is not None:
        raise ResetLinkInvalid("used")
    if reset.expires_at <= utcnow():
        raise ResetLinkInvalid("expired")
    return reset


def use_reset_link(token: str, new_password: str) -> User:
    """Set the new password and spend the link; every session of the person ends.

    Two requests with the same link cannot both succeed: the link is spent by one conditional
    UPDATE under the write lock.
    """
    lock_for_write()
    reset = find_reset(token)
    now = utcnow()
    spent = db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.id == reset.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.revoked_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise ResetLinkInvalid("used")
    user = reset.user
    user.set_password(new_password)  # a new login_token: every session and remember cookie ends
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    return user


def export_resets(user: User) -> list[dict]:
    """The person's reset links, for their data download."""
    resets = db.session.scalars(
        select(PasswordReset).where(PasswordReset.user_id == user.id).order_by(PasswordReset.id)
    )
    return [
        {
            "created_at": _iso(r.created_at),
            "expires_at": _iso(r.expires_at),
            "used_at": _iso(r.used_at),
        }
        for r in resets
    ]


def _iso(value):
    return value.isoformat() if value is not None else None

"""Account security and personal data: reset links, data export, closing an account.

Domains plug into the personal-data pieces from their own modules:

    from alliance.accounts.security import account_closure_hook, personal_data_exporter

    @personal_data_exporter("volunteer")          # a section of /me/data
    def export_volunteer(user):
        profile = ...
        return None if profile is None else {"joined_on": profile.joined_on.isoformat(), ...}

    @account_closure_hook                          # runs inside close_account(), before erasure
    def erase_volunteer_fields(user):
        ...  # blank this domain's personal columns about `user`; keep ledgers, redemptions

An exporter returns JSON-serialisable data (or None to leave its section out). Make sure the
module holding it is imported at start-up (e.g. from the domain's views module).
"""

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from alliance.accounts.models import PasswordReset, Role, User
from alliance.accounts.services import AccountError
from alliance.audit.models import AuditEntry
from alliance.communities.services import can_administer
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.extensions import db

RESET_PURPOSE = "password_reset"
RESET_VALID_FOR = timedelta(hours=24)
CLOSED_DISPLAY_NAME = "已注销用户"
# Unusable by construction: werkzeug's check_password_hash() is False for it.
UNUSABLE_PASSWORD = "!closed"
ERASED = "***"
PERSONAL_USER_FIELDS = ("display_name", "phone", "username")


class ResetLinkInvalid(AccountError):
    """`reason` is "unknown", "used" (or replaced by a newer link) or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class WrongPassword(AccountError):
    pass


# Reset links ------------------------------------------------------------------------------------


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


# Personal data export ---------------------------------------------------------------------------

_EXPORTERS: dict[str, Callable[[User], Any]] = {}
_CLOSURE_HOOKS: list[Callable[[User], None]] = []


def personal_data_exporter(section: str):
    """Register `fn(user) -> data` as a section of the person's data download."""

    def register(fn: Callable[[User], Any]):
        if section in _EXPORTERS and _EXPORTERS[section] is not fn:
            raise ValueError(f"personal data section {section!r} is registered twice")
        _EXPORTERS[section] = fn
        return fn

    return register


def account_closure_hook(fn: Callable[[User], None]):
    """Register `fn(user)` to erase a domain's personal fields when the person closes the account."""
    if fn not in _CLOSURE_HOOKS:
        _CLOSURE_HOOKS.append(fn)
    return fn


def _iso(value):
    return value.isoformat() if value is not None else None


@personal_data_exporter("password_resets")
def _export_password_resets(user: User):
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


def export_personal_data(user: User) -> dict:
    """Everything the platform holds about `user`, as JSON-ready data."""
    data: dict[str, Any] = {
        "format": "alliance-personal-data/1",
        "exported_at": _iso(utcnow()),
        "profile": {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "phone": user.phone,
            "community": user.community.name if user.community else None,
            "street_office": user.street_office.name if user.street_office else None,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "roles": [
            {"role": grant.role, "label": Role(grant.role).label, "since": _iso(grant.created_at)}
            for grant in sorted(user.role_grants, key=lambda g: g.id)
        ],
    }
    for section, exporter in sorted(_EXPORTERS.items()):
        value = exporter(user)
        if value is not None:
            data[section] = value
    return data


# Closing an account -----------------------------------------------------------------------------


def close_account(user: User, password: str) -> None:
    """Erase the person's personal fields and end every session; rows elsewhere stay.

    Ledgers, redemptions, orders and audit lines keep pointing at the user row, which now
    carries no name, phone or login: they are anonymised through it. Audit snapshots of the
    person's own name, phone and username are blanked too.
    """
    if not user.check_password(password):
        raise WrongPassword()
    for hook in list(_CLOSURE_HOOKS):
        hook(user)
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(revoked_at=now)
    )
    user.display_name = CLOSED_DISPLAY_NAME
    user.phone = None
    user.username = _closed_username()
    user.set_password(secrets.token_urlsafe(16))  # rotates login_token: sessions end
    user.password_hash = UNUSABLE_PASSWORD
    user.active = False
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = None
    user.closed_at = now
    user.role_grants.clear()
    db.session.flush()
    _blank_audit_snapshots(user.id)


def _closed_username() -> str:
    while True:
        candidate = "closed-" + secrets.token_hex(6)
        if db.session.scalar(select(User.id).where(User.username == candidate)) is None:
            return candidate


def _blank_audit_snapshots(user_id: int) -> None:
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "User", AuditEntry.object_id == user_id)
    )
    for entry in entries:
        for attr in ("before", "after"):
            snapshot = getattr(entry, attr)
            if snapshot and any(k in snapshot for k in PERSONAL_USER_FIELDS):
                setattr(
                    entry,
                    attr,
                    {k: (ERASED if k in PERSONAL_USER_FIELDS else v) for k, v in snapshot.items()},
                )
    db.session.flush()

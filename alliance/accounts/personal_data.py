"""The person's own data: the download (`/me/data`) and closing the account (PIPL art. 45, 47).

Each domain adds its sections and its erasure step through `alliance.hooks`
(`export_personal_data`, `close_account`); this module owns the profile and the user row.
"""

import secrets
from typing import Any

from sqlalchemy import select, update

from alliance import hooks
from alliance.accounts.models import PasswordReset, Role, User
from alliance.accounts.services import AccountError
from alliance.audit.models import AuditEntry
from alliance.db_types import utcnow
from alliance.extensions import db

CLOSED_DISPLAY_NAME = "已注销用户"
# Unusable by construction: werkzeug's check_password_hash() is False for it.
UNUSABLE_PASSWORD = "!closed"
ERASED = "***"
PERSONAL_USER_FIELDS = ("display_name", "phone", "username")


class WrongPassword(AccountError):
    pass


def _iso(value):
    return value.isoformat() if value is not None else None


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
    sections: dict[str, Any] = {}
    for domain in hooks.all_hooks():
        if domain.export_personal_data is not None:
            sections.update(domain.export_personal_data(user))
    data.update(sorted(sections.items()))
    return data


def close_account(user: User, password: str) -> None:
    """Erase the person's personal fields and end every session; rows elsewhere stay.

    Ledgers, redemptions, orders and audit lines keep pointing at the user row, which now
    carries no name, phone or login: they are anonymised through it. Audit snapshots of the
    person's own name, phone and username are blanked too.
    """
    if not user.check_password(password):
        raise WrongPassword()
    for domain in hooks.all_hooks():
        if domain.close_account is not None:
            domain.close_account(user)
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

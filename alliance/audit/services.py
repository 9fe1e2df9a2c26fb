"""The audit log: every change a secretary or street officer makes, with before and after.

Mapper hooks record every row a flush writes, so no view can forget to audit.
The entries are written on the same connection, inside the same transaction: a rolled-back
request leaves no audit line behind, and a committed one always has its line.
"""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import g, has_app_context, has_request_context
from flask_login import current_user
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Mapper

from alliance.accounts.models import ADMIN_ROLES, User
from alliance.audit.models import AuditEntry
from alliance.db_types import utcnow
from alliance.extensions import db

REDACTED = "***"


@contextmanager
def acting_as(user: User | None):
    """Attribute changes made outside a request (CLI, jobs) to a person."""
    previous = g.get("audit_actor")
    g.audit_actor = user
    try:
        yield
    finally:
        g.audit_actor = previous


def _actor() -> User | None:
    actor = g.get("audit_actor") if has_app_context() else None
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if actor is None or not actor.has_role(*ADMIN_ROLES):
        return None
    return actor


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _snapshot(obj, attrs=None) -> dict:
    mapper = inspect(obj).mapper
    redact = getattr(obj, "__audit_redact__", frozenset())
    out = {}
    for col in mapper.column_attrs:
        if attrs is not None and col.key not in attrs:
            continue
        out[col.key] = REDACTED if col.key in redact else _plain(getattr(obj, col.key))
    return out


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    redact = getattr(obj, "__audit_redact__", frozenset())
    ignore = getattr(obj, "__audit_ignore__", frozenset())
    before, after = {}, {}
    for col in state.mapper.column_attrs:
        if col.key in ignore:
            continue
        hist = state.attrs[col.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if col.key in redact:
            old = new = REDACTED
        before[col.key], after[col.key] = _plain(old), _plain(new)
    return before, after


def _primary_key(obj) -> int | None:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return key[0] if len(key) == 1 and isinstance(key[0], int) else None


def _community_of(obj, actor: User) -> int | None:
    from alliance.communities.models import Community

    if isinstance(obj, Community):
        return obj.id
    return getattr(obj, "community_id", None) or actor.community_id


def _row(obj, action: str, actor: User) -> dict | None:
    if isinstance(obj, AuditEntry) or getattr(obj, "__audit_skip__", False):
        return None
    if action == "create":
        before, after = None, _snapshot(obj)
    elif action == "delete":
        before, after = _snapshot(obj), None
    else:
        before, after = _changes(obj)
        if not after:
            return None
    return dict(
        created_at=utcnow(),
        actor_id=actor.id,
        community_id=_community_of(obj, actor),
        street_office_id=actor.street_office_id,
        action=action,
        object_type=type(obj).__name__,
        object_id=_primary_key(obj),
        before=before,
        after=after,
    )


def _listener(action: str):
    # Mapper events see every row a flush writes, cascaded orphan deletes included.
    def record(mapper, connection, obj) -> None:
        actor = _actor()
        if actor is None:
            return
        row = _row(obj, action, actor)
        if row:
            connection.execute(insert(AuditEntry.__table__), row)

    return record


for _event, _action in (
    ("after_insert", "create"),
    ("after_update", "update"),
    ("after_delete", "delete"),
):
    event.listen(Mapper, _event, _listener(_action))


def record_action(
    obj,
    *,
    actor: User,
    action: str,
    before: dict | None,
    after: dict | None,
    at: datetime | None = None,
) -> None:
    """One audit line for a change the mapper hooks cannot see (a conditional core UPDATE),
    whoever made it: a member's staff voiding a redemption is audited like a secretary."""
    record_lines(
        [
            line(
                type(obj).__name__,
                _primary_key(obj),
                actor=actor,
                community_id=getattr(obj, "community_id", None) or actor.community_id,
                action=action,
                before=before or {},
                after=after or {},
                at=at,
            )
        ]
    )


def line(
    object_type: str,
    object_id: int | None,
    *,
    actor: User,
    community_id: int | None,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    at: datetime | None = None,
) -> dict:
    """An audit line for `record_lines`: `at` is when it happened (default now); bulk work
    (the demo's story, imports) records what was done at the time it was done."""
    return dict(
        created_at=at or utcnow(),
        actor_id=actor.id,
        community_id=community_id or actor.community_id,
        street_office_id=actor.street_office_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=None if before is None else {k: _plain(v) for k, v in before.items()},
        after=None if after is None else {k: _plain(v) for k, v in after.items()},
    )


def record_lines(lines: list[dict]) -> None:
    """Write lines made by `line()`, in one statement."""
    if lines:
        db.session.execute(insert(AuditEntry.__table__), lines)


def entries_for(community_id: int):
    return (
        select(AuditEntry)
        .where(AuditEntry.community_id == community_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


__all__ = ["acting_as", "entries_for", "line", "record_action", "record_lines", "db"]

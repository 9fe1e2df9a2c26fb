"""Tell people things.

    from alliance.notifications.services import notify

    notify(user_ids, "volunteer.approved", {"name": profile.name},
           link="/me/card", community_id=profile.community_id)

`notify(recipients, kind, params=None, *, link="", community_id=None, urgent=False, skip=None)`
adds one inbox row per distinct recipient (ids or User objects; None and `skip`, usually the
actor, left out) and one SMS outbox row per recipient who gets the kind by SMS: the person's
choice for the kind, else the kind's default (`urgent` kinds, or `urgent=True` for this one
message). It returns how many people were told. Like every service it never commits: the rows
belong to the caller's transaction, and the SMS rows are handed to the worker once it commits
(alliance/notifications/outbox.py). `kind` must be registered (alliance/notifications/kinds.py);
`params` must be JSON values (strings, numbers), rendered in the reader's language when read.
"""

from collections.abc import Iterable, Mapping

from sqlalchemy import func, insert, select, update

from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.notifications.kinds import KINDS, ordered_kinds
from alliance.notifications.models import Notification, NotificationPreference


class UnknownKind(ValueError):
    pass


def _ids(recipients: Iterable, skip) -> list[int]:
    skip_id = getattr(skip, "id", skip)
    ids = (getattr(r, "id", r) for r in recipients)
    return [i for i in dict.fromkeys(ids) if i is not None and i != skip_id]


def channels_for(user_ids: list[int], kind_name: str, *, urgent: bool = False):
    """(ids told in the inbox, ids told by SMS) for one kind, preferences applied."""
    kind = KINDS[kind_name]
    chosen = (
        {
            p.user_id: p
            for p in db.session.scalars(
                select(NotificationPreference).where(
                    NotificationPreference.kind == kind_name,
                    NotificationPreference.user_id.in_(user_ids),
                )
            )
        }
        if user_ids
        else {}
    )
    inbox, sms = [], []
    for uid in user_ids:
        pref = chosen.get(uid)
        if pref is None or pref.inbox:
            inbox.append(uid)
        if pref.sms if pref is not None else (kind.urgent or urgent):
            sms.append(uid)
    return inbox, sms


def notify(
    recipients: Iterable,
    kind: str,
    params: Mapping | None = None,
    *,
    link: str = "",
    community_id: int | None = None,
    urgent: bool = False,
    skip=None,
) -> int:
    if kind not in KINDS:
        raise UnknownKind(kind)
    ids = _ids(recipients, skip)
    if not ids:
        return 0
    params = dict(params or {})
    inbox, sms = channels_for(ids, kind, urgent=urgent)
    add_inbox_rows(inbox, kind, params, link=link, community_id=community_id)
    if sms:
        from alliance.notifications.outbox import queue_sms

        queue_sms(sms, kind, params, link=link, community_id=community_id)
    return len(ids)


def add_inbox_rows(user_ids, kind: str, params: dict, *, link: str, community_id) -> None:
    if not user_ids:
        return
    now = utcnow()
    rows = [
        dict(
            user_id=uid,
            kind=kind,
            params=params,
            link=link[:200],
            community_id=community_id,
            created_at=now,
        )
        for uid in user_ids
    ]
    db.session.execute(insert(Notification), rows)


def unread_count_of(user_id_column):
    """The unread count as a subquery, for a statement that loads the user anyway."""
    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == user_id_column, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(unread_count_of(user_id))) or 0


def inbox_query(user_id: int):
    return (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or every) unread notification of this user read; returns rows changed."""
    stmt = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount


def preferences_of(user_id: int) -> list[dict]:
    """Every choosable kind with this person's channels (their choice, else the default)."""
    chosen = {
        p.kind: p
        for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    rows = []
    for kind in ordered_kinds():
        pref = chosen.get(kind.name)
        rows.append(
            dict(
                kind=kind,
                inbox=pref.inbox if pref else True,
                sms=pref.sms if pref else kind.urgent,
            )
        )
    return rows


def set_preferences(user_id: int, choices: Mapping[str, tuple[bool, bool]]) -> None:
    """choices: kind name -> (inbox, sms). Unknown kinds are ignored."""
    existing = {
        p.kind: p
        for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    for name, (inbox, sms) in choices.items():
        if name not in KINDS or name == "text":
            continue
        pref = existing.get(name)
        if pref is None:
            pref = NotificationPreference(user_id=user_id, kind=name)
            db.session.add(pref)
        pref.inbox, pref.sms = bool(inbox), bool(sms)

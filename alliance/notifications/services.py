"""Tell people things: notify() adds rows (the caller commits), the inbox reads them."""

from collections.abc import Iterable

from sqlalchemy import func, select, update

from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.notifications.models import Notification


def notify(
    user_ids: Iterable[int | None],
    title: str,
    *,
    body: str = "",
    link: str = "",
    community_id: int | None = None,
    skip: int | None = None,
) -> int:
    """One notification per distinct user (None and `skip`, usually the actor, left out)."""
    ids = [i for i in dict.fromkeys(user_ids) if i is not None and i != skip]
    for user_id in ids:
        db.session.add(
            Notification(
                user_id=user_id,
                title=str(title)[:120],
                body=str(body),
                link=link,
                community_id=community_id,
            )
        )
    return len(ids)


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

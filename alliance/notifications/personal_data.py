"""Personal data: the inbox section of /me/data, and account closure (the inbox goes)."""

from sqlalchemy import delete, select

from alliance.extensions import db
from alliance.notifications.models import Notification


def export(user) -> dict:
    rows = list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )
    if not rows:
        return {}
    return {
        "inbox": [
            {
                "title": n.title,
                "body": n.body,
                "at": n.created_at.isoformat(),
                "read": n.read_at is not None,
            }
            for n in rows
        ]
    }


def erase(user) -> None:
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))

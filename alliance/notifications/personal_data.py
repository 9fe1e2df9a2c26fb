"""Personal data: the inbox and SMS sections of /me/data; on account closure the inbox goes and
the SMS rows keep only their state (number and text blanked, so the outbox counts stay)."""

from sqlalchemy import delete, select

from alliance.extensions import db
from alliance.notifications.models import Notification, OutboxMessage
from alliance.personal import erase_personal


def export(user) -> dict:
    data = {}
    inbox = list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )
    if inbox:
        data["inbox"] = [
            {
                "title": n.title,
                "body": n.body,
                "at": n.created_at.isoformat(),
                "read": n.read_at is not None,
            }
            for n in inbox
        ]
    sms = db.session.execute(
        select(OutboxMessage.address, OutboxMessage.text, OutboxMessage.state)
        .add_columns(OutboxMessage.created_at)
        .where(OutboxMessage.user_id == user.id)
        .order_by(OutboxMessage.id)
    ).all()
    if sms:
        data["sms"] = [
            {"to": address, "text": text, "state": state, "at": at.isoformat()}
            for address, text, state, at in sms
        ]
    return data


def erase(user) -> None:
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    erase_personal(OutboxMessage, user.id)

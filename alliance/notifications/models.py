"""Notifications: the inbox row, each outgoing message (the outbox), preferences, broadcasts."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.personal import not_personal, personal


class Notification(db.Model):
    """One person told one thing: a kind and its parameters, rendered when it is read."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)
    # A notification is a consequence of an audited change, not a change of its own.
    __audit_skip__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(String(60), default="text")
    params: Mapped[dict] = mapped_column(JSON, default=dict, info=personal("user_id", "inbox"))
    link: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def title(self) -> str:
        from alliance.notifications.kinds import get_kind

        return get_kind(self.kind).render_title(self.params)

    @property
    def body(self) -> str:
        from alliance.notifications.kinds import get_kind

        return get_kind(self.kind).render_body(self.params)


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    GIVEN_UP = "given_up"

    @property
    def label(self) -> str:
        return str(OUTBOX_STATE_LABELS[self])


OUTBOX_STATE_LABELS = {
    OutboxState.QUEUED: _l("排队中"),
    OutboxState.SENDING: _l("发送中"),
    OutboxState.SENT: _l("已发送"),
    OutboxState.FAILED: _l("失败待重试"),
    OutboxState.GIVEN_UP: _l("已放弃"),
}


class OutboxMessage(db.Model):
    """One message to go out through a channel other than the inbox (SMS).

    Written in the same transaction as the change that caused it, so a broker that is down
    loses nothing: the sweeper hands queued rows to the worker later. A send is claim (a
    conditional UPDATE to `sending`), then the provider call, then the mark (`sent`/`failed`).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_state_due", "state", "not_before"),
        Index("ix_outbox_messages_community_state", "community_id", "state"),
    )
    __audit_skip__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="sms")
    kind: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(20), info=personal("user_id", "sms"))
    text: Mapped[str] = mapped_column(Text, info=personal("user_id", "sms"))
    state: Mapped[str] = mapped_column(String(12), default=OutboxState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_answer: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def state_label(self) -> str:
        return OutboxState(self.state).label


class NotificationPreference(db.Model):
    """A person's choice of channels for one kind; no row means the kind's defaults."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),
    )
    __audit_skip__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    inbox: Mapped[bool] = mapped_column(Boolean, default=True)
    sms: Mapped[bool] = mapped_column(Boolean, default=False)


class Broadcast(db.Model):
    """A secretary's message to an audience; the worker fans it out into rows."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_community_created", "community_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    audience: Mapped[str] = mapped_column(String(20))
    audience_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text, default="")
    inbox: Mapped[bool] = mapped_column(Boolean, default=True)
    sms: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    # queued (the row exists, the worker has not fanned it out) -> fanned_out
    state: Mapped[str] = mapped_column(String(12), default="queued")
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    sms_total: Mapped[int] = mapped_column(Integer, default=0)
    skipped_phone: Mapped[int] = mapped_column(
        Integer, default=0, info=not_personal("a count of recipients without a mainland mobile")
    )
    skipped_sms_off: Mapped[int] = mapped_column(Integer, default=0)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

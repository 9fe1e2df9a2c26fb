"""In-app notifications (收件箱): one row per person told about something."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.personal import personal


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)
    # A notification is a consequence of an audited change, not a change of its own.
    __audit_skip__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    title: Mapped[str] = mapped_column(String(120), info=personal("user_id", "inbox"))
    body: Mapped[str] = mapped_column(Text, default="", info=personal("user_id", "inbox"))
    link: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

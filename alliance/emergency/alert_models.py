"""Warnings (预警): an alert relayed to the community, and each person's acknowledgement."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l


class AlertState(StrEnum):
    PENDING = "pending"  # written, waiting for a second person's approval
    RELAYED = "relayed"

    @property
    def label(self) -> str:
        return str(ALERT_STATE_LABELS[self])


ALERT_STATE_LABELS = {AlertState.PENDING: _l("待审核"), AlertState.RELAYED: _l("已发布")}


class EmergencyAlert(db.Model):
    """A warning (预警): imported from an official CAP 1.2 document, or written by the secretary
    and approved by a second person; published as CAP 1.2 once relayed."""

    __tablename__ = "emergency_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))  # "cap" or "written"
    state: Mapped[str] = mapped_column(String(8), default=AlertState.PENDING)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    # The official alert this one relays: "sender,identifier,sent" (CAP `references`).
    references: Mapped[str] = mapped_column(String(400), default="")
    imported_identifier: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16), default="Met")
    event: Mapped[str] = mapped_column(String(100))
    urgency: Mapped[str] = mapped_column(String(12))
    severity: Mapped[str] = mapped_column(String(12))
    certainty: Mapped[str] = mapped_column(String(12))
    headline: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    instruction: Mapped[str] = mapped_column(Text, default="")
    area_desc: Mapped[str] = mapped_column(String(400))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))

    community: Mapped["Community"] = relationship()  # noqa: F821
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821

    @property
    def relayed(self) -> bool:
        return self.state == AlertState.RELAYED


class AckAnswer(StrEnum):
    RECEIVED = "received"
    SAFE = "safe"
    HELP = "help"

    @property
    def label(self) -> str:
        return str(ACK_LABELS[self])


ACK_LABELS = {
    AckAnswer.RECEIVED: _l("收到"),
    AckAnswer.SAFE: _l("我安全"),
    AckAnswer.HELP: _l("需要帮助"),
}


class AlertAck(db.Model):
    """A recipient's acknowledgement (回执); "需要帮助" opens an urgent order."""

    __tablename__ = "emergency_alert_acks"
    __table_args__ = (UniqueConstraint("alert_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_alerts.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(8))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id"))

    @property
    def answer_label(self) -> str:
        return AckAnswer(self.answer).label

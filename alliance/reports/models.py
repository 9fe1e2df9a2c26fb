"""A community's monthly report once its secretary has submitted it to the street office.

The figures are not stored: they are computed from the records whenever the report is read
(alliance.dashboard.figures), so a correction made later shows in it. The row records who
submitted which month, when, and the secretary's remarks.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.personal import not_personal


class MonthlyReport(db.Model):
    __tablename__ = "monthly_reports"
    __table_args__ = (UniqueConstraint("community_id", "month", name="uq_monthly_reports_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-10", local
    remarks: Mapped[str] = mapped_column(
        Text,
        default="",
        info=not_personal("the community's work summary, written for the street office"),
    )
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

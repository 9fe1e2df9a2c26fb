"""Star levels reached (星级), one row per volunteer and level, for recognition.

A row is written the first time confirmed hours reach a level; it is never taken back (hours
are permanent). `recognised_at` is set when the secretary has honoured it at a meeting.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.stars.levels import name_of


class StarAward(db.Model):
    __tablename__ = "star_awards"
    __table_args__ = (
        UniqueConstraint("user_id", "level", name="uq_star_awards_user_level"),
        CheckConstraint("level >= 1 AND level <= 5", name="star_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    # Confirmed minutes when the level was reached (the hours that earned it).
    minutes: Mapped[int] = mapped_column(Integer)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    recognised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recognised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821

    @property
    def name(self) -> str:
        return name_of(self.level)

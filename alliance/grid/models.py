"""A visit (走访) a grid worker records: where, when, and what they found."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.personal import not_personal

# The households visited usually have no account here: no closure reaches them; the notes are
# the grid's work record, shown only to the grid worker and the community's secretaries.
VISITED = not_personal("a household or shop of the grid, noted by the grid worker")


class GridVisit(db.Model):
    __tablename__ = "grid_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(120), info=VISITED)
    note: Mapped[str] = mapped_column(Text, default="", info=VISITED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

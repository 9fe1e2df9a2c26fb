"""A visit (走访) a grid worker records: where, when, and what they found."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


# A business outside the alliance usually has no account here: no closure reaches it. Its
# contact person's phone is shown whole only to the grid's worker (others see it masked).
BUSINESS_CONTACT = not_personal("a non-member business of the grid, noted by the grid worker")


class GridBusiness(db.Model):
    """A business in a grid that is not an alliance member (the grid worker's register)."""

    __tablename__ = "grid_businesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(200), default="", info=BUSINESS_CONTACT)
    contact_name: Mapped[str] = mapped_column(String(40), default="", info=BUSINESS_CONTACT)
    contact_phone: Mapped[str | None] = mapped_column(String(11), info=BUSINESS_CONTACT)
    # Retired (closed or moved away): kept for the orders that name it, off the grid's list.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grid: Mapped["Grid"] = relationship()  # noqa: F821

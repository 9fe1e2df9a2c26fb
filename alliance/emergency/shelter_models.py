"""Shelters (安置点) and transfers (转移): occupancy is counted from check-ins, never typed."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.personal import not_personal


class Shelter(db.Model):
    __tablename__ = "emergency_shelters"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    place: Mapped[str] = mapped_column(String(120), default="")
    capacity: Mapped[int] = mapped_column(default=0)
    contact_phone: Mapped[str] = mapped_column(
        String(20), default="", info=not_personal("the shelter's public duty phone")
    )
    offers: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Transfer(db.Model):
    """People of one household (or a group) moved to a shelter, checked in, and returned."""

    __tablename__ = "emergency_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("emergency_shelters.id"), index=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("emergency_responses.id"), index=True
    )
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("emergency_households.id", ondelete="SET NULL"), index=True
    )
    people: Mapped[int] = mapped_column()
    from_place: Mapped[str] = mapped_column(String(120), default="")
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    over_capacity: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shelter = relationship(Shelter)
    household = relationship("Household")
    moved_by = relationship("User")

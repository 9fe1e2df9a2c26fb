from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db


class StreetOffice(db.Model):
    __tablename__ = "street_offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    communities: Mapped[list["Community"]] = relationship(
        back_populates="street_office", order_by="Community.id"
    )


class Community(db.Model):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    street_office_id: Mapped[int] = mapped_column(ForeignKey("street_offices.id"), index=True)
    # Public short code: card-number prefix and Open311 jurisdiction_id.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    district: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    street_office: Mapped[StreetOffice] = relationship(back_populates="communities")
    estates: Mapped[list["Estate"]] = relationship(back_populates="community", order_by="Estate.id")
    grids: Mapped[list["Grid"]] = relationship(back_populates="community", order_by="Grid.id")


class Estate(db.Model):
    __tablename__ = "estates"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The estate's outline for the emergency map: [[latitude, longitude], ...], or none.
    outline: Mapped[list | None] = mapped_column(JSON)

    community: Mapped[Community] = relationship(back_populates="estates")

    @property
    def centre(self) -> tuple[float, float] | None:
        """The mean of the outline's corners (where a household of the estate is drawn)."""
        if not self.outline:
            return None
        lats = [float(p[0]) for p in self.outline]
        lngs = [float(p[1]) for p in self.outline]
        return round(sum(lats) / len(lats), 6), round(sum(lngs) / len(lngs), 6)


class Grid(db.Model):
    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estates.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    community: Mapped[Community] = relationship(back_populates="grids")
    estate: Mapped[Estate | None] = relationship()
    worker: Mapped["User | None"] = relationship()  # noqa: F821

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
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

    community: Mapped[Community] = relationship(back_populates="estates")


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

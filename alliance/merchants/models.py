"""Alliance members (联盟商户) and the people who work for them.

The membership issue grows this module (applications, agreements); the columns here are the
contract other domains rely on: id, community_id, number, name, category, estate_id, status.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db


class MerchantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"


class Merchant(db.Model):
    __tablename__ = "merchants"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    # 第N家联盟商户: order of joining within the community.
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(20), index=True)
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estates.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default=MerchantStatus.ACTIVE, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    estate: Mapped["Estate | None"] = relationship()  # noqa: F821
    staff: Mapped[list["MerchantStaff"]] = relationship(
        back_populates="merchant", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.status == MerchantStatus.ACTIVE


class MerchantStaff(db.Model):
    """A user working for a member; the owner may add and remove the others."""

    __tablename__ = "merchant_staff"
    __table_args__ = (UniqueConstraint("merchant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_owner: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    merchant: Mapped[Merchant] = relationship(back_populates="staff")
    user: Mapped["User"] = relationship()  # noqa: F821

    @property
    def community_id(self) -> int:
        return self.merchant.community_id

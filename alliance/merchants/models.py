"""Alliance members (联盟商户), their applications, agreements and the people who work for them.

The columns other domains rely on: Merchant.id, community_id, number, name, category, estate_id,
status. A member whose status is not active has its offers stop applying at once
(see alliance.merchants.status.is_active / active_clause).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.personal import not_personal, personal


class MerchantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"

    @property
    def label(self) -> str:
        return str(MERCHANT_STATUS_LABELS[self])


MERCHANT_STATUS_LABELS = {
    MerchantStatus.ACTIVE: _l("正常"),
    MerchantStatus.SUSPENDED: _l("暂停"),
    MerchantStatus.LEFT: _l("已退出"),
}

# Business categories: stored code → label. Codes are stable; labels are translated.
CATEGORIES = {
    "catering": _l("餐饮"),
    "bakery": _l("烘焙"),
    "pharmacy": _l("医药"),
    "cinema": _l("影院"),
    "finance": _l("财税"),
    "retail": _l("零售"),
    "living": _l("生活服务"),
    "other": _l("其他"),
}


def category_label(code: str) -> str:
    label = CATEGORIES.get(code)
    return str(label) if label is not None else code


class ApplicationStatus(StrEnum):
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return str(APPLICATION_STATUS_LABELS[self])


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.PENDING: _l("待审核"),
    ApplicationStatus.CHANGES_REQUESTED: _l("需修改"),
    ApplicationStatus.APPROVED: _l("已批准"),
    ApplicationStatus.REJECTED: _l("未通过"),
}

OPEN_APPLICATION_STATUSES = (ApplicationStatus.PENDING, ApplicationStatus.CHANGES_REQUESTED)


MEMBER_CONTACT = not_personal("the member unit's business contact, kept with its agreement")


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
    # The grid the shop is in, when its estate has several grids (set by the secretary on the
    # grid's page); none: the estate's only grid (alliance.grid.membership).
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="", info=MEMBER_CONTACT)
    status: Mapped[str] = mapped_column(String(12), default=MerchantStatus.ACTIVE, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Private contact details from the application: shown to secretaries and staff only.
    contact_name: Mapped[str] = mapped_column(String(40), default="", info=MEMBER_CONTACT)
    contact_phone: Mapped[str | None] = mapped_column(String(11), info=MEMBER_CONTACT)
    licence_no: Mapped[str | None] = mapped_column(String(30))
    status_reason: Mapped[str] = mapped_column(String(200), default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped["Community"] = relationship()  # noqa: F821
    estate: Mapped["Estate | None"] = relationship()  # noqa: F821
    staff: Mapped[list["MerchantStaff"]] = relationship(
        back_populates="merchant", cascade="all, delete-orphan"
    )
    agreement: Mapped["Agreement | None"] = relationship(back_populates="merchant", uselist=False)
    status_changes: Mapped[list["MerchantStatusChange"]] = relationship(
        back_populates="merchant", order_by="MerchantStatusChange.id"
    )

    @property
    def is_active(self) -> bool:
        return self.status == MerchantStatus.ACTIVE

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def status_label(self) -> str:
        return MerchantStatus(self.status).label


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


class MerchantApplication(db.Model):
    """A shop's online application to join; reviewed by the community's secretary."""

    __tablename__ = "merchant_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(20))
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estates.id"))
    address: Mapped[str] = mapped_column(
        String(200), info=not_personal("the shop's address, public once it joins")
    )
    contact_name: Mapped[str] = mapped_column(
        String(40), info=personal("applicant_id", "member_applications")
    )
    contact_phone: Mapped[str] = mapped_column(
        String(11), info=personal("applicant_id", "member_applications")
    )
    licence_no: Mapped[str | None] = mapped_column(String(30))
    offer_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.PENDING, index=True)
    review_note: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    applicant: Mapped["User"] = relationship(foreign_keys=[applicant_id])  # noqa: F821
    estate: Mapped["Estate | None"] = relationship()  # noqa: F821
    community: Mapped["Community"] = relationship()  # noqa: F821
    merchant: Mapped[Merchant | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def status_label(self) -> str:
        return ApplicationStatus(self.status).label


class Agreement(db.Model):
    """合作协议: signed when the member is admitted; printable."""

    __tablename__ = "merchant_agreements"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        CheckConstraint("ends_on > starts_on", name="term_ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    signed_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    signatories: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    merchant: Mapped[Merchant] = relationship(back_populates="agreement")


class MerchantStatusChange(db.Model):
    """History of suspensions, reinstatements and departures, with the reason."""

    __tablename__ = "merchant_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    merchant: Mapped[Merchant] = relationship(back_populates="status_changes")
    actor: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def to_label(self) -> str:
        return MerchantStatus(self.to_status).label

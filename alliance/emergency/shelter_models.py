"""Shelters (安置点) and transfers (转移): occupancy is counted from check-ins, never typed.

An alliance member may offer space (a hotel's rooms as a shelter, a restaurant as a meal point);
once the secretary accepts the offer it becomes a Shelter linked to the member.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.personal import not_personal


class ShelterKind(StrEnum):
    SHELTER = "shelter"  # people stay: capacity is people
    MEAL_POINT = "meal_point"  # people eat: capacity is meals a day

    @property
    def label(self) -> str:
        return str(SHELTER_KIND_LABELS[self])


SHELTER_KIND_LABELS = {
    ShelterKind.SHELTER: _l("安置点"),
    ShelterKind.MEAL_POINT: _l("供餐点"),
}


class CheckInMethod(StrEnum):
    BUTTON = "button"  # staff pressed 登记到达 on the list
    HOUSEHOLD_CODE = "household"  # the household's code, typed or scanned
    CARD = "card"  # a volunteer card, scanned

    @property
    def label(self) -> str:
        return str(CHECK_IN_LABELS[self])


CHECK_IN_LABELS = {
    CheckInMethod.BUTTON: _l("现场登记"),
    CheckInMethod.HOUSEHOLD_CODE: _l("户码"),
    CheckInMethod.CARD: _l("志愿者卡"),
}


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
    kind: Mapped[str] = mapped_column(
        String(12), default=ShelterKind.SHELTER, server_default=ShelterKind.SHELTER.value
    )
    # The alliance member whose space this is (an accepted SpaceOffer), if any.
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    merchant = relationship("Merchant")

    @property
    def kind_label(self) -> str:
        return ShelterKind(self.kind).label

    @property
    def is_meal_point(self) -> bool:
        return self.kind == ShelterKind.MEAL_POINT


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
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    check_in_method: Mapped[str] = mapped_column(String(12), default="", server_default="")
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Why the secretary let people go home while the response still ran (empty otherwise).
    return_override_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

    shelter = relationship(Shelter)
    household = relationship("Household")
    moved_by = relationship("User", foreign_keys=[moved_by_id])
    checked_in_by = relationship("User", foreign_keys=[checked_in_by_id])
    returned_by = relationship("User", foreign_keys=[returned_by_id])

    @property
    def check_in_label(self) -> str:
        return CheckInMethod(self.check_in_method).label if self.check_in_method else ""


class OfferStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return str(OFFER_STATUS_LABELS[self])


OFFER_STATUS_LABELS = {
    OfferStatus.OFFERED: _l("待确认"),
    OfferStatus.ACCEPTED: _l("已接受"),
    OfferStatus.DECLINED: _l("未接受"),
}


class SpaceOffer(db.Model):
    """An alliance member's offer of space: rooms as a shelter, or meals as a meal point."""

    __tablename__ = "emergency_space_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    # People it can take (a shelter) or meals a day (a meal point).
    capacity: Mapped[int] = mapped_column()
    offers: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(
        String(20), default="", info=not_personal("the member's business duty phone for the space")
    )
    status: Mapped[str] = mapped_column(String(10), default=OfferStatus.OFFERED, index=True)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(String(200), default="")
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_shelters.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    merchant = relationship("Merchant")
    shelter = relationship(Shelter)

    @property
    def kind_label(self) -> str:
        return ShelterKind(self.kind).label

    @property
    def status_label(self) -> str:
        return OfferStatus(self.status).label

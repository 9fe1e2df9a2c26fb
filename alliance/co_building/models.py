"""Who provides (members, volunteers, co-building units) and the resources list (资源清单)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.personal import not_personal


class ProviderKind(StrEnum):
    MERCHANT = "merchant"
    VOLUNTEER = "volunteer"
    UNIT = "unit"
    # A grid worker (a person with an account) takes an order of their own grid.
    GRID_WORKER = "grid_worker"

    @property
    def label(self) -> str:
        return str(PROVIDER_LABELS[self])


PROVIDER_LABELS = {
    ProviderKind.MERCHANT: _l("联盟商户"),
    ProviderKind.VOLUNTEER: _l("志愿者"),
    ProviderKind.UNIT: _l("共建单位"),
    ProviderKind.GRID_WORKER: _l("网格员"),
}


class CoBuildingUnit(db.Model):
    """共建单位: an outside organisation the street office works with."""

    __tablename__ = "co_building_units"
    __table_args__ = (UniqueConstraint("street_office_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    street_office_id: Mapped[int] = mapped_column(ForeignKey("street_offices.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40), default="")
    services: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(
        String(40), default="", info=not_personal("a co-building unit's business contact")
    )
    contact_phone: Mapped[str | None] = mapped_column(
        String(11), info=not_personal("a co-building unit's business contact")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Resource(db.Model):
    """An entry of the resources list (资源清单)."""

    __tablename__ = "help_resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Members' and volunteer teams' resources belong to a community; units' to a street office.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    street_office_id: Mapped[int] = mapped_column(ForeignKey("street_offices.id"), index=True)
    category_code: Mapped[str] = mapped_column(String(32), index=True)
    provider_kind: Mapped[str] = mapped_column(String(12))
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("co_building_units.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteer_profiles.id"), index=True
    )
    team_name: Mapped[str] = mapped_column(String(80), default="")
    title: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    merchant: Mapped["Merchant | None"] = relationship()  # noqa: F821
    unit: Mapped[CoBuildingUnit | None] = relationship()
    volunteer: Mapped["VolunteerProfile | None"] = relationship()  # noqa: F821

    @property
    def provider_name(self) -> str:
        if self.provider_kind == ProviderKind.MERCHANT and self.merchant:
            return self.merchant.name
        if self.provider_kind == ProviderKind.UNIT and self.unit:
            return self.unit.name
        return self.team_name or (self.volunteer.name if self.volunteer else "")

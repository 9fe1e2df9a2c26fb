"""The three lists (三项清单) and the orders (工单).

- ServiceCategory: the catalogue, per community, with a response time limit per urgency; its
  `code` is public and stable (Open311 service_code).
- CoBuildingUnit: 共建单位, outside organisations of a street office.
- Resource: what a member, a co-building unit or a volunteer team can provide, by category code.
- HelpRequest: a need (点单) and its life; `state` only ever changes through
  alliance.help_requests.workflow (a conditional UPDATE on state and version).
- HelpRequestEvent: the order's timeline.
- Project: a secretary groups needs and resources (项目清单).
"""

import secrets
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.co_building.models import CoBuildingUnit, ProviderKind
from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.grid.models import GridBusiness
from alliance.i18n import lazy_gettext as _l
from alliance.personal import not_personal, personal
from alliance.validators import mask_name


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def label(self) -> str:
        return str(URGENCY_LABELS[self])


URGENCY_LABELS = {
    Urgency.NORMAL: _l("一般"),
    Urgency.URGENT: _l("紧急"),
    Urgency.EMERGENCY: _l("特急（应急）"),
}


class State(StrEnum):
    SUBMITTED = "submitted"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REVIEWED = "reviewed"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    ESCALATED = "escalated"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    State.SUBMITTED: _l("待派单"),
    State.DISPATCHED: _l("已派单"),
    State.ACCEPTED: _l("已接单"),
    State.IN_PROGRESS: _l("办理中"),
    State.DONE: _l("已办结"),
    State.REVIEWED: _l("已评价"),
    State.CLOSED: _l("已关闭"),
    State.CANCELLED: _l("已撤销"),
    State.ESCALATED: _l("已上报街道"),
}

OPEN_STATES = (
    State.SUBMITTED,
    State.DISPATCHED,
    State.ACCEPTED,
    State.IN_PROGRESS,
    State.ESCALATED,
)
RESOLVED_STATES = (State.DONE, State.REVIEWED, State.CLOSED)
# Waiting for someone to take it on: these can run past their time limit.
WAITING_STATES = (State.SUBMITTED, State.ESCALATED)


class ContactMethod(StrEnum):
    PHONE = "phone"
    INBOX = "inbox"
    VISIT = "visit"


CONTACT_LABELS = {
    ContactMethod.PHONE: _l("电话联系"),
    ContactMethod.INBOX: _l("站内消息"),
    ContactMethod.VISIT: _l("上门面谈"),
}


class ServiceCategory(db.Model):
    __tablename__ = "service_categories"
    __table_args__ = (
        UniqueConstraint("community_id", "code"),
        CheckConstraint(
            "limit_normal_hours > 0 AND limit_urgent_hours > 0 AND limit_emergency_hours > 0",
            name="limits_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(300), default="")
    group: Mapped[str] = mapped_column(String(40), default="")
    keywords: Mapped[str] = mapped_column(String(200), default="")
    # Dispatch (派单): the volunteers' skills and the members' published services that fit this
    # category, comma separated, the best fit first (the secretary edits them).
    match_skills: Mapped[str] = mapped_column(
        String(300),
        default="",
        server_default="",
        info=not_personal("skills a category wants, not anyone's skills"),
    )
    match_services: Mapped[str] = mapped_column(String(300), default="", server_default="")
    limit_normal_hours: Mapped[int] = mapped_column(Integer, default=72)
    limit_urgent_hours: Mapped[int] = mapped_column(Integer, default=24)
    limit_emergency_hours: Mapped[int] = mapped_column(Integer, default=2)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped["Community"] = relationship()  # noqa: F821

    @property
    def label(self) -> str:
        """The name in the reader's language: the standard categories' names are catalogue
        msgids (养老助老 → Elderly care); a name of the secretary's own reads as written."""
        return gettext(self.name)

    def limit_hours(self, urgency: str) -> int:
        return {
            Urgency.NORMAL: self.limit_normal_hours,
            Urgency.URGENT: self.limit_urgent_hours,
            Urgency.EMERGENCY: self.limit_emergency_hours,
        }[Urgency(urgency)]


def new_token() -> str:
    return secrets.token_urlsafe(12)


# The resident a grid worker files for usually has no account here: no closure reaches them;
# kept with the order and shown only to those who handle it.
ON_BEHALF = not_personal("a resident without an account, filed for by a grid worker")


class OrderState:
    """What an order and a list's line of it (queues.OrderLine) both tell from their state,
    urgency and deadline."""

    state: str
    urgency: str
    due_at: datetime

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def urgency_label(self) -> str:
        return Urgency(self.urgency).label

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, now: datetime) -> bool:
        return self.state in WAITING_STATES and self.due_at < now


class HelpRequest(OrderState, db.Model):
    __tablename__ = "help_requests"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        CheckConstraint("version >= 1", name="version_positive"),
        # The queues sort a community's whole history and cut one page: with every column the
        # sort needs in one index, PostgreSQL does it as an index-only scan (bench/RESULTS.md).
        Index("ix_help_requests_queue", "community_id", "state", "due_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("service_categories.id"), index=True)
    # Who asked (None for an Open311 report made with a community key).
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A grid worker posting on behalf of a household: who it is for, recorded.
    on_behalf_name: Mapped[str] = mapped_column(String(40), default="", info=ON_BEHALF)
    on_behalf_phone: Mapped[str | None] = mapped_column(String(11), info=ON_BEHALF)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(
        Text, default="", info=personal("requester_id", "service_orders")
    )
    # What the public transparency page says of the order, in the secretary's words (approved
    # by them): never the resident's own title or details.
    public_summary: Mapped[str] = mapped_column(String(60), default="", server_default="")
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estates.id"), index=True)
    building: Mapped[str] = mapped_column(
        String(60), default="", info=personal("requester_id", "service_orders")
    )
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))
    # A business outside the alliance (the grid's register) the order is for.
    business_id: Mapped[int | None] = mapped_column(ForeignKey("grid_businesses.id"))
    # The grid the order is in, set when it is posted (alliance.grid.membership says how).
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    address_text: Mapped[str] = mapped_column(
        String(200), default="", info=personal("requester_id", "service_orders")
    )
    urgency: Mapped[str] = mapped_column(String(12), default=Urgency.NORMAL)
    contact_method: Mapped[str] = mapped_column(
        String(12),
        default=ContactMethod.PHONE,
        info=not_personal("how to reach the requester (phone, visit…), no contact detail itself"),
    )
    contact_name: Mapped[str] = mapped_column(
        String(40), default="", info=personal("requester_id", "service_orders")
    )
    contact_phone: Mapped[str | None] = mapped_column(
        String(11), info=personal("requester_id", "service_orders")
    )
    contact_email: Mapped[str] = mapped_column(
        String(120), default="", info=personal("requester_id", "service_orders")
    )
    photo_name: Mapped[str | None] = mapped_column(
        String(64), info=personal("requester_id", "service_orders")
    )

    state: Mapped[str] = mapped_column(String(12), default=State.SUBMITTED, index=True)
    # Every UPDATE says "WHERE version = :seen" (version_id_col): no transition applies twice.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
    provider_kind: Mapped[str | None] = mapped_column(String(12))
    provider_merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    provider_volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteer_profiles.id"), index=True
    )
    provider_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("co_building_units.id"), index=True
    )
    # A grid worker the order is dispatched to (provider_kind "grid_worker").
    provider_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Set once escalated: the street office keeps it in its list until it is resolved.
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_reason: Mapped[str] = mapped_column(String(500), default="")
    last_note: Mapped[str] = mapped_column(String(500), default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    review_comment: Mapped[str] = mapped_column(String(500), default="")

    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # "2026-05" in the community's time zone: lets reports group by month on any database.
    submitted_month: Mapped[str] = mapped_column(String(7), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    first_dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    source: Mapped[str] = mapped_column(String(12), default="web")
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("open311_keys.id"))

    community: Mapped["Community"] = relationship()  # noqa: F821
    category: Mapped[ServiceCategory] = relationship()
    requester: Mapped["User | None"] = relationship(foreign_keys=[requester_id])  # noqa: F821
    estate: Mapped["Estate | None"] = relationship()  # noqa: F821
    shop: Mapped["Merchant | None"] = relationship(foreign_keys=[shop_id])  # noqa: F821
    provider_merchant: Mapped["Merchant | None"] = relationship(  # noqa: F821
        foreign_keys=[provider_merchant_id]
    )
    provider_volunteer: Mapped["VolunteerProfile | None"] = relationship()  # noqa: F821
    provider_unit: Mapped[CoBuildingUnit | None] = relationship()
    provider_user: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[provider_user_id]
    )
    business: Mapped[GridBusiness | None] = relationship()
    events: Mapped[list["HelpRequestEvent"]] = relationship(
        back_populates="help_request", order_by="HelpRequestEvent.id"
    )

    @property
    def contact_label(self) -> str:
        return str(CONTACT_LABELS.get(self.contact_method, self.contact_method))

    @property
    def provider_name(self) -> str:
        return provider_text(
            self.provider_kind,
            merchant=self.provider_merchant.name if self.provider_merchant else None,
            volunteer=self.provider_volunteer.name if self.provider_volunteer else None,
            unit=self.provider_unit.name if self.provider_unit else None,
            grid_worker=self.provider_user.display_name if self.provider_user else None,
        )

    @property
    def public_provider_name(self) -> str:
        """For public surfaces: a volunteer is a person, masked (王*明); shops and units are not."""
        if self.provider_kind == ProviderKind.VOLUNTEER and self.provider_volunteer:
            return mask_name(self.provider_volunteer.name)
        if self.provider_kind == ProviderKind.GRID_WORKER and self.provider_user:
            return gettext("网格员 %(name)s", name=mask_name(self.provider_user.display_name))
        return self.provider_name

    @property
    def place(self) -> str:
        """Where, for people allowed to see the order: estate and building, or the shop."""
        return place_text(
            shop=self.shop.name if self.shop is not None else None,
            business=self.business.name if self.business is not None else None,
            estate=self.estate.name if self.estate is not None else None,
            building=self.building,
            address=self.address_text,
        )


def place_text(*, shop, business, estate, building, address) -> str:
    """An order's place from its parts' names (an order's page and the lists' rows)."""
    return " ".join(part for part in (shop, business, estate, building, address) if part)


def provider_text(kind, *, merchant, volunteer, unit, grid_worker) -> str:
    """Who took an order, from the names of its possible providers."""
    if kind == ProviderKind.MERCHANT and merchant is not None:
        return merchant
    if kind == ProviderKind.VOLUNTEER and volunteer is not None:
        return volunteer
    if kind == ProviderKind.UNIT and unit is not None:
        return unit
    if kind == ProviderKind.GRID_WORKER and grid_worker is not None:
        return gettext("网格员 %(name)s", name=grid_worker)
    return ""


class HelpRequestEvent(db.Model):
    """One line of an order's timeline: who, when, from, to, note."""

    __tablename__ = "help_request_events"
    # The timeline is itself the record of these changes.
    __audit_skip__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    help_request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    help_request: Mapped[HelpRequest] = relationship(back_populates="events")
    actor: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def from_label(self) -> str:
        return State(self.from_state).label if self.from_state else ""

    @property
    def to_label(self) -> str:
        return State(self.to_state).label

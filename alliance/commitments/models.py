"""Public commitments (承诺) of alliance members, their offers (优惠) and services.

A commitment belongs to one merchant and one community. Corrections of a published commitment
are new rows in the same lineage (`lineage` key, `version` + 1); the old row is kept and marked
superseded when the new one is published, so the history page can show every version.
"""

import uuid
from datetime import date, datetime
from enum import StrEnum

from flask_babel import get_locale, gettext
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l


class CommitmentKind(StrEnum):
    INTEGRITY = "integrity"  # 信誉
    SERVICE = "service"  # 服务
    POINTS = "points"  # 积分兑换


KIND_LABELS = {
    CommitmentKind.INTEGRITY: _l("信誉"),
    CommitmentKind.SERVICE: _l("服务"),
    CommitmentKind.POINTS: _l("积分兑换"),
}


class CommitmentStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # waiting for the secretary's approval
    PUBLISHED = "published"  # 公示
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"  # a newer version of the same lineage was published


STATUS_LABELS = {
    CommitmentStatus.DRAFT: _l("草稿"),
    CommitmentStatus.PENDING: _l("待审核"),
    CommitmentStatus.PUBLISHED: _l("已公示"),
    CommitmentStatus.REJECTED: _l("未通过"),
    CommitmentStatus.WITHDRAWN: _l("已撤回"),
    CommitmentStatus.SUPERSEDED: _l("已更正（旧版本）"),
}

# Statuses the public may see: everything that was once published (公示).
PUBLIC_STATUSES = (
    CommitmentStatus.PUBLISHED,
    CommitmentStatus.WITHDRAWN,
    CommitmentStatus.SUPERSEDED,
)
EDITABLE_STATUSES = (CommitmentStatus.DRAFT, CommitmentStatus.REJECTED)


class CardKind(StrEnum):
    VOLUNTEER = "volunteer"  # 志愿者卡
    ALLIANCE = "alliance"  # 共富联盟卡


class Qualifies(StrEnum):
    VOLUNTEER = "volunteer"
    ALLIANCE = "alliance"
    BOTH = "both"


QUALIFIES_LABELS = {
    Qualifies.VOLUNTEER: _l("志愿者卡"),
    Qualifies.ALLIANCE: _l("共富联盟卡"),
    Qualifies.BOTH: _l("志愿者卡和共富联盟卡"),
}


class UsagePeriod(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    UNLIMITED = "unlimited"


PERIOD_LABELS = {
    UsagePeriod.DAY: _l("每天"),
    UsagePeriod.WEEK: _l("每周"),
    UsagePeriod.MONTH: _l("每月"),
    UsagePeriod.UNLIMITED: _l("不限次数"),
}


def new_lineage() -> str:
    return uuid.uuid4().hex


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def rate_label(percent: int) -> str:
    """85 → "8.5折", 70 → "7折", 5 → "0.5折" (the customer pays `percent` %)."""
    tens, units = divmod(int(percent), 10)
    return f"{tens}.{units}折" if units else f"{tens}折"


def rate_text(percent: int) -> str:
    """The rate as the reader says it: "8.5折" in Chinese, "15% off (pay 85%)" in English.

    A reader without 折 is told what comes off and what is paid. One msgid cannot serve both:
    the Chinese shows 折 (8.5) and the English the percentages, and Babel's python-format check
    refuses a translation with placeholders its msgid lacks; hence the branch on the locale.
    """
    locale = get_locale()
    if locale is None or locale.language == "zh":
        return rate_label(percent)
    return gettext("优惠%(off)d%%（顾客付%(pay)d%%）", off=100 - int(percent), pay=int(percent))


class Commitment(db.Model):
    __tablename__ = "commitments"
    __table_args__ = (
        UniqueConstraint("lineage", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    lineage: Mapped[str] = mapped_column(String(32), default=new_lineage, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=CommitmentStatus.DRAFT, index=True)
    # Reason of the last rejection or of the withdrawal (shown to the merchant / in history).
    reason: Mapped[str] = mapped_column(Text, default="")
    # Denormalised text for the board's search: title, body, merchant, category, conditions.
    search_text: Mapped[str] = mapped_column(Text, default="")

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    merchant: Mapped["Merchant"] = relationship()  # noqa: F821
    community: Mapped["Community"] = relationship()  # noqa: F821
    offer: Mapped["Offer | None"] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", uselist=False
    )
    service: Mapped["ServiceDetail | None"] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", uselist=False
    )
    notes: Mapped[list["FulfilmentNote"]] = relationship(
        back_populates="commitment", order_by="FulfilmentNote.noted_on"
    )

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Offer(db.Model):
    """A discount: the customer pays `rate_percent` % (85 = 8.5折) when showing a card."""

    __tablename__ = "commitment_offers"
    __table_args__ = (
        CheckConstraint("rate_percent >= 1 AND rate_percent <= 99", name="rate_range"),
        CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
            name="validity_order",
        ),
        CheckConstraint("usage_limit IS NULL OR usage_limit >= 1", name="usage_limit_positive"),
        CheckConstraint(
            "min_star_level IS NULL OR (min_star_level >= 1 AND min_star_level <= 5)",
            name="min_star_level_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id"), unique=True, index=True
    )
    qualifies: Mapped[str] = mapped_column(String(12), default=Qualifies.BOTH, index=True)
    rate_percent: Mapped[int] = mapped_column(Integer)
    conditions: Mapped[str] = mapped_column(Text, default="")
    exclusions: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # Per card: `usage_limit` uses per `usage_period` (None with period "unlimited").
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    usage_period: Mapped[str] = mapped_column(String(10), default=UsagePeriod.UNLIMITED)
    # Cards issue: only the phone's rotating code (not a static/printed code) may redeem it.
    requires_rotating: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Cards of the member's own community get the offer; True opens it to the cards of every
    # community of the same street office (the member's choice).
    open_to_street_office: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # "三星以上志愿者 7折": the holder's star level (1–5) must be at least this; volunteers only.
    min_star_level: Mapped[int | None] = mapped_column(Integer)

    commitment: Mapped[Commitment] = relationship(back_populates="offer")

    @property
    def rate_label(self) -> str:
        """Always "8.5折": the API's rate_display and the offer form's value (see rate_text)."""
        return rate_label(self.rate_percent)

    @property
    def rate_text(self) -> str:
        return rate_text(self.rate_percent)

    @property
    def qualifies_label(self) -> str:
        if self.min_star_level:
            from alliance.stars.levels import name_of

            level = name_of(self.min_star_level)
            if self.qualifies == Qualifies.BOTH:
                return str(_l("共富联盟卡和%(level)s及以上志愿者卡", level=level))
            return str(_l("%(level)s及以上志愿者卡", level=level))
        return str(QUALIFIES_LABELS.get(self.qualifies, self.qualifies))

    @property
    def usage_label(self) -> str:
        if self.usage_period == UsagePeriod.UNLIMITED or not self.usage_limit:
            return str(PERIOD_LABELS[UsagePeriod.UNLIMITED])
        return str(
            _l(
                "每张卡%(period)s限%(n)d次",
                period=PERIOD_LABELS[self.usage_period],
                n=self.usage_limit,
            )
        )

    def covers(self, card_kind: str) -> bool:
        return self.qualifies in (Qualifies.BOTH, card_kind)

    def valid_on(self, day: date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)


class ServiceDetail(db.Model):
    """What a service commitment offers, when, where and for whom."""

    __tablename__ = "commitment_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id"), unique=True, index=True
    )
    what: Mapped[str] = mapped_column(String(200))
    when_text: Mapped[str] = mapped_column(String(120), default="")
    where: Mapped[str] = mapped_column(String(200), default="")
    for_whom: Mapped[str] = mapped_column(String(200), default="")

    commitment: Mapped[Commitment] = relationship(back_populates="service")


class FulfilmentNote(db.Model):
    """践诺: a secretary's record of whether a member kept a commitment."""

    __tablename__ = "commitment_fulfilment_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kept: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    noted_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="notes")


class ReportStatus(StrEnum):
    OPEN = "open"
    HANDLED = "handled"


class BrokenCommitmentReport(db.Model):
    """A resident's report that a commitment was not kept; the secretary handles it."""

    __tablename__ = "commitment_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=ReportStatus.OPEN, index=True)
    handled_note: Mapped[str] = mapped_column(Text, default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commitment: Mapped[Commitment] = relationship()
    reporter: Mapped["User"] = relationship(foreign_keys=[reporter_id])  # noqa: F821

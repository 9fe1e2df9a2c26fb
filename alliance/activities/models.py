"""Volunteer activities (志愿活动), their time slots, sign-ups and attendance, service records.

Capacity: `ActivitySlot.taken` counts live sign-ups; one conditional UPDATE
(``taken < capacity``) takes a place, and ``CHECK (taken <= capacity)`` is the backstop.
A sign-up row carries the attendance: check-in, check-out, minutes, confirmation and points.
"""

from datetime import date, datetime
from enum import StrEnum

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
from alliance.projects.models import Project

CATEGORIES = {
    "civic": _l("文明创建"),
    "epidemic": _l("疫情防控"),
    "flood": _l("防汛应急"),
    "elderly": _l("助老帮困"),
    "environment": _l("环境整治"),
    "culture": _l("文体活动"),
    "legal": _l("法律服务"),
    "other": _l("其他"),
}


class ActivityStatus(StrEnum):
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class SignupStatus(StrEnum):
    SIGNED_UP = "signed_up"
    CANCELLED = "cancelled"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return str(SIGNUP_LABELS[self])


SIGNUP_LABELS = {
    SignupStatus.SIGNED_UP: _l("已报名"),
    SignupStatus.CANCELLED: _l("已取消"),
    SignupStatus.ABSENT: _l("缺席"),
}


class Activity(db.Model):
    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("help_projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(20), default="other")
    place: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Scoring: the community rule, times the emergency multiplier when set; an optional
    # per-activity points-per-hour overrides the rule's base rate.
    emergency: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    points_per_hour: Mapped[int | None] = mapped_column(Integer)
    # 保险: whether the volunteers are insured for it, and the policy (insurer and number).
    insured: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    insurance_policy: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status: Mapped[str] = mapped_column(String(12), default=ActivityStatus.PUBLISHED, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    slots: Mapped[list["ActivitySlot"]] = relationship(
        back_populates="activity", order_by="ActivitySlot.starts_at"
    )
    project: Mapped[Project | None] = relationship()
    community: Mapped["Community"] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint(
            "points_per_hour IS NULL OR (points_per_hour >= 0 AND points_per_hour <= 1000)",
            name="activity_per_hour_range",
        ),
    )

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.category, self.category))

    @property
    def is_cancelled(self) -> bool:
        return self.status == ActivityStatus.CANCELLED


class ActivitySlot(db.Model):
    __tablename__ = "activity_slots"
    __table_args__ = (
        CheckConstraint("capacity >= 1 AND capacity <= 10000", name="capacity_range"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="taken_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)
    # Asia/Shanghai day of the start, for grouping by month in portable SQL.
    local_day: Mapped[date] = mapped_column(Date, index=True)

    activity: Mapped[Activity] = relationship(back_populates="slots")
    signups: Mapped[list["Signup"]] = relationship(back_populates="slot", order_by="Signup.id")

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.taken)


class Signup(db.Model):
    __tablename__ = "activity_signups"
    __table_args__ = (
        UniqueConstraint("slot_id", "user_id", name="uq_activity_signups_person"),
        CheckConstraint(
            "minutes IS NULL OR (minutes >= 0 AND minutes <= 1440)", name="minutes_range"
        ),
        CheckConstraint(
            "check_out_at IS NULL OR check_in_at IS NULL OR check_out_at >= check_in_at",
            name="checkout_after_checkin",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("activity_slots.id"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=SignupStatus.SIGNED_UP, index=True)
    check_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    points: Mapped[int | None] = mapped_column(Integer)
    # 补录: times entered by hand on a later day than the activity, by whom and why.
    backfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    backfilled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    backfill_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    slot: Mapped[ActivitySlot] = relationship(back_populates="signups")
    activity: Mapped[Activity] = relationship()
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821

    @property
    def status_label(self) -> str:
        if self.status == SignupStatus.SIGNED_UP:
            if self.confirmed_at:
                return str(_l("已确认"))
            if self.check_out_at:
                return str(_l("已签退"))
            if self.check_in_at:
                return str(_l("已签到"))
        return SignupStatus(self.status).label


class ServiceRecord(db.Model):
    """A volunteer service record (志愿服务记录证明) as issued: a snapshot with a check token."""

    __tablename__ = "volunteer_service_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name_masked: Mapped[str] = mapped_column(String(40))
    card_number: Mapped[str] = mapped_column(String(24), default="")
    total_minutes: Mapped[int] = mapped_column(Integer)
    activity_count: Mapped[int] = mapped_column(Integer)
    points_earned: Mapped[int] = mapped_column(Integer, default=0)
    # The star level (0 = none yet) when the record was issued.
    star_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped["Community"] = relationship()  # noqa: F821

    @property
    def star_name(self) -> str:
        from alliance.stars.levels import name_of

        return name_of(self.star_level or 0)

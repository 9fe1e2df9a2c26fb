"""Hazard points (隐患点), inspection rounds (排查), checks and rectification notices (整改通知书).

A point has one named person responsible. A round assigns every point to an inspector; a check
that finds a hazard opens its rectification notice by itself. A notice is closed (销号) only by a
re-check from someone other than the person who did the work.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l


class HazardKind(StrEnum):
    RESERVOIR = "reservoir"
    OLD_HOUSE = "old_house"
    GEOLOGICAL = "geological"
    SLOPE = "slope"
    LOW_LYING = "low_lying"
    UNDERPASS = "underpass"
    SITE = "site"
    RIVER = "river"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(HAZARD_KIND_LABELS[self])


HAZARD_KIND_LABELS = {
    HazardKind.RESERVOIR: _l("山塘水库"),
    HazardKind.OLD_HOUSE: _l("危旧房"),
    HazardKind.GEOLOGICAL: _l("地质灾害点"),
    HazardKind.SLOPE: _l("不稳定斜坡"),
    HazardKind.LOW_LYING: _l("低洼易涝点"),
    HazardKind.UNDERPASS: _l("地下通道/车库"),
    HazardKind.SITE: _l("在建工地"),
    HazardKind.RIVER: _l("河道/桥梁"),
    HazardKind.OTHER: _l("其他"),
}


class CheckResult(StrEnum):
    OK = "ok"
    FOUND = "found"

    @property
    def label(self) -> str:
        return str(_l("正常") if self is CheckResult.OK else _l("发现隐患"))


class NoticeState(StrEnum):
    OPEN = "open"  # 整改中
    FIXED = "fixed"  # 整改完成，待复查
    CLOSED = "closed"  # 复查通过，已销号

    @property
    def label(self) -> str:
        return str(NOTICE_STATE_LABELS[self])


NOTICE_STATE_LABELS = {
    NoticeState.OPEN: _l("整改中"),
    NoticeState.FIXED: _l("待复查"),
    NoticeState.CLOSED: _l("已销号"),
}


class HazardPoint(db.Model):
    __tablename__ = "emergency_hazard_points"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estates.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    check_every_days: Mapped[int] = mapped_column(default=7)
    description: Mapped[str] = mapped_column(Text, default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    # 停用/撤销: why and when; a retired point leaves new rounds and the map, keeps its history.
    retired_reason: Mapped[str] = mapped_column(String(200), default="")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    estate = relationship("Estate")
    grid = relationship("Grid")
    responsible = relationship("User", foreign_keys=[responsible_id])

    @property
    def kind_label(self) -> str:
        return HazardKind(self.kind).label


class InspectionRound(db.Model):
    __tablename__ = "emergency_inspection_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class HazardCheck(db.Model):
    """One point in one round: assigned to an inspector, then recorded 正常 or 发现隐患."""

    __tablename__ = "emergency_hazard_checks"
    __table_args__ = (UniqueConstraint("round_id", "point_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_inspection_rounds.id", ondelete="CASCADE"), index=True
    )
    point_id: Mapped[int] = mapped_column(ForeignKey("emergency_hazard_points.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    inspector_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    result: Mapped[str | None] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(String(500), default="")
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    point = relationship(HazardPoint)
    round = relationship(InspectionRound)
    inspector = relationship("User", foreign_keys=[inspector_id])
    checked_by = relationship("User", foreign_keys=[checked_by_id])
    photos = relationship(
        "HazardCheckPhoto",
        order_by="HazardCheckPhoto.id",
        back_populates="check",
        passive_deletes=True,
    )

    @property
    def result_label(self) -> str:
        return CheckResult(self.result).label if self.result else str(_l("未检查"))


class HazardCheckPhoto(db.Model):
    """A photo taken at a check (the help requests' photo rules: images only, 5 MB, no EXIF)."""

    __tablename__ = "emergency_hazard_check_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_hazard_checks.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    check = relationship(HazardCheck, back_populates="photos")


class RectificationNotice(db.Model):
    """整改通知书, 六定: what (the hazard), measure, money, person, deadline, re-checker."""

    __tablename__ = "emergency_rectification_notices"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    number: Mapped[str] = mapped_column(String(24))
    point_id: Mapped[int] = mapped_column(ForeignKey("emergency_hazard_points.id"), index=True)
    check_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_hazard_checks.id"), unique=True, index=True
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("emergency_inspection_rounds.id"), index=True)
    hazard: Mapped[str] = mapped_column(String(500), default="")
    measure: Mapped[str] = mapped_column(String(500), default="")
    money: Mapped[str] = mapped_column(String(120), default="")
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    rechecker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    deadline: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(8), default=NoticeState.OPEN)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fixed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    fix_note: Mapped[str] = mapped_column(String(500), default="")
    rechecked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rechecked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recheck_note: Mapped[str] = mapped_column(String(500), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    point = relationship(HazardPoint)
    responsible = relationship("User", foreign_keys=[responsible_id])
    rechecker = relationship("User", foreign_keys=[rechecker_id])
    fixed_by = relationship("User", foreign_keys=[fixed_by_id])
    rechecked_by = relationship("User", foreign_keys=[rechecked_by_id])

    @property
    def state_label(self) -> str:
        return NoticeState(self.state).label

    def overdue_on(self, today: date) -> bool:
        return self.state != NoticeState.CLOSED and self.deadline < today

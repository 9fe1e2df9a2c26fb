"""Versioned rules (积分、赋分、兑换规则): each version is a whole rule set with the day it takes
effect and the committee decision that adopted it.

A version is proposed first (it shows on the next meeting's agenda) and applies only once a
decision adopts it. The ledger asks for the version in force on the day of the service, so a
later version never touches an earlier entry. Communities with no adopted version keep their
single editable `PointsRule`.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from alliance.activities.models import CATEGORIES, ActivitySlot, Signup
from alliance.db_types import UTCDateTime, utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l


class VersionStatus(StrEnum):
    PROPOSED = "proposed"
    ADOPTED = "adopted"

    @property
    def label(self) -> str:
        return str(VERSION_LABELS[self])


VERSION_LABELS = {VersionStatus.PROPOSED: _l("待决议"), VersionStatus.ADOPTED: _l("已生效")}


class RuleVersion(db.Model):
    """One version of the points (积分), scoring (赋分) and exchange (兑换) rules."""

    __tablename__ = "points_rule_versions"
    __table_args__ = (
        CheckConstraint("points_per_hour >= 0 AND points_per_hour <= 1000", name="v_per_hour"),
        CheckConstraint(
            "emergency_percent >= 100 AND emergency_percent <= 500", name="v_emergency"
        ),
        CheckConstraint("night_percent >= 100 AND night_percent <= 500", name="v_night"),
        CheckConstraint("award_max >= 1 AND award_max <= 10000", name="v_award_max"),
        CheckConstraint("exchange_item_max >= 1", name="v_item_max"),
        CheckConstraint("points_per_yuan >= 1", name="v_per_yuan"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=VersionStatus.PROPOSED, index=True)
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    summary: Mapped[str] = mapped_column(String(200))
    # 积分: hours to points, with a rate per activity kind (category code → points an hour).
    points_per_hour: Mapped[int] = mapped_column(Integer)
    category_rates: Mapped[dict] = mapped_column(JSON, default=dict)
    emergency_percent: Mapped[int] = mapped_column(Integer, default=200)
    night_percent: Mapped[int] = mapped_column(Integer, default=150)
    night_start_hour: Mapped[int] = mapped_column(Integer, default=22)
    night_end_hour: Mapped[int] = mapped_column(Integer, default=6)
    expiry_months: Mapped[int | None] = mapped_column(Integer)
    # 赋分: the most one manual award may give.
    award_max: Mapped[int] = mapped_column(Integer, default=50)
    # 兑换: what a point is worth (points per yuan) and the most one item may cost.
    points_per_yuan: Mapped[int] = mapped_column(Integer, default=10)
    exchange_item_max: Mapped[int] = mapped_column(Integer, default=1000)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("committee_decisions.id"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def status_label(self) -> str:
        return VersionStatus(self.status).label

    def per_hour_for(self, category: str) -> int:
        rate = (self.category_rates or {}).get(category)
        return int(rate) if rate is not None else self.points_per_hour

    def rate_lines(self) -> list[tuple[str, int]]:
        return [
            (str(label), self.per_hour_for(code))
            for code, label in CATEGORIES.items()
            if code in (self.category_rates or {})
        ]


class RuleVersionError(DomainError):
    def __init__(self, code: str, message, status: int = 422, field: str | None = None):
        super().__init__(str(message))
        self.code, self.message, self.status, self.field = code, message, status, field


def version_at(community_id: int, day: date) -> RuleVersion | None:
    """The adopted version in force on `day` (the latest effective on or before it)."""
    return db.session.scalars(
        select(RuleVersion)
        .where(
            RuleVersion.community_id == community_id,
            RuleVersion.status == VersionStatus.ADOPTED,
            RuleVersion.effective_from <= day,
        )
        .order_by(RuleVersion.effective_from.desc(), RuleVersion.id.desc())
        .limit(1)
    ).first()


def has_versions(community_id: int) -> bool:
    return (
        db.session.scalar(
            select(RuleVersion.id)
            .where(
                RuleVersion.community_id == community_id,
                RuleVersion.status == VersionStatus.ADOPTED,
            )
            .limit(1)
        )
        is not None
    )


def versions_of(community_id: int) -> list[RuleVersion]:
    return list(
        db.session.scalars(
            select(RuleVersion)
            .where(RuleVersion.community_id == community_id)
            .order_by(RuleVersion.effective_from.desc(), RuleVersion.id.desc())
        )
    )


def last_confirmed_day(community_id: int) -> date | None:
    """The latest service day whose points are already confirmed in the ledger."""
    return db.session.scalar(
        select(func.max(ActivitySlot.local_day))
        .join(Signup, Signup.slot_id == ActivitySlot.id)
        .where(Signup.community_id == community_id, Signup.confirmed_at.is_not(None))
    )


def check_effective(community_id: int, effective_from: date) -> None:
    """Refuse a date that would put confirmed points under a different rule than they got."""
    last = last_confirmed_day(community_id)
    if last is not None and effective_from <= last:
        raise RuleVersionError(
            "would_rewrite",
            _l(
                "生效日期不能早于或等于%(d)s：那天以前的志愿服务积分已经确认入账，"
                "新规则不能改写已确认的积分。请选择%(d)s之后的日期。",
                d=last.isoformat(),
            ),
            field="effective_from",
        )


def adopt(version: RuleVersion, decision_id: int, now: datetime | None = None) -> RuleVersion:
    if version.status != VersionStatus.PROPOSED:
        raise RuleVersionError(
            "already_adopted", _l("这项规则修改已经通过决议。"), 409, field="rule_version_id"
        )
    check_effective(version.community_id, version.effective_from)
    version.status = VersionStatus.ADOPTED
    version.decision_id = decision_id
    version.adopted_at = now or utcnow()
    db.session.flush()
    return version


FIELDS = {
    # name: (low, high, label)
    "points_per_hour": (0, 1000, _l("每小时积分")),
    "emergency_percent": (100, 500, _l("应急倍率")),
    "night_percent": (100, 500, _l("夜间倍率")),
    "night_start_hour": (0, 23, _l("夜间开始时刻")),
    "night_end_hour": (0, 23, _l("夜间结束时刻")),
    "award_max": (1, 10000, _l("一次赋分上限")),
    "points_per_yuan": (1, 1000, _l("多少积分折合1元")),
    "exchange_item_max": (1, 100000, _l("兑换项目积分上限")),
}


def _whole(value, field: str, low: int, high: int, label) -> int:
    text = str(value if value is not None else "").strip()
    if not text.lstrip("+-").isascii() or not text.lstrip("+-").isdigit():
        raise RuleVersionError("not_integer", _l("%(label)s必须是整数。", label=label), field=field)
    number = int(text)
    if not low <= number <= high:
        raise RuleVersionError(
            "out_of_range",
            _l("%(label)s应在%(low)d到%(high)d之间。", label=label, low=low, high=high),
            field=field,
        )
    return number


def propose(
    community_id: int,
    values: dict,
    *,
    effective_from: date | None,
    summary: str,
    actor_id: int | None,
) -> RuleVersion:
    """A proposed rule change: checked now, adopted later by a decision."""
    text = (summary or "").strip()
    if not text:
        raise RuleVersionError("summary_required", _l("请写明改了什么。"), field="summary")
    if len(text) > 200:
        raise RuleVersionError("summary_too_long", _l("说明不能超过200字。"), field="summary")
    if effective_from is None:
        raise RuleVersionError("date_required", _l("请填写生效日期。"), field="effective_from")
    check_effective(community_id, effective_from)
    checked = {name: _whole(values.get(name), name, *spec) for name, spec in FIELDS.items()}
    months = str(values.get("expiry_months") or "").strip()
    checked["expiry_months"] = (
        None if months in ("", "0") else _whole(months, "expiry_months", 1, 120, _l("有效期（月）"))
    )
    rates = {}
    for code, label in CATEGORIES.items():
        raw = str((values.get("category_rates") or {}).get(code) or "").strip()
        if raw:
            rates[code] = _whole(raw, f"rate_{code}", 0, 1000, label)
    version = RuleVersion(
        community_id=community_id,
        status=VersionStatus.PROPOSED,
        effective_from=effective_from,
        summary=text,
        category_rates=rates,
        proposed_by_id=actor_id,
        **checked,
    )
    db.session.add(version)
    db.session.flush()
    return version


def proposed_of(community_id: int) -> list[RuleVersion]:
    return list(
        db.session.scalars(
            select(RuleVersion)
            .where(
                RuleVersion.community_id == community_id,
                RuleVersion.status == VersionStatus.PROPOSED,
            )
            .order_by(RuleVersion.id)
        )
    )

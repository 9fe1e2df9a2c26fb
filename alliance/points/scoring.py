"""A community's points rule: points an hour, the emergency and night multipliers, expiry, and
the limits in force on a day (the adopted rule version, see rule_versions)."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from alliance.accounts.models import User
from alliance.clock import LOCAL_TZ
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.points.errors import PointsError
from alliance.points.inputs import MAX_AWARD, MAX_ITEM_POINTS, whole_number
from alliance.points.models import PointsRule
from alliance.points.rule_versions import has_versions, version_at


def rule_for(community_id: int) -> PointsRule:
    """The community's rule, or the default one (10 points an hour, ×2 emergency, ×1.5 night)."""
    rule = db.session.scalars(
        select(PointsRule).where(PointsRule.community_id == community_id)
    ).first()
    if rule is None:
        rule = PointsRule(
            community_id=community_id,
            points_per_hour=10,
            emergency_percent=200,
            night_percent=150,
            night_start_hour=22,
            night_end_hour=6,
            expiry_months=None,
        )
    return rule


def rule_at(community_id: int, day: date):
    """The rule in force on `day`: the adopted version of that day, else the community rule."""
    return version_at(community_id, day) or rule_for(community_id)


def award_limit(community_id: int, day: date) -> int:
    version = version_at(community_id, day)
    return version.award_max if version is not None else MAX_AWARD


def item_limit(community_id: int, day: date) -> int:
    version = version_at(community_id, day)
    return version.exchange_item_max if version is not None else MAX_ITEM_POINTS


@dataclass
class RuleInput:
    points_per_hour: object
    emergency_percent: object
    night_percent: object
    night_start_hour: object
    night_end_hour: object
    expiry_months: object  # "" or None: never


def update_rule(community_id: int, data: RuleInput, actor: User) -> PointsRule:
    if has_versions(community_id):
        raise PointsError(
            _l("本社区的积分规则已由协调委员会决议管理，请在协调委员会提出规则修改。"),
            code="rules_by_decision",
            status=409,
            field="points_per_hour",
        )
    values = {
        "points_per_hour": whole_number(
            data.points_per_hour, "points_per_hour", 0, 1000, _l("每小时积分")
        ),
        "emergency_percent": whole_number(
            data.emergency_percent, "emergency_percent", 100, 500, _l("应急倍率")
        ),
        "night_percent": whole_number(
            data.night_percent, "night_percent", 100, 500, _l("夜间倍率")
        ),
        "night_start_hour": whole_number(
            data.night_start_hour, "night_start_hour", 0, 23, _l("夜间开始时刻")
        ),
        "night_end_hour": whole_number(
            data.night_end_hour, "night_end_hour", 0, 23, _l("夜间结束时刻")
        ),
    }
    months = str(data.expiry_months if data.expiry_months is not None else "").strip()
    values["expiry_months"] = (
        None
        if months in ("", "0")
        else whole_number(months, "expiry_months", 1, 120, _l("有效期（月）"))
    )
    rule = db.session.scalars(
        select(PointsRule).where(PointsRule.community_id == community_id)
    ).first()
    if rule is None:
        rule = PointsRule(community_id=community_id)
        db.session.add(rule)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.updated_by_id = actor.id
    db.session.flush()
    return rule


def is_night(starts_at: datetime, rule: PointsRule) -> bool:
    hour = starts_at.astimezone(LOCAL_TZ).hour
    start, end = rule.night_start_hour, rule.night_end_hour
    if start == end:
        return False
    return start <= hour or hour < end if start > end else start <= hour < end


def percent_for(rule: PointsRule, *, emergency: bool, night: bool) -> int:
    """Multipliers do not stack: the larger one applies (emergency night work: the larger)."""
    percent = 100
    if emergency:
        percent = max(percent, rule.emergency_percent)
    if night:
        percent = max(percent, rule.night_percent)
    return percent


def points_for(minutes: int, per_hour: int, percent: int) -> int:
    """minutes × per_hour / 60 × percent / 100, rounded half up, in integers only."""
    return (2 * minutes * per_hour * percent + 6000) // 12000


def expiry_date(earned_on: date, months: int | None) -> date | None:
    """The last day points earned on `earned_on` count: end of the N-th month after it."""
    if not months:
        return None
    index = earned_on.year * 12 + (earned_on.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])

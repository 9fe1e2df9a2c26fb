"""Volunteers' service records, the monthly leaderboard and the home page's figure.
Services add and flush, never commit."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from alliance.accounts.models import User
from alliance.activities.models import ActivitySlot, ServiceRecord, Signup
from alliance.activities.services import ActivityError
from alliance.cards import services as cards
from alliance.clock import local_start, local_today
from alliance.commitments.models import CardKind
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.points import ledger as points_ledger
from alliance.points.models import EntryKind, LedgerEntry, PointsAccount
from alliance.stars import services as stars
from alliance.validators import mask_name
from alliance.volunteers.models import VolunteerProfile

LEADERBOARD_SIZE = 20


@dataclass
class ServiceSummary:
    rows: list[Signup]
    total_minutes: int
    points_earned: int
    first_day: date | None
    last_day: date | None

    @property
    def count(self) -> int:
        return len(self.rows)


def service_summary(user_id: int) -> ServiceSummary:
    rows = list(
        db.session.scalars(
            select(Signup)
            .where(Signup.user_id == user_id, Signup.confirmed_at.is_not(None))
            .join(Signup.slot)
            .options(selectinload(Signup.slot), selectinload(Signup.activity))
            .order_by(ActivitySlot.starts_at)
        )
    )
    days = [r.slot.local_day for r in rows]
    return ServiceSummary(
        rows,
        sum(r.minutes or 0 for r in rows),
        sum(r.points or 0 for r in rows),
        min(days) if days else None,
        max(days) if days else None,
    )


def volunteer_card_number(user_id: int) -> str:
    card = cards.current_card(user_id, CardKind.VOLUNTEER)
    return card.number if card else ""


def issue_record(user: User) -> ServiceRecord:
    summary = service_summary(user.id)
    if not summary.rows:
        raise ActivityError(_l("还没有已确认的志愿服务记录。"), code="no_service", status=409)
    profile = db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)
    ).first()
    record = ServiceRecord(
        token=secrets.token_urlsafe(32),
        user_id=user.id,
        community_id=profile.community_id if profile else user.community_id,
        name_masked=mask_name(profile.name if profile else user.display_name),
        card_number=volunteer_card_number(user.id),
        total_minutes=summary.total_minutes,
        activity_count=summary.count,
        points_earned=summary.points_earned,
        first_day=summary.first_day,
        last_day=summary.last_day,
        star_level=stars.level_of(user.id),
    )
    db.session.add(record)
    db.session.flush()
    return record


def _utc(day: date) -> datetime:
    return local_start(day)


def leaderboard(community_id: int, first: date, nxt: date, limit: int = LEADERBOARD_SIZE) -> dict:
    """Top volunteers of the month by confirmed hours and by points gained (earn + award)."""
    hours = db.session.execute(
        select(Signup.user_id, func.sum(Signup.minutes).label("total"))
        .join(ActivitySlot, ActivitySlot.id == Signup.slot_id)
        .where(
            Signup.community_id == community_id,
            Signup.confirmed_at.is_not(None),
            ActivitySlot.local_day >= first,
            ActivitySlot.local_day < nxt,
        )
        .group_by(Signup.user_id)
        .order_by(func.sum(Signup.minutes).desc(), Signup.user_id)
        .limit(limit)
    ).all()
    gained = db.session.execute(
        select(LedgerEntry.user_id, func.sum(LedgerEntry.delta).label("total"))
        .where(
            LedgerEntry.community_id == community_id,
            LedgerEntry.kind.in_((EntryKind.EARN, EntryKind.AWARD)),
            LedgerEntry.created_at >= _utc(first),
            LedgerEntry.created_at < _utc(nxt),
        )
        .group_by(LedgerEntry.user_id)
        .order_by(func.sum(LedgerEntry.delta).desc(), LedgerEntry.user_id)
        .limit(limit)
    ).all()
    ids = {r.user_id for r in hours} | {r.user_id for r in gained}
    names = {}
    if ids:
        for uid, name, shown in db.session.execute(
            select(User.id, User.display_name, PointsAccount.show_name)
            .outerjoin(PointsAccount, PointsAccount.user_id == User.id)
            .where(User.id.in_(ids))
        ):
            names[uid] = name if shown else None

    def label(uid):
        return names.get(uid) or str(_l("匿名志愿者"))

    return {
        "hours": [
            {
                "name": label(r.user_id),
                "named": bool(names.get(r.user_id)),
                "hours": round((r.total or 0) / 60, 1),
                "user_id": r.user_id,
            }
            for r in hours
        ],
        "points": [
            {
                "name": label(r.user_id),
                "named": bool(names.get(r.user_id)),
                "points": int(r.total or 0),
                "user_id": r.user_id,
            }
            for r in gained
        ],
    }


def set_show_name(user: User, show: bool) -> None:
    account_id = points_ledger.ensure_account(user.id, user.community_id)
    account = db.session.get(PointsAccount, account_id)
    account.show_name = bool(show)
    db.session.flush()


def home_figures(community_ids) -> list[tuple[str, int]]:
    """The home page's figures (see alliance.hooks)."""
    today = local_today()
    first = today.replace(day=1)
    stmt = (
        select(func.coalesce(func.sum(Signup.minutes), 0))
        .join(ActivitySlot, ActivitySlot.id == Signup.slot_id)
        .where(Signup.confirmed_at.is_not(None), ActivitySlot.local_day >= first)
    )
    if community_ids is not None:
        stmt = stmt.where(Signup.community_id.in_(community_ids))
    minutes = db.session.scalar(stmt) or 0
    return [(_l("本月志愿服务（小时）"), int(minutes) // 60)]

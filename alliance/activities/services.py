"""Rules for volunteer activities: publishing, sign-ups, attendance, confirmation and points,
service records and the monthly leaderboard. Services add and flush, never commit."""

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from alliance.accounts.models import Role, User
from alliance.activities.models import (
    CATEGORIES,
    Activity,
    ActivitySlot,
    ActivityStatus,
    ServiceRecord,
    Signup,
    SignupStatus,
)
from alliance.cards import services as cards
from alliance.cards.models import Card
from alliance.clock import LOCAL_TZ, local_date, local_start, local_today
from alliance.commitments.models import CardKind
from alliance.communities.models import Community
from alliance.communities.services import can_administer
from alliance.counter import services as counter
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.notifications.services import notify
from alliance.points import ledger, scoring
from alliance.points.models import EntryKind, LedgerEntry, PointsAccount
from alliance.stars import services as stars
from alliance.validators import mask_name
from alliance.volunteers.models import VolunteerProfile, VolunteerStatus

MAX_SLOT_HOURS = 24
MAX_SLOTS = 20
LEADERBOARD_SIZE = 20
# Volunteers may check in this early and out this late; the hours stay within the window.
TOLERANCE_MINUTES = 30
ATTENDANCE_TOLERANCE = timedelta(minutes=TOLERANCE_MINUTES)
_DIGITS = re.compile(r"[0-9]{1,6}")


class ActivityError(DomainError):
    """An activity rule said no."""

    code = "activity_refused"


# --- who may do what -----------------------------------------------------------------------


def can_publish(user: User, community_id: int) -> bool:
    return bool(
        user.is_authenticated
        and user.has_role(Role.SECRETARY)
        and user.community_id == community_id
    )


def can_organise(user: User, activity: Activity) -> bool:
    """The organiser: the community's secretary (or street officer), or one of its grid workers."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.GRID_WORKER) and user.community_id == activity.community_id:
        return True
    return can_administer(user, db.session.get(Community, activity.community_id))


# --- publishing ----------------------------------------------------------------------------


@dataclass
class SlotInput:
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: object


@dataclass
class ActivityInput:
    title: str
    category: str
    place: str
    description: str = ""
    emergency: bool = False
    points_per_hour: object = None  # "" or None: the community rule
    project_id: int | None = None
    slots: list[SlotInput] = field(default_factory=list)
    insured: bool = False
    insurance_policy: str = ""


def _checked_slot(data: SlotInput, now: datetime) -> dict:
    if data.starts_at is None or data.ends_at is None:
        raise ActivityError(
            _l("请填写时段的开始和结束时间。"), code="slot_time_required", field="starts_at"
        )
    if data.ends_at <= data.starts_at:
        raise ActivityError(_l("结束时间要晚于开始时间。"), code="slot_order", field="ends_at")
    if data.ends_at - data.starts_at > timedelta(hours=MAX_SLOT_HOURS):
        raise ActivityError(_l("一个时段不能超过24小时。"), code="slot_too_long", field="ends_at")
    if data.starts_at <= now:
        raise ActivityError(
            _l("开始时间已经过了，请选择将来的时间。"), code="slot_in_past", field="starts_at"
        )
    text = str(data.capacity if data.capacity is not None else "").strip()
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= 10000:
        raise ActivityError(
            _l("人数上限应是1到10000之间的整数。"), code="capacity", field="capacity"
        )
    return {
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "capacity": int(text),
        "local_day": local_date(data.starts_at),
    }


def _checked_details(community_id: int, data: ActivityInput) -> dict:
    """The activity's own fields (everything but the slots), cleaned, or an ActivityError."""
    from alliance.projects.models import Project

    title = (data.title or "").strip()
    if not title or len(title) > 80:
        raise ActivityError(_l("请填写活动名称（不超过80字）。"), code="title", field="title")
    place = (data.place or "").strip()
    if not place or len(place) > 120:
        raise ActivityError(_l("请填写活动地点（不超过120字）。"), code="place", field="place")
    if data.category not in CATEGORIES:
        raise ActivityError(_l("请选择活动类别。"), code="category", field="category")
    description = (data.description or "").strip()
    if len(description) > 2000:
        raise ActivityError(_l("活动说明不能超过2000字。"), code="description", field="description")
    per_hour_text = str(data.points_per_hour if data.points_per_hour is not None else "").strip()
    per_hour = None
    if per_hour_text:
        if not _DIGITS.fullmatch(per_hour_text) or int(per_hour_text) > 1000:
            raise ActivityError(
                _l("每小时积分应是0到1000之间的整数，不能为负数或小数。"),
                code="per_hour",
                field="points_per_hour",
            )
        per_hour = int(per_hour_text)
    policy = (data.insurance_policy or "").strip()
    if data.insured and not policy:
        raise ActivityError(
            _l("请填写保险公司和保单号（已为志愿者投保时必填）。"),
            code="policy_required",
            field="insurance_policy",
        )
    if len(policy) > 200:
        raise ActivityError(
            _l("保单信息不能超过200字。"), code="policy_too_long", field="insurance_policy"
        )
    if data.project_id:
        project = db.session.get(Project, data.project_id)
        if project is None or project.community_id != community_id:
            raise ActivityError(
                _l("本社区的项目清单里没有这个项目。"), code="project", field="project_id"
            )
    return {
        "title": title,
        "category": data.category,
        "place": place,
        "description": description,
        "emergency": bool(data.emergency),
        "points_per_hour": per_hour,
        "project_id": data.project_id or None,
        "insured": bool(data.insured),
        "insurance_policy": policy if data.insured else "",
    }


def create_activity(
    community: Community, actor: User, data: ActivityInput, now: datetime | None = None
) -> Activity:
    now = now or utcnow()
    details = _checked_details(community.id, data)
    if not data.slots:
        raise ActivityError(_l("请至少添加一个时段。"), code="slots", field="starts_at")
    if len(data.slots) > MAX_SLOTS:
        raise ActivityError(_l("一个活动最多20个时段。"), code="slots", field="starts_at")
    slots = [_checked_slot(s, now) for s in data.slots]
    activity = Activity(community_id=community.id, created_by_id=actor.id, **details)
    db.session.add(activity)
    db.session.flush()
    for values in slots:
        db.session.add(
            ActivitySlot(activity_id=activity.id, community_id=community.id, taken=0, **values)
        )
    db.session.flush()
    return activity


def ensure_editable(activity: Activity) -> None:
    if activity.is_cancelled:
        raise ActivityError(_l("活动已取消，不能再修改。"), code="cancelled", status=409)


def update_activity(activity: Activity, data: ActivityInput) -> Activity:
    """Correct a published activity's own fields; its slots are left as they are (`data.slots`
    is ignored). Points already confirmed stay as they were: `confirm` computes a sign-up's
    points once, from the activity as it is then, and stores them with the ledger entry."""
    ensure_editable(activity)
    details = _checked_details(activity.community_id, data)
    changed = any(getattr(activity, name) != value for name, value in details.items())
    for name, value in details.items():
        setattr(activity, name, value)
    db.session.flush()
    if changed:
        _tell_signed_up(activity, "activity.slot_changed")
    return activity


def _tell_signed_up(activity: Activity, kind: str) -> None:
    """Everyone with a live sign-up in a slot still to come hears about a change."""
    people = db.session.scalars(
        select(Signup.user_id)
        .join(ActivitySlot, ActivitySlot.id == Signup.slot_id)
        .where(
            Signup.activity_id == activity.id,
            Signup.status == SignupStatus.SIGNED_UP,
            ActivitySlot.starts_at > utcnow(),
        )
        .distinct()
    ).all()
    notify(
        people,
        kind,
        {"activity": activity.title},
        link=f"/activities/{activity.id}",
        community_id=activity.community_id,
    )


def add_slot(activity: Activity, data: SlotInput, now: datetime | None = None) -> ActivitySlot:
    if activity.is_cancelled:
        raise ActivityError(_l("活动已取消。"), code="cancelled", status=409)
    values = _checked_slot(data, now or utcnow())
    slot = ActivitySlot(
        activity_id=activity.id, community_id=activity.community_id, taken=0, **values
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def cancel_activity(activity: Activity) -> None:
    if activity.is_cancelled:
        raise ActivityError(_l("活动已经取消了。"), code="cancelled", status=409)
    activity.status = ActivityStatus.CANCELLED
    db.session.flush()
    _tell_signed_up(activity, "activity.cancelled")


# --- sign-ups ------------------------------------------------------------------------------


def active_profile(user: User, community_id: int) -> VolunteerProfile | None:
    return db.session.scalars(
        select(VolunteerProfile).where(
            VolunteerProfile.user_id == user.id,
            VolunteerProfile.community_id == community_id,
            VolunteerProfile.status == VolunteerStatus.ACTIVE,
        )
    ).first()


def sign_up(slot: ActivitySlot, user: User, now: datetime | None = None) -> Signup:
    """Take one place in the slot; the conditional UPDATE makes capacity hold under races."""
    now = now or utcnow()
    lock_for_write()
    activity = slot.activity
    if activity.is_cancelled:
        raise ActivityError(_l("活动已取消，不能报名。"), code="cancelled", status=409)
    if slot.starts_at <= now:
        raise ActivityError(_l("这个时段已经开始了，不能再报名。"), code="started", status=409)
    if active_profile(user, slot.community_id) is None:
        raise ActivityError(
            _l("只有本社区在岗的志愿者可以报名。"), code="not_volunteer", status=403
        )
    existing = db.session.scalars(
        select(Signup).where(Signup.slot_id == slot.id, Signup.user_id == user.id)
    ).first()
    if existing is not None and existing.status == SignupStatus.SIGNED_UP:
        raise ActivityError(_l("您已经报名了这个时段。"), code="already", status=409)
    took = db.session.execute(
        update(ActivitySlot)
        .where(ActivitySlot.id == slot.id, ActivitySlot.taken < ActivitySlot.capacity)
        .values(taken=ActivitySlot.taken + 1)
    ).rowcount
    if took != 1:
        raise ActivityError(_l("这个时段已经报满了。"), code="full", status=409)
    if existing is not None:
        changed = db.session.execute(
            update(Signup)
            .where(Signup.id == existing.id, Signup.status != SignupStatus.SIGNED_UP)
            .values(status=SignupStatus.SIGNED_UP)
        ).rowcount
        if changed != 1:
            raise ActivityError(_l("您已经报名了这个时段。"), code="already", status=409)
        db.session.expire(existing)
        _tell_confirmed(existing.user_id, slot)
        return existing
    signup = Signup(
        slot_id=slot.id,
        activity_id=activity.id,
        community_id=slot.community_id,
        user_id=user.id,
        status=SignupStatus.SIGNED_UP,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(signup)
            db.session.flush()
    except IntegrityError as exc:
        raise ActivityError(_l("您已经报名了这个时段。"), code="already", status=409) from exc
    _tell_confirmed(user.id, slot)
    return signup


def _tell_confirmed(user_id: int, slot: ActivitySlot) -> None:
    from alliance.templating import localtime

    notify(
        [user_id],
        "activity.signup_confirmed",
        {"activity": slot.activity.title, "when": localtime(slot.starts_at)},
        link=f"/activities/{slot.activity_id}",
        community_id=slot.community_id,
    )


def cancel_signup(signup: Signup, now: datetime | None = None) -> None:
    now = now or utcnow()
    lock_for_write()
    if signup.slot.starts_at <= now:
        raise ActivityError(
            _l("时段已经开始，不能取消报名；如不能到场请联系组织者。"), code="started", status=409
        )
    changed = db.session.execute(
        update(Signup)
        .where(
            Signup.id == signup.id,
            Signup.status == SignupStatus.SIGNED_UP,
            Signup.check_in_at.is_(None),
        )
        .values(status=SignupStatus.CANCELLED)
    ).rowcount
    if changed != 1:
        raise ActivityError(_l("您没有报名这个时段。"), code="not_signed_up", status=409)
    db.session.execute(
        update(ActivitySlot)
        .where(ActivitySlot.id == signup.slot_id, ActivitySlot.taken > 0)
        .values(taken=ActivitySlot.taken - 1)
    )
    db.session.expire_all()


# --- attendance ----------------------------------------------------------------------------


def _open_for_attendance(signup: Signup) -> None:
    if signup.status != SignupStatus.SIGNED_UP:
        raise ActivityError(
            _l("这位志愿者没有报名这个时段（或已取消）。"), code="not_signed_up", status=409
        )
    if signup.confirmed_at is not None:
        raise ActivityError(_l("时长已经确认，不能再修改。"), code="confirmed", status=409)


def window(slot: ActivitySlot) -> tuple[datetime, datetime]:
    """Service hours count between the slot's start and end, widened by the tolerance."""
    return slot.starts_at - ATTENDANCE_TOLERANCE, slot.ends_at + ATTENDANCE_TOLERANCE


def _minutes(check_in: datetime, check_out: datetime, slot: ActivitySlot) -> int:
    if check_out < check_in:
        raise ActivityError(
            _l("签退时间不能早于签到时间。"), code="checkout_before_checkin", field="check_out"
        )
    earliest, latest = window(slot)
    if check_in < earliest or check_out > latest:
        raise ActivityError(
            code="outside_slot",
            message=_l(
                "签到和签退时间须在时段内（可提前或推后%(m)d分钟）：%(start)s 至 %(end)s。",
                m=TOLERANCE_MINUTES,
                start=earliest.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M"),
                end=latest.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M"),
            ),
            field="check_out" if check_in >= earliest else "check_in",
        )
    minutes = int((check_out - check_in).total_seconds() // 60)
    if minutes > MAX_SLOT_HOURS * 60:
        raise ActivityError(
            _l("服务时长不能超过24小时，请核对时间。"), code="too_long", field="check_out"
        )
    return minutes


def _not_own(signup: Signup, actor: User | None) -> None:
    """Nobody records or confirms their own hours: a grid worker who also volunteers would
    otherwise credit themselves."""
    if actor is not None and actor.id == signup.user_id:
        raise ActivityError(
            _l("不能登记或确认自己的服务时长，请另一位组织者操作。"), code="own_hours", status=403
        )


def check_in(signup: Signup, at: datetime) -> None:
    _open_for_attendance(signup)
    if signup.check_in_at is not None:
        raise ActivityError(_l("已经签到过了。"), code="already_in", status=409)
    signup.check_in_at = at
    db.session.flush()


def check_out(signup: Signup, at: datetime) -> None:
    _open_for_attendance(signup)
    if signup.check_in_at is None:
        raise ActivityError(_l("还没有签到，不能签退。"), code="not_in", status=409)
    if signup.check_out_at is not None:
        raise ActivityError(_l("已经签退过了。"), code="already_out", status=409)
    # A scan is a real moment: outside the window it counts at the window's edge.
    earliest, latest = window(signup.slot)
    at = min(max(at, earliest), latest)
    signup.check_in_at = min(max(signup.check_in_at, earliest), at)
    signup.minutes = _minutes(signup.check_in_at, at, signup.slot)
    signup.check_out_at = at
    db.session.flush()


def is_backfill(slot: ActivitySlot, now: datetime) -> bool:
    """补录: hours entered on a later (local) day than the activity's slot ended."""
    return local_date(now) > local_date(slot.ends_at)


def set_times(
    signup: Signup,
    check_in_at: datetime | None,
    check_out_at: datetime | None,
    *,
    actor: User | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """The organiser marks attendance by hand, within the slot (and its tolerance); after the
    activity's day it is a 补录 and needs a reason, kept with who entered it for the service
    record export."""
    now = now or utcnow()
    lock_for_write()
    _not_own(signup, actor)
    _open_for_attendance(signup)
    if check_in_at is None or check_out_at is None:
        raise ActivityError(_l("请填写签到和签退时间。"), code="times_required", field="check_in")
    minutes = _minutes(check_in_at, check_out_at, signup.slot)
    if is_backfill(signup.slot, now):
        reason = (reason or "").strip()
        if not reason:
            raise ActivityError(
                _l("活动结束后补录时长，请填写补录原因。"), code="reason_required", field="reason"
            )
        if len(reason) > 200:
            raise ActivityError(
                _l("补录原因不能超过200字。"), code="reason_too_long", field="reason"
            )
        signup.backfilled_at = now
        signup.backfilled_by_id = actor.id if actor else None
        signup.backfill_reason = reason
    signup.minutes = minutes
    signup.check_in_at, signup.check_out_at = check_in_at, check_out_at
    db.session.flush()


def mark_absent(signup: Signup) -> None:
    lock_for_write()
    _open_for_attendance(signup)
    signup.status = SignupStatus.ABSENT
    signup.check_in_at = signup.check_out_at = None
    signup.minutes = None
    db.session.flush()


def card_holder_from_text(text: str) -> Card:
    """A card number, a code or a scanned /c/<code> URL → the current card, or an error."""
    _card, code = cards.scanned_card(text)
    result = counter.verify(code, None, with_offers=False)
    if result.card is None:
        raise ActivityError(
            _l("没有找到这张卡，请核对卡号或重新扫码。"),
            code="unknown_card",
            status=404,
            field="text",
        )
    if not result.valid:
        raise ActivityError(
            _l("这张卡现在不能使用：%(r)s", r=result.reason_label),
            code="invalid_card",
            status=422,
            field="text",
        )
    return result.card


def scan(slot: ActivitySlot, text: str, now: datetime | None = None) -> tuple[Signup, str]:
    """Check the card's holder in, or out when already in. Returns (signup, "in" | "out")."""
    now = now or utcnow()
    lock_for_write()
    card = card_holder_from_text(text)
    signup = db.session.scalars(
        select(Signup).where(Signup.slot_id == slot.id, Signup.user_id == card.holder_id)
    ).first()
    if signup is None or signup.status != SignupStatus.SIGNED_UP:
        raise ActivityError(
            _l("这位志愿者没有报名这个时段。"), code="not_signed_up", status=409, field="text"
        )
    if signup.check_in_at is None:
        check_in(signup, now)
        return signup, "in"
    check_out(signup, now)
    return signup, "out"


def points_for_signup(signup: Signup) -> int:
    activity = signup.activity
    # The rule in force on the day of the service, so a later rule change never reaches it.
    rule = scoring.rule_at(activity.community_id, signup.slot.local_day)
    per_hour = (
        activity.points_per_hour
        if activity.points_per_hour is not None
        else rule.per_hour_for(activity.category)
    )
    percent = scoring.percent_for(
        rule, emergency=activity.emergency, night=scoring.is_night(signup.slot.starts_at, rule)
    )
    return scoring.points_for(signup.minutes or 0, per_hour, percent)


def confirm(signup: Signup, actor: User, now: datetime | None = None) -> int:
    """The organiser confirms the hours; the rule's points are earned once (unique per sign-up)."""
    now = now or utcnow()
    lock_for_write()
    _not_own(signup, actor)
    if signup.status != SignupStatus.SIGNED_UP or signup.minutes is None:
        raise ActivityError(_l("还没有签到签退记录，不能确认。"), code="no_hours", status=409)
    # Hours recorded before the window rule (or written around it) are checked again.
    _minutes(signup.check_in_at, signup.check_out_at, signup.slot)
    changed = db.session.execute(
        update(Signup)
        .where(Signup.id == signup.id, Signup.confirmed_at.is_(None))
        .values(confirmed_at=now, confirmed_by_id=actor.id)
    ).rowcount
    if changed != 1:
        raise ActivityError(_l("时长已经确认过了。"), code="confirmed", status=409)
    db.session.refresh(signup)
    earned = points_for_signup(signup)
    signup.points = earned
    db.session.flush()
    holder = db.session.get(User, signup.user_id)
    if earned > 0:
        ledger.post_entry(
            user_id=signup.user_id,
            community_id=holder.community_id or signup.community_id,
            kind=EntryKind.EARN,
            delta=earned,
            actor_id=actor.id,
            signup_id=signup.id,
            reason=signup.activity.title,
            now=now,
        )
    stars.record_progress(signup.user_id, holder.community_id or signup.community_id, now)
    return earned


def confirm_slot(slot: ActivitySlot, actor: User, now: datetime | None = None) -> tuple[int, int]:
    """Confirm every checked-out, unconfirmed sign-up of the slot: (people, points)."""
    lock_for_write()
    pending = list(
        db.session.scalars(
            select(Signup).where(
                Signup.slot_id == slot.id,
                Signup.status == SignupStatus.SIGNED_UP,
                Signup.minutes.is_not(None),
                Signup.confirmed_at.is_(None),
                # The organiser's own hours wait for another organiser.
                Signup.user_id != actor.id,
            )
        )
    )
    total = 0
    for signup in pending:
        total += confirm(signup, actor, now)
    return len(pending), total


# --- lists ---------------------------------------------------------------------------------


def upcoming(community_id: int, now: datetime | None = None, limit: int = 50) -> list[Activity]:
    """Published activities with a slot still to come, soonest first (2 queries)."""
    now = now or utcnow()
    soonest = (
        select(ActivitySlot.activity_id, func.min(ActivitySlot.starts_at).label("first"))
        .where(ActivitySlot.community_id == community_id, ActivitySlot.ends_at > now)
        .group_by(ActivitySlot.activity_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(Activity)
            .join(soonest, soonest.c.activity_id == Activity.id)
            .where(Activity.status == ActivityStatus.PUBLISHED)
            .options(selectinload(Activity.slots))
            .order_by(soonest.c.first, Activity.id)
            .limit(limit)
        )
    )


def signups_of(user_id: int, limit: int = 100) -> list[Signup]:
    return list(
        db.session.scalars(
            select(Signup)
            .where(Signup.user_id == user_id)
            .join(Signup.slot)
            .options(selectinload(Signup.slot), selectinload(Signup.activity))
            .order_by(ActivitySlot.starts_at.desc())
            .limit(limit)
        )
    )


# --- records and the leaderboard -----------------------------------------------------------


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
    account_id = ledger.ensure_account(user.id, user.community_id)
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

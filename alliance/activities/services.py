"""Rules for volunteer activities: publishing, sign-ups and the lists. Attendance and
confirmation are in service_hours.py, service records and the leaderboard in records.py.
Services add and flush, never commit."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from alliance.accounts.models import Role, User
from alliance.activities.models import (
    CATEGORIES,
    Activity,
    ActivitySlot,
    ActivityStatus,
    Signup,
    SignupStatus,
)
from alliance.clock import local_date
from alliance.communities.models import Community
from alliance.communities.services import can_administer
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.notifications.services import notify
from alliance.volunteers.models import VolunteerProfile, VolunteerStatus

MAX_SLOT_HOURS = 24
MAX_SLOTS = 20
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

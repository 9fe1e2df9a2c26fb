"""Service hours of volunteer activities: check-in and check-out (by hand or by scanning a
card), absence, 补录, and the organiser's confirmation that earns the rule's points. Services add
and flush, never commit."""

from datetime import datetime, timedelta

from sqlalchemy import select, update

from alliance.accounts.models import User
from alliance.activities.models import ActivitySlot, Signup, SignupStatus
from alliance.activities.services import MAX_SLOT_HOURS, ActivityError
from alliance.cards import services as cards
from alliance.cards.models import Card
from alliance.clock import LOCAL_TZ, local_date
from alliance.counter import services as counter
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.points import ledger as points_ledger
from alliance.points import scoring as points_scoring
from alliance.points.models import EntryKind
from alliance.stars import services as stars

# Volunteers may check in this early and out this late; the hours stay within the window.
TOLERANCE_MINUTES = 30
ATTENDANCE_TOLERANCE = timedelta(minutes=TOLERANCE_MINUTES)


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
    rule = points_scoring.rule_at(activity.community_id, signup.slot.local_day)
    per_hour = (
        activity.points_per_hour
        if activity.points_per_hour is not None
        else rule.per_hour_for(activity.category)
    )
    percent = points_scoring.percent_for(
        rule,
        emergency=activity.emergency,
        night=points_scoring.is_night(signup.slot.starts_at, rule),
    )
    return points_scoring.points_for(signup.minutes or 0, per_hour, percent)


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
        points_ledger.post_entry(
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

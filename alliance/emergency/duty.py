"""The 24-hour duty roster (24小时值班): shifts, the leader on shift (带班领导), sign-on at the
duty room by scanning the card, and the hand-over note that passes to the next shift."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alliance.accounts.models import Role, User
from alliance.activities.service_hours import card_holder_from_text
from alliance.audit.services import acting_as
from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.emergency.models import DutyAssignment, DutyShift
from alliance.emergency.roster import find_on_roster
from alliance.emergency.services import EmergencyError
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l

MAX_SHIFT = timedelta(hours=24)
# A shift without a leader is flagged this long before it starts (and while it runs).
FLAG_AHEAD = timedelta(days=7)


@dataclass
class ShiftInput:
    starts_at: datetime
    hours: int
    place: str = ""
    leader: str = ""
    people: tuple[str, ...] = ()


def can_run_duty(user: User | None, community_id: int) -> bool:
    return user is None or (user.has_role(Role.SECRETARY) and user.community_id == community_id)


def create_shift(community: Community, data: ShiftInput, *, actor: User | None) -> DutyShift:
    if not can_run_duty(actor, community.id):
        raise EmergencyError(_l("只有社区书记可以排班。"), status=403)
    if data.starts_at is None:
        raise EmergencyError(_l("请填写开始时间。"), field="starts_at")
    if not 1 <= (data.hours or 0) <= 24:
        raise EmergencyError(_l("每班 1 到 24 小时。"), field="hours")
    ends_at = data.starts_at + timedelta(hours=data.hours)
    leader = find_on_roster(community, data.leader, "leader") if data.leader.strip() else None
    people = [find_on_roster(community, p, "people") for p in data.people if p.strip()]
    shift = DutyShift(
        community_id=community.id,
        starts_at=data.starts_at,
        ends_at=ends_at,
        place=(data.place or "").strip()[:120],
    )
    rows = []
    if leader is not None:
        rows.append(DutyAssignment(community_id=community.id, user_id=leader.id, is_leader=True))
    for person in dict.fromkeys(people):
        if leader is None or person.id != leader.id:
            rows.append(DutyAssignment(community_id=community.id, user_id=person.id))
    if not rows:
        raise EmergencyError(_l("请安排值班人员。"), field="people")
    shift.people = rows
    with acting_as(actor):
        db.session.add(shift)
        db.session.flush()
    return shift


def shifts_between(community_id: int, start: datetime, end: datetime) -> list[DutyShift]:
    return list(
        db.session.scalars(
            select(DutyShift)
            .where(
                DutyShift.community_id == community_id,
                DutyShift.ends_at > start,
                DutyShift.starts_at < end,
            )
            .options(selectinload(DutyShift.people).joinedload(DutyAssignment.user))
            .order_by(DutyShift.starts_at, DutyShift.id)
        )
    )


def on_duty_now(community_id: int, now: datetime | None = None) -> list[DutyShift]:
    now = now or utcnow()
    return shifts_between(community_id, now, now + timedelta(microseconds=1))


def without_leader(shifts: list[DutyShift]) -> list[DutyShift]:
    return [s for s in shifts if not any(a.is_leader for a in s.people)]


def leaderless_ahead(community_id: int, now: datetime | None = None) -> list[DutyShift]:
    """Shifts running or starting within a week that have no leader: flagged before they start."""
    now = now or utcnow()
    return without_leader(shifts_between(community_id, now, now + FLAG_AHEAD))


def previous_shift(shift: DutyShift) -> DutyShift | None:
    return db.session.scalars(
        select(DutyShift)
        .where(
            DutyShift.community_id == shift.community_id,
            DutyShift.starts_at < shift.starts_at,
        )
        .order_by(DutyShift.starts_at.desc(), DutyShift.id.desc())
        .limit(1)
    ).first()


def sign_on(shift: DutyShift, card_text: str, *, actor: User, now: datetime | None = None):
    """The duty room scans the card of a person on this shift: signed on."""
    if not can_run_duty(actor, shift.community_id) and not _on_shift(shift, actor.id):
        raise EmergencyError(_l("只有值班人员或社区书记可以签到。"), status=403)
    now = now or utcnow()
    if now < shift.starts_at - timedelta(hours=1) or now >= shift.ends_at:
        raise EmergencyError(
            _l("不在这一班的时间内（开班前 1 小时起可以签到）。"), code="not_now", field="card"
        )
    try:
        card = card_holder_from_text(card_text)
    except DomainError as exc:
        raise EmergencyError(exc.message, code="bad_card", status=exc.status, field="card") from exc
    row = _on_shift(shift, card.holder_id)
    if row is None:
        raise EmergencyError(
            _l("这张卡的持卡人不在这一班。"), code="not_on_shift", status=409, field="card"
        )
    if row.signed_on_at is None:
        row.signed_on_at = now
        db.session.flush()
    return row


def _on_shift(shift: DutyShift, user_id: int) -> DutyAssignment | None:
    return next((a for a in shift.people if a.user_id == user_id), None)


def hand_over(shift: DutyShift, note: str, *, actor: User) -> DutyShift:
    """The outgoing shift's note for the next one (交接班)."""
    if not can_run_duty(actor, shift.community_id) and not _on_shift(shift, actor.id):
        raise EmergencyError(_l("只有值班人员或社区书记可以写交接班记录。"), status=403)
    note = (note or "").strip()
    if not note:
        raise EmergencyError(_l("请填写交接班记录。"), field="note")
    if len(note) > 2000:
        raise EmergencyError(_l("最多 %(n)d 字。", n=2000), field="note")
    shift.handover_note = note
    shift.handover_at = utcnow()
    db.session.flush()
    return shift


def load_shift(shift_id: int) -> DutyShift | None:
    return db.session.scalars(
        select(DutyShift)
        .where(DutyShift.id == shift_id)
        .options(selectinload(DutyShift.people).joinedload(DutyAssignment.user))
    ).first()

"""Meeting series, meetings, attendance (card sign-in or ticked) and the minutes."""

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alliance.activities.service_hours import card_holder_from_text
from alliance.clock import LOCAL_TZ
from alliance.committee.models import (
    Attendance,
    CommitteeMember,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MemberRole,
    MinutesEdit,
    Presence,
    SeriesKind,
)
from alliance.committee.services import CommitteeError, members
from alliance.communities.models import Community
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l

EDIT_WINDOW = timedelta(days=7)
DEFAULT_SERIES = {
    SeriesKind.LIAISON: (1, (MemberRole.CHAIR, MemberRole.LIAISON)),
    SeriesKind.HEADS: (
        3,
        (
            MemberRole.CHAIR,
            MemberRole.BUSINESS_HEAD,
            MemberRole.RESIDENT_REP,
            MemberRole.VOLUNTEER_REP,
            MemberRole.STREET_CONTACT,
        ),
    ),
}


def series_of(community_id: int) -> list[MeetingSeries]:
    return list(
        db.session.scalars(
            select(MeetingSeries)
            .where(MeetingSeries.community_id == community_id)
            .order_by(MeetingSeries.id)
        )
    )


def ensure_series(community_id: int, kind: str) -> MeetingSeries:
    if kind not in set(SeriesKind):
        raise CommitteeError("bad_series", _l("没有这种会议。"), 404)
    series = db.session.scalars(
        select(MeetingSeries).where(
            MeetingSeries.community_id == community_id, MeetingSeries.kind == kind
        )
    ).first()
    if series is None:
        interval, roles = DEFAULT_SERIES[SeriesKind(kind)]
        series = MeetingSeries(
            community_id=community_id,
            kind=kind,
            interval_months=interval,
            roles=",".join(roles),
            quorum_percent=None,
            place="",
        )
        db.session.add(series)
        db.session.flush()
    return series


def set_quorum(series: MeetingSeries, percent) -> MeetingSeries:
    text = str(percent if percent is not None else "").strip()
    if text == "":
        series.quorum_percent = None
    elif not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100:
        raise CommitteeError("bad_quorum", _l("法定人数比例应是1到100之间的整数。"), field="quorum")
    else:
        series.quorum_percent = int(text)
    db.session.flush()
    return series


def quorum_needed(series: MeetingSeries, invited: int) -> int:
    """More than half by default; with a percentage, at least that share (rounded up)."""
    if series.quorum_percent is None:
        return invited // 2 + 1
    return max(1, -(-invited * series.quorum_percent // 100))


def add_months(moment: datetime, months: int) -> datetime:
    local = moment.astimezone(LOCAL_TZ)
    index = local.year * 12 + local.month - 1 + months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day).astimezone(moment.tzinfo)


def last_meeting(series: MeetingSeries) -> Meeting | None:
    return db.session.scalars(
        select(Meeting).where(Meeting.series_id == series.id).order_by(Meeting.starts_at.desc())
    ).first()


def next_start(series: MeetingSeries) -> datetime | None:
    """The series recurs: one interval after its latest meeting."""
    last = last_meeting(series)
    return add_months(last.starts_at, series.interval_months) if last else None


def schedule(
    community: Community,
    kind: str,
    *,
    starts_at: datetime | None,
    place: str,
    chair_id: int | None = None,
    recorder_id: int | None = None,
) -> Meeting:
    """A meeting of the series, inviting its members in office that day, agenda built."""
    from alliance.committee.services import agenda

    series = ensure_series(community.id, kind)
    if starts_at is None:
        raise CommitteeError("when_required", _l("请填写会议时间。"), field="starts_at")
    where = (place or "").strip()
    if not where:
        raise CommitteeError("place_required", _l("请填写会议地点。"), field="place")
    if len(where) > 120:
        raise CommitteeError("place_too_long", _l("地点不能超过120字。"), field="place")
    day = starts_at.astimezone(LOCAL_TZ).date()
    invited = members.in_office(community.id, series.role_list, day)
    if not invited:
        raise CommitteeError(
            "nobody_invited",
            _l("这个会议还没有可邀请的委员，请先在委员会名单中添加。"),
            field="starts_at",
        )
    chair = next((m for m in invited if m.role == MemberRole.CHAIR), None)
    meeting = Meeting(
        community_id=community.id,
        series_id=series.id,
        starts_at=starts_at,
        place=where,
        chair_id=chair_id or (chair.user_id if chair else None),
        recorder_id=recorder_id,
        status=MeetingStatus.PLANNED,
    )
    db.session.add(meeting)
    db.session.flush()
    for m in invited:
        db.session.add(Attendance(meeting_id=meeting.id, member_id=m.id, user_id=m.user_id))
    db.session.flush()
    agenda.build(meeting)
    return meeting


def meetings_of(community_id: int, limit: int = 100) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.community_id == community_id)
            .options(selectinload(Meeting.series))
            .order_by(Meeting.starts_at.desc())
            .limit(limit)
        )
    )


def attendance_of(meeting: Meeting) -> list[Attendance]:
    return list(
        db.session.scalars(
            select(Attendance)
            .where(Attendance.meeting_id == meeting.id)
            .options(
                selectinload(Attendance.member).selectinload(CommitteeMember.user),
                selectinload(Attendance.member).selectinload(CommitteeMember.merchant),
            )
            .order_by(Attendance.id)
        )
    )


@dataclass
class Count:
    invited: int
    present: int
    excused: int
    needed: int

    @property
    def absent(self) -> int:
        return self.invited - self.present - self.excused

    @property
    def quorate(self) -> bool:
        return self.invited > 0 and self.present >= self.needed


def count(meeting: Meeting, rows: list[Attendance] | None = None) -> Count:
    rows = attendance_of(meeting) if rows is None else rows
    present = sum(1 for a in rows if a.status == Presence.PRESENT)
    excused = sum(1 for a in rows if a.status == Presence.EXCUSED)
    return Count(len(rows), present, excused, quorum_needed(meeting.series, len(rows)))


def _open(meeting: Meeting) -> None:
    if meeting.is_closed:
        raise CommitteeError("closed", _l("会议已经结束，不能再修改出席和决议。"), 409)


def tick(meeting: Meeting, attendance: Attendance, status: str, remark: str = "") -> Attendance:
    _open(meeting)
    if attendance.meeting_id != meeting.id:
        raise CommitteeError("not_invited", _l("这位委员不在本次会议的邀请名单上。"), 404)
    if status not in set(Presence):
        raise CommitteeError("bad_status", _l("请选择出席、缺席或请假。"), field="status")
    note = (remark or "").strip()
    if len(note) > 200:
        raise CommitteeError("remark_too_long", _l("备注不能超过200字。"), field="remark")
    attendance.status = status
    attendance.method = "ticked" if status == Presence.PRESENT else ""
    attendance.signed_at = utcnow() if status == Presence.PRESENT else None
    attendance.remark = note
    db.session.flush()
    return attendance


def sign_in_by_card(meeting: Meeting, text: str, now: datetime | None = None) -> Attendance:
    """The attendee's card, scanned or typed: the same lookup as the activities' check-in."""
    _open(meeting)
    lock_for_write()
    try:
        card = card_holder_from_text(text)
    except DomainError as exc:
        raise CommitteeError("bad_card", getattr(exc, "message", str(exc)), 404, "card") from exc
    row = db.session.scalars(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.user_id == card.holder_id
        )
    ).first()
    if row is None:
        raise CommitteeError(
            "not_invited", _l("这张卡的持卡人不在本次会议的邀请名单上。"), 409, "card"
        )
    if row.status != Presence.PRESENT:
        row.status = Presence.PRESENT
        row.method = "card"
        row.signed_at = now or utcnow()
    db.session.flush()
    return row


def can_edit_minutes_freely(meeting: Meeting, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return not meeting.is_closed or now - meeting.closed_at <= EDIT_WINDOW


def save_minutes(
    meeting: Meeting,
    *,
    discussion: str,
    recorder_id: int | None,
    reason: str,
    actor_id: int,
    now: datetime | None = None,
) -> Meeting:
    """Minutes may change while the meeting is open and for 7 days after; later, with a reason.
    Every change after closing is recorded."""
    now = now or utcnow()
    why = (reason or "").strip()
    if len(why) > 300:
        raise CommitteeError("reason_too_long", _l("原因不能超过300字。"), field="reason")
    if not can_edit_minutes_freely(meeting, now) and not why:
        raise CommitteeError(
            "reason_required",
            _l("会议结束已超过7天，修改纪要须写明原因。"),
            field="reason",
        )
    text = (discussion or "").strip()
    if len(text) > 20000:
        raise CommitteeError("too_long", _l("讨论记录不能超过20000字。"), field="discussion")
    meeting.discussion = text
    if recorder_id is not None:
        meeting.recorder_id = recorder_id
    if meeting.is_closed:
        db.session.add(MinutesEdit(meeting_id=meeting.id, editor_id=actor_id, reason=why))
    db.session.flush()
    return meeting


def close(meeting: Meeting, now: datetime | None = None) -> Meeting:
    _open(meeting)
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = now or utcnow()
    db.session.flush()
    return meeting


def edits_of(meeting: Meeting) -> list[MinutesEdit]:
    return list(
        db.session.scalars(
            select(MinutesEdit).where(MinutesEdit.meeting_id == meeting.id).order_by(MinutesEdit.id)
        )
    )

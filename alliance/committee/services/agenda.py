"""The agenda builds itself from what needs the committee, and the secretary edits it.

Sources: undone decisions of earlier meetings (carried over, marked overdue past their due
date), proposals (members' and those a meeting without quorum could not decide), proposed rule
changes, service orders overdue or returned by the street office, reports that a commitment was
not kept, and commitments waiting for review. Each item remembers its source, so building again
adds only what is new and never brings back what the secretary removed.
"""

from sqlalchemy import func, select

from alliance.clock import LOCAL_TZ
from alliance.commitments.models import (
    BrokenCommitmentReport,
    Commitment,
    CommitmentStatus,
    ReportStatus,
)
from alliance.committee.models import (
    UNDONE_STATES,
    AgendaItem,
    Decision,
    Meeting,
    Proposal,
)
from alliance.committee.services import CommitteeError
from alliance.extensions import db
from alliance.help_requests.models import (
    OPEN_STATES,
    WAITING_STATES,
    HelpRequest,
    HelpRequestEvent,
)
from alliance.i18n import lazy_gettext as _l
from alliance.points.rule_versions import proposed_of

LIMIT = 30  # per source: an agenda longer than this is not one meeting's work

KIND_LABELS = {
    "carry": _l("上次决议跟进"),
    "overdue": _l("逾期未办决议"),
    "proposal": _l("委员提议"),
    "no_quorum": _l("上次会议未决事项"),
    "rule": _l("规则修改"),
    "order_overdue": _l("超时工单"),
    "order_returned": _l("街道退回工单"),
    "report": _l("承诺未兑现反映"),
    "review": _l("待审核承诺"),
    "other": _l("其他事项"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def _candidates(meeting: Meeting) -> list[tuple[str, str, str, int, str]]:
    """(source_key, kind, title, ref_id, note) for everything that should be on the agenda."""
    community_id = meeting.community_id
    day = meeting.starts_at.astimezone(LOCAL_TZ).date()
    found = []
    earlier = select(Meeting.id).where(
        Meeting.community_id == community_id, Meeting.starts_at < meeting.starts_at
    )
    for d in db.session.scalars(
        select(Decision)
        .where(
            Decision.community_id == community_id,
            Decision.state.in_(UNDONE_STATES),
            Decision.meeting_id.in_(earlier),
        )
        .order_by(Decision.due_date, Decision.id)
        .limit(LIMIT)
    ):
        kind = "overdue" if d.due_date < day else "carry"
        note = str(
            _l("%(n)s，期限%(d)s，%(s)s", n=d.number, d=d.due_date.isoformat(), s=d.state_label)
        )
        found.append((f"decision:{d.id}", kind, d.text[:200], d.id, note))
    for p in db.session.scalars(
        select(Proposal)
        .where(
            Proposal.community_id == community_id,
            Proposal.decided.is_(False),
            (Proposal.from_meeting_id.is_(None)) | (Proposal.from_meeting_id != meeting.id),
        )
        .order_by(Proposal.id)
        .limit(LIMIT)
    ):
        kind = "no_quorum" if p.from_meeting_id else "proposal"
        found.append((f"proposal:{p.id}", kind, p.title, p.id, p.note))
    for v in proposed_of(community_id)[:LIMIT]:
        note = str(_l("%(d)s起生效", d=v.effective_from.isoformat()))
        found.append((f"rule:{v.id}", "rule", v.summary, v.id, note))
    for o in db.session.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.community_id == community_id,
            HelpRequest.state.in_(WAITING_STATES),
            HelpRequest.due_at < meeting.starts_at,
        )
        .order_by(HelpRequest.due_at)
        .limit(LIMIT)
    ):
        found.append((f"order:{o.id}", "order_overdue", o.title, o.id, o.state_label))
    returned = (
        select(HelpRequestEvent.help_request_id)
        .where(HelpRequestEvent.community_id == community_id, HelpRequestEvent.action == "return")
        .group_by(HelpRequestEvent.help_request_id)
    )
    for o in db.session.scalars(
        select(HelpRequest)
        .where(HelpRequest.id.in_(returned), HelpRequest.state.in_(OPEN_STATES))
        .order_by(HelpRequest.id)
        .limit(LIMIT)
    ):
        found.append((f"returned:{o.id}", "order_returned", o.title, o.id, o.state_label))
    for r in db.session.scalars(
        select(BrokenCommitmentReport)
        .where(
            BrokenCommitmentReport.community_id == community_id,
            BrokenCommitmentReport.status == ReportStatus.OPEN,
        )
        .order_by(BrokenCommitmentReport.id)
        .limit(LIMIT)
    ):
        found.append((f"report:{r.id}", "report", r.commitment.title, r.id, r.text[:500]))
    for c in db.session.scalars(
        select(Commitment)
        .where(
            Commitment.community_id == community_id,
            Commitment.status == CommitmentStatus.PENDING,
        )
        .order_by(Commitment.id)
        .limit(LIMIT)
    ):
        found.append((f"review:{c.id}", "review", c.title, c.id, c.merchant.name))
    return found


def build(meeting: Meeting) -> int:
    """Add what is new to the agenda; returns how many items were added."""
    if meeting.is_closed:
        return 0
    known = set(
        db.session.scalars(
            select(AgendaItem.source_key).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.source_key.is_not(None)
            )
        )
    )
    position = _last_position(meeting)
    added = 0
    for key, kind, title, ref_id, note in _candidates(meeting):
        if key in known:
            continue
        position += 1
        added += 1
        db.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                position=position,
                kind=kind,
                title=title[:200],
                note=(note or "")[:500],
                source_key=key,
                ref_id=ref_id,
            )
        )
    db.session.flush()
    return added


def _last_position(meeting: Meeting) -> int:
    return (
        db.session.scalar(
            select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
        )
        or 0
    )


def items_of(meeting: Meeting) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, AgendaItem.removed.is_(False))
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def _text(title: str, note: str) -> tuple[str, str]:
    title = (title or "").strip()
    note = (note or "").strip()
    if not title:
        raise CommitteeError("title_required", _l("请填写议题。"), field="title")
    if len(title) > 200:
        raise CommitteeError("title_too_long", _l("议题不能超过200字。"), field="title")
    if len(note) > 500:
        raise CommitteeError("note_too_long", _l("说明不能超过500字。"), field="note")
    return title, note


def _editable(meeting: Meeting) -> None:
    if meeting.is_closed:
        raise CommitteeError("closed", _l("会议已经结束，议程不能再改。"), 409)


def add_item(meeting: Meeting, title: str, note: str = "") -> AgendaItem:
    _editable(meeting)
    title, note = _text(title, note)
    item = AgendaItem(
        meeting_id=meeting.id,
        position=_last_position(meeting) + 1,
        kind="other",
        title=title,
        note=note,
    )
    db.session.add(item)
    db.session.flush()
    return item


def edit_item(meeting: Meeting, item: AgendaItem, title: str, note: str) -> AgendaItem:
    _editable(meeting)
    item.title, item.note = _text(title, note)
    db.session.flush()
    return item


def remove_item(meeting: Meeting, item: AgendaItem) -> AgendaItem:
    _editable(meeting)
    item.removed = True
    db.session.flush()
    return item


def move_up(meeting: Meeting, item: AgendaItem) -> None:
    _editable(meeting)
    items = items_of(meeting)
    index = next(i for i, x in enumerate(items) if x.id == item.id)
    if index == 0:
        return
    above = items[index - 1]
    # Renumber first so two items never share a position and the swap is unambiguous.
    for n, x in enumerate(items, start=1):
        x.position = n
    above.position, item.position = item.position, above.position
    db.session.flush()

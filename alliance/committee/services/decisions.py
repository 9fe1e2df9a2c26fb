"""Decisions (决议): numbered per community and year, owned, dated, followed to done or dropped.

A decision is passed only with the quorum present; otherwise what the meeting agreed is kept as
a proposal for the next one. A decision may adopt a proposed rule change; it carries to later
agendas until done or dropped.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from alliance.accounts.models import Role, User
from alliance.commitments.models import Commitment
from alliance.committee.models import (
    Attendance,
    CommitteeMember,
    Decision,
    DecisionState,
    Meeting,
    MemberRole,
    Proposal,
)
from alliance.committee.services import CommitteeError, meetings
from alliance.communities.models import Community
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest
from alliance.i18n import lazy_gettext as _l
from alliance.notifications.kinds import register_kind
from alliance.notifications.services import notify
from alliance.points import rule_versions
from alliance.points.rule_versions import RuleVersion, VersionStatus
from alliance.projects.models import Project

# Notices are stored as kinds with parameters and worded in the reader's language when read.
register_kind(
    "committee.decision_owned",
    label=_l("我负责的决议"),
    title=_l("您负责的决议：%(n)s"),
    body=_l("%(t)s（期限%(d)s）"),
)
register_kind(
    "committee.decision",
    label=_l("协调委员会决议"),
    title=_l("协调委员会决议：%(n)s"),
    body="%(t)s",
)
register_kind(
    "committee.decision_state",
    label=_l("决议状态变更"),
    title=_l("决议%(n)s：%(s)s"),
    body="%(why)s",
    params=lambda values: {"s": _state_label(values.get("state"))},
)


def _state_label(code) -> str:
    try:
        return DecisionState(code).label
    except ValueError:
        return ""


@dataclass
class DecisionInput:
    text: str
    owner: User | None
    due_date: date | None
    help_request_id: int | None = None
    project_id: int | None = None
    commitment_id: int | None = None
    rule_version_id: int | None = None
    proposal_id: int | None = None


def _checked(community: Community, data: DecisionInput) -> dict:
    text = (data.text or "").strip()
    if not text:
        raise CommitteeError("text_required", _l("请填写决议内容。"), field="text")
    if len(text) > 2000:
        raise CommitteeError("text_too_long", _l("决议内容不能超过2000字。"), field="text")
    owner = data.owner
    if owner is None:
        raise CommitteeError(
            "owner_required",
            _l("每项决议都要有负责人：请填写负责人的用户名或手机号。"),
            field="owner",
        )
    street = owner.has_role(Role.STREET_OFFICER) and owner.street_office_id == (
        community.street_office_id
    )
    if owner.community_id != community.id and not street:
        raise CommitteeError("owner_elsewhere", _l("负责人须是本社区或本街道的人。"), field="owner")
    if data.due_date is None:
        raise CommitteeError(
            "due_required", _l("每项决议都要有完成期限：请填写期限。"), field="due_date"
        )
    links = {}
    for name, model in (
        ("help_request_id", HelpRequest),
        ("project_id", Project),
        ("commitment_id", Commitment),
    ):
        value = getattr(data, name)
        if value is None:
            continue
        row = db.session.get(model, value)
        if row is None or row.community_id != community.id:
            raise CommitteeError("bad_link", _l("关联的事项不存在或不属于本社区。"), field=name)
        links[name] = value
    return {"text": text, "owner_id": owner.id, "due_date": data.due_date, **links}


def _rule_version(community: Community, version_id: int | None) -> RuleVersion | None:
    if version_id is None:
        return None
    version = db.session.get(RuleVersion, version_id)
    if version is None or version.community_id != community.id:
        raise CommitteeError(
            "bad_link", _l("这项规则修改不存在或不属于本社区。"), field="rule_version_id"
        )
    if version.status != VersionStatus.PROPOSED:
        raise CommitteeError(
            "already_adopted", _l("这项规则修改已经通过决议。"), 409, field="rule_version_id"
        )
    rule_versions.check_effective(community.id, version.effective_from)
    return version


def _proposal(community: Community, proposal_id: int | None) -> Proposal | None:
    if proposal_id is None:
        return None
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.community_id != community.id or proposal.decided:
        raise CommitteeError("bad_link", _l("这项提议不存在或已经决议。"), field="proposal_id")
    return proposal


def _next_seq(community_id: int, year: int) -> int:
    lock_for_write()
    top = db.session.scalar(
        select(func.max(Decision.seq)).where(
            Decision.community_id == community_id, Decision.year == year
        )
    )
    return (top or 0) + 1


def invited_user_ids(meeting: Meeting) -> list[int]:
    return list(
        db.session.scalars(select(Attendance.user_id).where(Attendance.meeting_id == meeting.id))
    )


def pass_decision(
    meeting: Meeting, data: DecisionInput, *, actor: User, now: datetime | None = None
) -> Decision:
    """Record a decision of an open meeting with its quorum present; refused otherwise."""
    now = now or utcnow()
    if meeting.is_closed:
        raise CommitteeError("closed", _l("会议已经结束，不能再形成决议。"), 409)
    community = db.session.get(Community, meeting.community_id)
    values = _checked(community, data)
    version = _rule_version(community, data.rule_version_id)
    proposal = _proposal(community, data.proposal_id)
    tally = meetings.count(meeting)
    if not tally.quorate:
        raise CommitteeError(
            "no_quorum",
            _l(
                "到会%(p)d人，未达法定人数（应到%(i)d人，至少%(q)d人到会），不能形成决议。"
                "可以「记为下次会议的提议」。",
                p=tally.present,
                i=tally.invited,
                q=tally.needed,
            ),
            field="text",
        )
    year = meeting.starts_at.astimezone(meetings.LOCAL_TZ).year
    decision = Decision(
        community_id=community.id,
        meeting_id=meeting.id,
        year=year,
        seq=_next_seq(community.id, year),
        state=DecisionState.OPEN,
        proposal_id=proposal.id if proposal else None,
        created_at=now,
        updated_at=now,
        **values,
    )
    db.session.add(decision)
    db.session.flush()
    if version is not None:
        rule_versions.adopt(version, decision.id, now)
    if proposal is not None:
        proposal.decided = True
    _tell(decision, meeting, actor)
    db.session.flush()
    return decision


def _tell(decision: Decision, meeting: Meeting, actor: User) -> None:
    link = f"/committee/decisions/{decision.id}"
    params = {"n": decision.number, "t": decision.text[:200], "d": decision.due_date.isoformat()}
    notify(
        [decision.owner_id],
        "committee.decision_owned",
        params,
        link=link,
        community_id=decision.community_id,
    )
    notify(
        [u for u in invited_user_ids(meeting) if u != decision.owner_id],
        "committee.decision",
        params,
        link=link,
        community_id=decision.community_id,
        skip=actor.id,
    )


def record_proposal(meeting: Meeting, data: DecisionInput, *, actor: User) -> Proposal:
    """What a meeting without its quorum agreed: a proposal on the next meeting's agenda."""
    if meeting.is_closed:
        raise CommitteeError("closed", _l("会议已经结束。"), 409)
    community = db.session.get(Community, meeting.community_id)
    text = (data.text or "").strip()
    if not text:
        raise CommitteeError("text_required", _l("请填写决议内容。"), field="text")
    if len(text) > 200:
        raise CommitteeError("text_too_long", _l("提议不能超过200字。"), field="text")
    # A proposed rule change stays proposed and comes back on the next agenda by itself.
    proposal = Proposal(
        community_id=community.id,
        title=text,
        note=str(_l("本次会议未达法定人数，提交下次会议决议。")),
        proposed_by_id=actor.id,
        from_meeting_id=meeting.id,
        owner_id=data.owner.id if data.owner else None,
        due_date=data.due_date,
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


def propose_item(user: User, title: str, note: str) -> Proposal:
    """A liaison officer puts an item on the coming agenda, with a note."""
    posts = [
        m
        for m in db.session.scalars(
            select(CommitteeMember).where(
                CommitteeMember.user_id == user.id,
                CommitteeMember.active,
                CommitteeMember.role == MemberRole.LIAISON,
            )
        )
    ]
    if not posts:
        raise CommitteeError("not_liaison", _l("只有联络员可以提出议题。"), 403)
    title, note = (title or "").strip(), (note or "").strip()
    if not title:
        raise CommitteeError("title_required", _l("请填写议题。"), field="title")
    if len(title) > 200 or len(note) > 500:
        raise CommitteeError("too_long", _l("议题不超过200字，说明不超过500字。"), field="title")
    proposal = Proposal(
        community_id=posts[0].community_id, title=title, note=note, proposed_by_id=user.id
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


STATE_CHANGES = {
    DecisionState.OPEN: (DecisionState.IN_PROGRESS, DecisionState.DONE, DecisionState.DROPPED),
    DecisionState.IN_PROGRESS: (DecisionState.DONE, DecisionState.DROPPED),
    DecisionState.DONE: (),
    DecisionState.DROPPED: (),
}


def can_update(decision: Decision, user: User) -> bool:
    secretary = user.has_role(Role.SECRETARY) and user.community_id == decision.community_id
    return secretary or user.id == decision.owner_id


def change_state(decision: Decision, state: str, reason: str, actor: User) -> Decision:
    if not can_update(decision, actor):
        raise CommitteeError("not_owner", _l("只有负责人或社区书记可以更新决议进度。"), 403)
    allowed = STATE_CHANGES[DecisionState(decision.state)]
    if state not in allowed:
        raise CommitteeError("bad_state", _l("决议现在不能改成这个状态。"), 409, field="state")
    why = (reason or "").strip()
    if state == DecisionState.DROPPED and not why:
        raise CommitteeError("reason_required", _l("撤销决议须写明原因。"), field="reason")
    if len(why) > 300:
        raise CommitteeError("reason_too_long", _l("原因不能超过300字。"), field="reason")
    decision.state = state
    if state == DecisionState.DROPPED:
        decision.drop_reason = why
    db.session.flush()
    secretaries = [decision.meeting.chair_id] if decision.meeting.chair_id else []
    notify(
        [decision.owner_id, *secretaries],
        "committee.decision_state",
        {"n": decision.number, "state": decision.state, "why": why},
        link=f"/committee/decisions/{decision.id}",
        community_id=decision.community_id,
        skip=actor.id,
    )
    return decision


def decisions_query(community_id: int):
    return (
        select(Decision)
        .where(Decision.community_id == community_id)
        .options(
            selectinload(Decision.meeting).selectinload(Meeting.series),
            selectinload(Decision.community),
            selectinload(Decision.owner),
        )
        .order_by(Decision.year.desc(), Decision.seq.desc())
    )


def of_meeting(meeting: Meeting) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision)
            .where(Decision.meeting_id == meeting.id)
            .options(selectinload(Decision.community), selectinload(Decision.owner))
            .order_by(Decision.seq)
        )
    )


def rule_versions_by_decision(decision_ids) -> dict[int, RuleVersion]:
    if not decision_ids:
        return {}
    return {
        v.decision_id: v
        for v in db.session.scalars(
            select(RuleVersion).where(RuleVersion.decision_id.in_(list(decision_ids)))
        )
    }


def numbers_for(decision_ids) -> dict[int, str]:
    if not decision_ids:
        return {}
    rows = db.session.scalars(
        select(Decision)
        .where(Decision.id.in_(list(decision_ids)))
        .options(selectinload(Decision.community))
    )
    return {d.id: d.number for d in rows}


def public_row(decision: Decision, version: RuleVersion | None) -> dict:
    """What residents see: no attendance, no remarks, and the owner only as a role."""
    meeting = decision.meeting
    links = {
        "help_request": decision.help_request_id,
        "project": decision.project_id,
        "commitment": decision.commitment_id,
        "rule_version": version.id if version else None,
    }
    return {
        "id": decision.id,
        "number": decision.number,
        "text": decision.text,
        "meeting": {
            "date": meeting.starts_at.astimezone(meetings.LOCAL_TZ).date().isoformat(),
            "kind": meeting.series.kind,
            "kind_label": meeting.series.label,
        },
        "state": decision.state,
        "state_label": decision.state_label,
        "drop_reason": decision.drop_reason or None,
        "due_date": decision.due_date.isoformat(),
        "links": {k: v for k, v in links.items() if v is not None},
        "rule_effective_from": version.effective_from.isoformat() if version else None,
    }

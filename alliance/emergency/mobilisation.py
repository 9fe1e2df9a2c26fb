"""Mobilisation: task forces, call-ups (集结令) and turn-outs (the roster: alliance.emergency.roster).

A call-up is a state per person, not one message (Sahana Eden's deployment states): each member
of the team is called, answers 到 (coming) or 不能到 (with a reason), and arrives when the
leader scans their own volunteer card at the assembly point. Every arrival is a turn-out
(出动人次). The leader, or the secretary, stands the team down.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role, User
from alliance.activities.models import Activity, ActivitySlot, Signup, SignupStatus
from alliance.activities.service_hours import card_holder_from_text
from alliance.activities.service_hours import confirm as confirm_hours
from alliance.audit.services import acting_as
from alliance.clock import local_date
from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.emergency import notices
from alliance.emergency.models import (
    AnswerState,
    CallUp,
    CallUpAnswer,
    PartyMembership,
    TaskForce,
    TaskForceMember,
    TeamKind,
)
from alliance.emergency.roster import find_on_roster
from alliance.emergency.services import EmergencyError, running_in_community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.notifications.services import notify


def _can_lead(actor: User | None, community_id: int) -> bool:
    return actor is None or (actor.has_role(Role.SECRETARY) and actor.community_id == community_id)


def create_task_force(
    community: Community,
    *,
    name: str,
    kind: str,
    leader: str,
    members: list[str],
    actor: User | None,
) -> TaskForce:
    if not _can_lead(actor, community.id):
        raise EmergencyError(_l("只有社区书记可以组建队伍。"), status=403)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise EmergencyError(_l("请填写队伍名称（最多 60 字）。"), field="name")
    if kind not in set(TeamKind):
        raise EmergencyError(_l("请选择队伍类型。"), field="kind")
    leader_user = find_on_roster(community, leader, "leader")
    people = [leader_user] + [find_on_roster(community, m, "members") for m in members if m.strip()]
    team = TaskForce(community_id=community.id, name=name, kind=kind, leader_id=leader_user.id)
    try:
        with acting_as(actor), db.session.begin_nested():
            db.session.add(team)
            db.session.flush()
            for person in dict.fromkeys(people):
                db.session.add(
                    TaskForceMember(
                        task_force_id=team.id, community_id=community.id, user_id=person.id
                    )
                )
            db.session.flush()
    except IntegrityError as exc:
        raise EmergencyError(_l("本社区已经有同名的队伍。"), field="name") from exc
    return team


def add_member(team: TaskForce, identifier: str, actor: User | None) -> TaskForceMember:
    if not _can_lead(actor, team.community_id):
        raise EmergencyError(_l("只有社区书记可以调整队员。"), status=403)
    community = db.session.get(Community, team.community_id)
    person = find_on_roster(community, identifier, "person")
    if db.session.scalars(
        select(TaskForceMember).where(
            TaskForceMember.task_force_id == team.id, TaskForceMember.user_id == person.id
        )
    ).first():
        raise EmergencyError(_l("%(name)s已经在队里了。", name=person.display_name), field="person")
    row = TaskForceMember(task_force_id=team.id, community_id=team.community_id, user_id=person.id)
    with acting_as(actor):
        db.session.add(row)
        db.session.flush()
    return row


def members_of(team: TaskForce) -> list[tuple[User, PartyMembership | None]]:
    return list(
        db.session.execute(
            select(User, PartyMembership)
            .join(TaskForceMember, TaskForceMember.user_id == User.id)
            .outerjoin(PartyMembership, PartyMembership.user_id == User.id)
            .where(TaskForceMember.task_force_id == team.id)
            .order_by(TaskForceMember.id)
        ).all()
    )


def teams_of(community_id: int) -> list[TaskForce]:
    return list(
        db.session.scalars(
            select(TaskForce)
            .where(TaskForce.community_id == community_id)
            .options(joinedload(TaskForce.leader))
            .order_by(TaskForce.id)
        )
    )


def can_command_team(user: User, team: TaskForce) -> bool:
    """The leader, the community's secretary, or a street officer of its office."""
    if user.id == team.leader_id:
        return True
    if user.has_role(Role.SECRETARY) and user.community_id == team.community_id:
        return True
    if user.has_role(Role.STREET_OFFICER) and user.street_office_id:
        community = db.session.get(Community, team.community_id)
        return community.street_office_id == user.street_office_id
    return False


def _team_params(call_up: CallUp, team: TaskForce) -> dict:
    return {
        "team": team.name,
        "place": call_up.assembly_point,
        "task": call_up.task,
        "drill": 1 if call_up.drill else 0,
    }


def call_up(team: TaskForce, *, assembly_point: str, task: str, actor: User) -> CallUp:
    """集结令: every member is called, by inbox and SMS (an emergency kind: day and night)."""
    if not can_command_team(actor, team):
        raise EmergencyError(_l("只有队长或社区书记可以发集结令。"), status=403)
    community = db.session.get(Community, team.community_id)
    response = running_in_community(community.id, community.street_office_id)
    if response is None:
        raise EmergencyError(
            _l("没有正在运行的应急响应，不能发集结令。"), code="no_response", status=409
        )
    place = (assembly_point or "").strip()
    if not place or len(place) > 120:
        raise EmergencyError(_l("请填写集合地点（最多 120 字）。"), field="assembly_point")
    task = (task or "").strip()
    if len(task) > 300:
        raise EmergencyError(_l("最多 %(n)d 字。", n=300), field="task")
    now = utcnow()
    row = CallUp(
        task_force_id=team.id,
        task_force=team,
        community_id=team.community_id,
        response_id=response.id,
        drill=response.drill,
        assembly_point=place,
        task=task,
        called_by_id=actor.id,
        called_at=now,
        open_key=f"t{team.id}",
    )
    try:
        with acting_as(actor), db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError as exc:
        raise EmergencyError(
            _l("这支队伍的上一道集结令还没有解散。"), code="already_called", status=409
        ) from exc
    member_ids = list(
        db.session.scalars(
            select(TaskForceMember.user_id).where(TaskForceMember.task_force_id == team.id)
        )
    )
    db.session.add_all(
        CallUpAnswer(call_up_id=row.id, community_id=team.community_id, user_id=uid)
        for uid in member_ids
    )
    notify(
        member_ids,
        notices.CALL_UP.name,
        _team_params(row, team),
        link=f"/emergency/callups/{row.id}",
        community_id=team.community_id,
        urgent=True,
    )
    db.session.flush()
    return row


def answer_of(call: CallUp, user_id: int) -> CallUpAnswer | None:
    return db.session.scalars(
        select(CallUpAnswer).where(
            CallUpAnswer.call_up_id == call.id, CallUpAnswer.user_id == user_id
        )
    ).first()


def _still_open(call: CallUp) -> None:
    if not call.is_open:
        raise EmergencyError(_l("这道集结令已经解散。"), code="stood_down", status=409)


def answer(call: CallUp, user: User, *, coming: bool, reason: str = "") -> CallUpAnswer:
    _still_open(call)
    row = answer_of(call, user.id)
    if row is None:
        raise EmergencyError(_l("您不在这支队伍里。"), status=403)
    if row.state == AnswerState.ARRIVED:
        raise EmergencyError(_l("您已经报到了。"), code="arrived", status=409)
    reason = (reason or "").strip()
    if not coming and not reason:
        raise EmergencyError(_l("不能到请说明原因。"), code="missing_reason", field="reason")
    if len(reason) > 200:
        raise EmergencyError(_l("最多 %(n)d 字。", n=200), field="reason")
    row.state = AnswerState.COMING if coming else AnswerState.CANNOT
    row.reason = "" if coming else reason
    row.answered_at = utcnow()
    db.session.flush()
    return row


def check_in(call: CallUp, card_text: str, actor: User) -> CallUpAnswer:
    """The member's own card, scanned at the assembly point: arrived, one turn-out."""
    team = call.task_force
    if not can_command_team(actor, team):
        raise EmergencyError(_l("只有队长或社区书记可以扫码报到。"), status=403)
    _still_open(call)
    try:
        card = card_holder_from_text(card_text)
    except DomainError as exc:
        raise EmergencyError(exc.message, code="bad_card", status=exc.status, field="card") from exc
    row = answer_of(call, card.holder_id)
    if row is None:
        raise EmergencyError(
            _l("这张卡的持卡人不在这支队伍里。"), code="not_member", status=409, field="card"
        )
    if row.state != AnswerState.ARRIVED:
        now = utcnow()
        row.state = AnswerState.ARRIVED
        row.arrived_at = now
        row.answered_at = row.answered_at or now
        db.session.flush()
    return row


def stand_down(call: CallUp, actor: User) -> CallUp:
    if not can_command_team(actor, call.task_force):
        raise EmergencyError(_l("只有队长或社区书记可以解散队伍。"), status=403)
    _still_open(call)
    now = utcnow()
    call.stood_down_at = now
    call.open_key = None
    with acting_as(actor):
        _credit_hours(call, actor, now)
    people = db.session.scalars(
        select(CallUpAnswer.user_id).where(
            CallUpAnswer.call_up_id == call.id, CallUpAnswer.state != AnswerState.CANNOT
        )
    ).all()
    notify(
        people,
        notices.STAND_DOWN.name,
        _team_params(call, call.task_force),
        link=f"/emergency/callups/{call.id}",
        community_id=call.community_id,
    )
    with acting_as(actor):
        db.session.flush()
    return call


# The kind of emergency → the activity category its service hours are counted under.
ACTIVITY_CATEGORY = {"flood": "flood", "storm": "flood", "epidemic": "epidemic"}


def _credit_hours(call: CallUp, actor: User, now) -> None:
    """Every arrival's time from arrival to stand-down becomes emergency-service hours: an
    emergency activity with one slot and a checked-in-and-out sign-up per arrival, confirmed
    through the activities' own rule (points per hour × the emergency multiplier). The
    commander's own hours wait for another organiser, as everywhere."""
    arrivals = [
        a
        for a in db.session.scalars(
            select(CallUpAnswer).where(
                CallUpAnswer.call_up_id == call.id, CallUpAnswer.arrived_at.is_not(None)
            )
        )
    ]
    if not arrivals:
        return
    end = min(now, call.called_at + timedelta(hours=24))
    team = call.task_force
    activity = Activity(
        community_id=call.community_id,
        created_by_id=actor.id,
        title=f"{team.name}集结：{call.assembly_point}"[:80],
        category=ACTIVITY_CATEGORY.get(call.response.kind, "other"),
        place=call.assembly_point,
        description=call.task,
        emergency=True,
    )
    slot = ActivitySlot(
        activity=activity,
        community_id=call.community_id,
        starts_at=call.called_at,
        ends_at=end,
        capacity=len(arrivals),
        taken=len(arrivals),
        local_day=local_date(call.called_at),
    )
    signups = []
    for a in arrivals:
        start = min(max(a.arrived_at, call.called_at), end)
        signups.append(
            Signup(
                slot=slot,
                activity=activity,
                community_id=call.community_id,
                user_id=a.user_id,
                status=SignupStatus.SIGNED_UP,
                check_in_at=start,
                check_out_at=end,
                minutes=int((end - start).total_seconds() // 60),
                created_at=now,
            )
        )
    db.session.add_all([activity, slot, *signups])
    db.session.flush()
    call.activity_id = activity.id
    for signup in signups:
        if signup.user_id != actor.id:
            confirm_hours(signup, actor, now)


@dataclass(frozen=True)
class CallUpBoard:
    call: CallUp
    answers: list[CallUpAnswer]
    counts: dict[str, int]


def board(call: CallUp) -> CallUpBoard:
    answers = list(
        db.session.scalars(
            select(CallUpAnswer)
            .where(CallUpAnswer.call_up_id == call.id)
            .options(joinedload(CallUpAnswer.user))
            .order_by(CallUpAnswer.id)
        )
    )
    counts = {state.value: 0 for state in AnswerState}
    for a in answers:
        counts[a.state] += 1
    return CallUpBoard(call, answers, counts)


def open_call_ups_for(user_id: int) -> list[CallUpAnswer]:
    """The person's call-ups still open: their answer rows, with team and place."""
    return list(
        db.session.scalars(
            select(CallUpAnswer)
            .join(CallUp, CallUp.id == CallUpAnswer.call_up_id)
            .where(CallUpAnswer.user_id == user_id, CallUp.stood_down_at.is_(None))
            .options(joinedload(CallUpAnswer.call_up).joinedload(CallUp.task_force))
            .order_by(CallUp.called_at.desc())
        )
    )


def _arrivals(*columns):
    """出动人次 are arrivals: answers of a call-up with an arrival time. Counted from the
    answers, never typed; every count of turn-outs starts here."""
    return (
        select(*columns)
        .select_from(CallUp)
        .join(CallUpAnswer, CallUpAnswer.call_up_id == CallUp.id)
        .where(CallUpAnswer.arrived_at.is_not(None))
    )


def turnouts(response_ids: list[int]) -> dict[int, int]:
    """出动人次 per response."""
    if not response_ids:
        return {}
    rows = db.session.execute(
        _arrivals(CallUp.response_id, func.count(CallUpAnswer.id))
        .where(CallUp.response_id.in_(response_ids))
        .group_by(CallUp.response_id)
    ).all()
    return dict(rows)


def turnouts_between(community_ids, windows: list[tuple]) -> list[int]:
    """出动人次 of the communities' call-ups (drills left out) arriving in each (start, end)
    window, ends included; one statement."""
    if not windows:
        return []
    row = db.session.execute(
        _arrivals(
            *[
                func.count(CallUpAnswer.id).filter(
                    CallUpAnswer.arrived_at >= start, CallUpAnswer.arrived_at <= end
                )
                for start, end in windows
            ]
        ).where(
            CallUp.community_id.in_(community_ids),
            CallUp.drill.is_(False),
            CallUpAnswer.arrived_at >= windows[0][0],
            CallUpAnswer.arrived_at <= windows[-1][1],
        )
    ).one()
    return [int(n or 0) for n in row]


def call_ups_of(team: TaskForce, limit: int = 10) -> list[CallUp]:
    return list(
        db.session.scalars(
            select(CallUp)
            .where(CallUp.task_force_id == team.id)
            .order_by(CallUp.called_at.desc(), CallUp.id.desc())
            .limit(limit)
        )
    )

"""What the emergency domain holds about a person: their party identity, their team posts and
their answers to call-ups."""

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from alliance.emergency.alert_models import AlertAck, EmergencyAlert
from alliance.emergency.household_models import Household
from alliance.emergency.models import (
    CallUp,
    CallUpAnswer,
    DutyAssignment,
    DutyShift,
    EmergencyPost,
    PartyMembership,
    TaskForce,
    TaskForceMember,
)
from alliance.extensions import db
from alliance.personal import erase_personal


def export(user) -> dict:
    membership = db.session.scalars(
        select(PartyMembership).where(PartyMembership.user_id == user.id)
    ).first()
    teams = db.session.scalars(
        select(TaskForce)
        .join(TaskForceMember, TaskForceMember.task_force_id == TaskForce.id)
        .where(TaskForceMember.user_id == user.id)
        .order_by(TaskForce.id)
    ).all()
    answers = db.session.scalars(
        select(CallUpAnswer)
        .where(CallUpAnswer.user_id == user.id)
        .options(joinedload(CallUpAnswer.call_up).joinedload(CallUp.task_force))
        .order_by(CallUpAnswer.id)
    ).all()
    responsible = db.session.scalars(
        select(EmergencyPost)
        .where(EmergencyPost.responsible_id == user.id)
        .order_by(EmergencyPost.id)
    ).all()
    shifts = db.session.execute(
        select(DutyShift, DutyAssignment)
        .join(DutyAssignment, DutyAssignment.shift_id == DutyShift.id)
        .where(DutyAssignment.user_id == user.id)
        .order_by(DutyShift.starts_at)
    ).all()
    acks = db.session.execute(
        select(AlertAck, EmergencyAlert.headline)
        .join(EmergencyAlert, EmergencyAlert.id == AlertAck.alert_id)
        .where(AlertAck.user_id == user.id)
        .order_by(AlertAck.id)
    ).all()
    registered = db.session.scalars(
        select(Household).where(Household.resident_id == user.id).order_by(Household.id)
    ).all()
    if membership is None and not (teams or answers or responsible or shifts or acks or registered):
        return {}
    return {
        "emergency": {
            "party_membership": {
                "status": membership.status,
                "branch": membership.branch,
                "show_on_card": membership.show_on_card,
            }
            if membership
            else None,
            "task_forces": [
                {"name": t.name, "kind": t.kind, "leader": t.leader_id == user.id} for t in teams
            ],
            "call_ups": [
                {
                    "team": a.call_up.task_force.name,
                    "assembly_point": a.call_up.assembly_point,
                    "called_at": a.call_up.called_at.isoformat(),
                    "answer": a.state,
                    "reason": a.reason,
                    "arrived_at": a.arrived_at.isoformat() if a.arrived_at else None,
                }
                for a in answers
            ],
            "responsible_for": [{"kind": p.kind, "name": p.name} for p in responsible],
            "warning_answers": [
                {"warning": headline, "answer": ack.answer, "at": ack.answered_at.isoformat()}
                for ack, headline in acks
            ],
            "duty_shifts": [
                {
                    "starts_at": shift.starts_at.isoformat(),
                    "ends_at": shift.ends_at.isoformat(),
                    "leader": row.is_leader,
                    "signed_on_at": row.signed_on_at.isoformat() if row.signed_on_at else None,
                }
                for shift, row in shifts
            ],
            "household_register": [
                {
                    "name": h.head_name,
                    "categories": h.categories,
                    "building": h.building,
                    "unit": h.unit_no,
                    "room": h.room,
                    "contact_phone": h.contact_phone,
                    "needs": h.needs,
                    "latitude": h.latitude,
                    "longitude": h.longitude,
                }
                for h in registered
            ],
        }
    }


def erase(user) -> None:
    """Party identity goes; team places go (a post they answered for becomes a gap); turn-outs
    and duty shifts stay as figures, without the reason."""
    db.session.execute(delete(PartyMembership).where(PartyMembership.user_id == user.id))
    db.session.execute(delete(TaskForceMember).where(TaskForceMember.user_id == user.id))
    db.session.execute(
        update(EmergencyPost)
        .where(EmergencyPost.responsible_id == user.id)
        .values(responsible_id=None)
    )
    db.session.execute(
        update(CallUpAnswer).where(CallUpAnswer.user_id == user.id).values(reason="")
    )
    # The household register keeps the row (its visits are figures) without the person's data.
    erase_personal(Household, user.id)
    db.session.flush()

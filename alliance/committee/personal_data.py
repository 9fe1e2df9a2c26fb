"""What the committee holds about a person: the posts, the attendance and the proposals."""

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from alliance.clock import local_date, local_today
from alliance.committee.models import Attendance, CommitteeMember, Meeting, Proposal
from alliance.extensions import db


def export(user) -> dict:
    posts = db.session.scalars(
        select(CommitteeMember)
        .where(CommitteeMember.user_id == user.id)
        .options(selectinload(CommitteeMember.merchant))
        .order_by(CommitteeMember.id)
    ).all()
    attended = db.session.execute(
        select(Attendance, Meeting)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Attendance.user_id == user.id)
        .order_by(Meeting.starts_at)
    ).all()
    proposals = db.session.scalars(
        select(Proposal).where(Proposal.proposed_by_id == user.id).order_by(Proposal.id)
    ).all()
    if not (posts or attended or proposals):
        return {}
    return {
        "committee": {
            "posts": [
                {
                    "role": p.role,
                    "member": p.merchant.name if p.merchant else None,
                    "term_start": p.term_start.isoformat(),
                    "term_end": p.term_end.isoformat() if p.term_end else None,
                    "current": p.active,
                }
                for p in posts
            ],
            "attendance": [
                {
                    "meeting_date": local_date(m.starts_at).isoformat(),
                    "status": a.status,
                    "sign_in": a.method,
                    "remark": a.remark,
                }
                for a, m in attended
            ],
            "proposals": [{"title": p.title, "note": p.note} for p in proposals],
        }
    }


def erase(user) -> None:
    """A closed account leaves the committee; the minutes keep the attendance, without the
    secretary's remarks about the person."""
    today = local_today()
    for post in db.session.scalars(
        select(CommitteeMember).where(CommitteeMember.user_id == user.id, CommitteeMember.active)
    ):
        post.active = False
        post.term_end = max(today, post.term_start)
    db.session.execute(update(Attendance).where(Attendance.user_id == user.id).values(remark=""))
    db.session.flush()

"""Overdue rectification notices: each day, the person responsible, the re-checker and the
community's secretaries are told once per notice (Celery beat `emergency.hazards_overdue`, or
`flask emergency hazards-overdue` by hand; a second run the same day tells nobody again)."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance.accounts.services import secretary_ids
from alliance.clock import local_start, local_today
from alliance.emergency.hazard_models import NoticeState, RectificationNotice
from alliance.extensions import db
from alliance.notifications.models import Notification
from alliance.notifications.services import notify

KIND = "emergency.hazard_overdue"


def _link(notice: RectificationNotice) -> str:
    return f"/emergency/hazards/notices/{notice.id}"


def _told_today(today: date) -> set[tuple[int, str]]:
    """(person, notice link) already told today: today's reminders only, one statement."""
    return set(
        db.session.execute(
            select(Notification.user_id, Notification.link).where(
                Notification.kind == KIND,
                Notification.created_at >= local_start(today),
                Notification.created_at < local_start(today + timedelta(days=1)),
            )
        ).all()
    )


def notify_overdue(community_id: int | None = None, *, today: date | None = None) -> int:
    """Tell about every notice past its deadline and not closed; returns how many were told.
    Never commits (the CLI and the job do)."""
    today = today or local_today()
    query = (
        select(RectificationNotice)
        .where(
            RectificationNotice.state != NoticeState.CLOSED,
            RectificationNotice.deadline < today,
        )
        .options(joinedload(RectificationNotice.point))
        .order_by(RectificationNotice.id)
    )
    if community_id is not None:
        query = query.where(RectificationNotice.community_id == community_id)
    notices = db.session.scalars(query).all()
    if not notices:
        return 0
    told_before = _told_today(today)
    secretaries: dict[int, list[int]] = {}
    told = 0
    for notice in notices:
        if notice.community_id not in secretaries:
            secretaries[notice.community_id] = secretary_ids(notice.community_id)
        link = _link(notice)
        people = [notice.responsible_id, notice.rechecker_id, *secretaries[notice.community_id]]
        due = [p for p in dict.fromkeys(people) if p is not None and (p, link) not in told_before]
        told += notify(
            due,
            KIND,
            {
                "number": notice.number,
                "point": notice.point.name,
                "deadline": notice.deadline.isoformat(),
            },
            link=link,
            community_id=notice.community_id,
        )
    return told


def run_daily() -> int:
    """The scheduled job: every community, then commit."""
    told = notify_overdue()
    db.session.commit()
    return told

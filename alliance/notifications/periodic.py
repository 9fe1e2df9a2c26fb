"""The periodic notifications (Celery beat; `flask notifications run-periodic` by hand)."""

from sqlalchemy import func, select

from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.notifications.models import Notification
from alliance.notifications.services import notify

EXPIRY_NOTICE_DAYS = 30


def notify_points_expiring(today=None) -> int:
    """Tell each person once per expiry date, when it comes within 30 days. Commits."""
    from alliance.clock import local_today
    from alliance.points.expiry import expiring_by_user

    today = today or local_today()
    due = expiring_by_user(today, EXPIRY_NOTICE_DAYS)
    if not due:
        return 0
    told_before = {
        (uid, (params or {}).get("date"))
        for uid, params in db.session.execute(
            select(Notification.user_id, Notification.params).where(
                Notification.kind == "points.expiring", Notification.user_id.in_(list(due))
            )
        )
    }
    told = 0
    for user_id, entries in due.items():
        for day, points, community_id in entries:
            if (user_id, day.isoformat()) in told_before:
                continue
            told += notify(
                [user_id],
                "points.expiring",
                {"points": points, "date": day.isoformat()},
                link="/me/points",
                community_id=community_id,
            )
    db.session.commit()
    return told


def notify_orders_overdue(now=None) -> int:
    """A daily digest to each community's secretaries: how many orders are past due. Commits."""
    from alliance.accounts.services import secretary_ids
    from alliance.help_requests.models import WAITING_STATES, HelpRequest

    now = now or utcnow()
    counts = db.session.execute(
        select(HelpRequest.community_id, func.count(HelpRequest.id))
        .where(HelpRequest.state.in_(WAITING_STATES), HelpRequest.due_at < now)
        .group_by(HelpRequest.community_id)
    ).all()
    told = 0
    for community_id, n in counts:
        told += notify(
            secretary_ids(community_id),
            "order.overdue",
            {"count": n},
            link="/requests/queue",
            community_id=community_id,
        )
    db.session.commit()
    return told

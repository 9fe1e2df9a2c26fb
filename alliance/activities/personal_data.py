"""Personal data: the points and activities section of /me/data, and account closure."""

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from alliance.activities.models import ServiceRecord, Signup
from alliance.extensions import db
from alliance.points.models import Exchange, LedgerEntry, PointsAccount


def _iso(value):
    return value.isoformat() if value is not None else None


def export(user) -> dict:
    """The `points_and_activities` section of the person's data download."""
    account = db.session.scalars(
        select(PointsAccount).where(PointsAccount.user_id == user.id)
    ).first()
    signups = list(
        db.session.scalars(
            select(Signup)
            .where(Signup.user_id == user.id)
            .options(selectinload(Signup.activity), selectinload(Signup.slot))
            .order_by(Signup.id)
        )
    )
    if account is None and not signups:
        return {}
    entries = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.user_id == user.id).order_by(LedgerEntry.id)
    )
    exchanges = db.session.scalars(
        select(Exchange).where(Exchange.user_id == user.id).order_by(Exchange.id)
    )
    records = db.session.scalars(
        select(ServiceRecord).where(ServiceRecord.user_id == user.id).order_by(ServiceRecord.id)
    )
    return {
        "points_and_activities": {
            "balance": account.balance if account else 0,
            "show_name_on_leaderboard": bool(account and account.show_name),
            "ledger": [
                {
                    "at": _iso(e.created_at),
                    "kind": e.kind,
                    "points": e.delta,
                    "balance_after": e.balance_after,
                    "reason": e.reason,
                    "expires_on": _iso(e.expires_on),
                }
                for e in entries
            ],
            "activities": [
                {
                    "activity": s.activity.title,
                    "starts_at": _iso(s.slot.starts_at),
                    "status": s.status,
                    "check_in_at": _iso(s.check_in_at),
                    "check_out_at": _iso(s.check_out_at),
                    "minutes": s.minutes,
                    "confirmed_at": _iso(s.confirmed_at),
                    "points": s.points,
                    "backfill_reason": s.backfill_reason or None,
                }
                for s in signups
            ],
            "exchanges": [
                {"at": _iso(x.created_at), "item": x.item_title, "points": x.points}
                for x in exchanges
            ],
            "service_records": [
                {
                    "issued_at": _iso(r.issued_at),
                    "total_minutes": r.total_minutes,
                    "activities": r.activity_count,
                }
                for r in records
            ],
        }
    }


def erase(user) -> None:
    """The ledger and attendance stay (they are the community's records); the name goes off
    the leaderboard."""
    db.session.execute(
        update(PointsAccount).where(PointsAccount.user_id == user.id).values(show_name=False)
    )

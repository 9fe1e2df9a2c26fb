"""Points that expire: what is due soon, and writing the expire entries (soonest-expiring
points are spent first)."""

from datetime import date, timedelta

from sqlalchemy import bindparam, func, select

from alliance.clock import local_today
from alliance.database import lock_for_write, read_rows
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.points.ledger import post_entry, totals_for
from alliance.points.models import EntryKind, LedgerEntry, PointsAccount

EXPIRY_HORIZON_DAYS = 62


def _credits_by_date(account_ids) -> dict[int, list[tuple[date, int]]]:
    rows = db.session.execute(
        select(LedgerEntry.account_id, LedgerEntry.expires_on, func.sum(LedgerEntry.delta))
        .where(
            LedgerEntry.account_id.in_(account_ids),
            LedgerEntry.delta > 0,
            LedgerEntry.expires_on.is_not(None),
        )
        .group_by(LedgerEntry.account_id, LedgerEntry.expires_on)
        .order_by(LedgerEntry.account_id, LedgerEntry.expires_on)
    )
    result: dict[int, list[tuple[date, int]]] = {}
    for account_id, day, total in rows:
        result.setdefault(account_id, []).append((day, int(total)))
    return result


def _debits(account_ids) -> dict[int, int]:
    rows = db.session.execute(
        select(LedgerEntry.account_id, func.sum(-LedgerEntry.delta))
        .where(LedgerEntry.account_id.in_(account_ids), LedgerEntry.delta < 0)
        .group_by(LedgerEntry.account_id)
    )
    return {a: int(t) for a, t in rows}


def _expiring(credits: list[tuple[date, int]], debits: int) -> list[tuple[date, int]]:
    """Debits use the soonest-expiring points first; what is left of each date's credits."""
    result, cumulative, attributed = [], 0, 0
    for day, amount in credits:
        cumulative += amount
        due = max(0, cumulative - debits) - attributed
        if due > 0:
            result.append((day, due))
            attributed += due
    return result


# Built once: every visit to "my points" reads it.
_CREDITS_OF_USER = (
    select(LedgerEntry.expires_on, func.sum(LedgerEntry.delta))
    .where(
        LedgerEntry.user_id == bindparam("user_id"),
        LedgerEntry.delta > 0,
        LedgerEntry.expires_on.is_not(None),
    )
    .group_by(LedgerEntry.expires_on)
    .order_by(LedgerEntry.expires_on)
)


def upcoming_expiry(
    user_id: int,
    today: date | None = None,
    horizon_days: int = EXPIRY_HORIZON_DAYS,
    *,
    debits: int | None = None,
) -> list[tuple[date, int]]:
    """What will expire (date, points) from today to today + horizon, soonest first.
    `debits`: the person's debits, when the caller has them (ledger.totals_for)."""
    credits = [
        (day, int(total)) for day, total in read_rows(_CREDITS_OF_USER, {"user_id": user_id}).all()
    ]
    if not credits:
        return []
    if debits is None:
        debits = totals_for(user_id)["debits"]
    today = today or local_today()
    plan = _expiring(credits, debits)
    return [(d, p) for d, p in plan if d <= today + timedelta(days=horizon_days)]


def expire_due(today: date | None = None) -> int:
    """Write expire entries for every credit whose last day is before `today`. Idempotent:
    each (account, expiry date) gets at most one entry, and settled points are debits."""
    today = today or local_today()
    account_ids = list(
        db.session.scalars(
            select(LedgerEntry.account_id)
            .where(LedgerEntry.expires_on < today, LedgerEntry.delta > 0)
            .distinct()
        )
    )
    written = 0
    for start in range(0, len(account_ids), 500):
        chunk = account_ids[start : start + 500]
        lock_for_write()
        credits = _credits_by_date(chunk)
        debits = _debits(chunk)
        done = set(
            db.session.execute(
                select(LedgerEntry.account_id, LedgerEntry.expiry_key).where(
                    LedgerEntry.account_id.in_(chunk), LedgerEntry.expiry_key.is_not(None)
                )
            ).all()
        )
        owners = dict(
            db.session.execute(
                select(PointsAccount.id, PointsAccount.user_id).where(PointsAccount.id.in_(chunk))
            ).all()
        )
        communities = dict(
            db.session.execute(
                select(PointsAccount.id, PointsAccount.community_id).where(
                    PointsAccount.id.in_(chunk)
                )
            ).all()
        )
        for account_id in chunk:
            for day, amount in _expiring(credits.get(account_id, []), debits.get(account_id, 0)):
                if day >= today or (account_id, day) in done:
                    continue
                post_entry(
                    user_id=owners[account_id],
                    community_id=communities[account_id],
                    kind=EntryKind.EXPIRE,
                    delta=-amount,
                    expiry_key=day,
                    reason=str(_l("%(d)s 到期", d=day.isoformat())),
                )
                written += 1
    return written


def expiring_by_user(today: date, horizon_days: int) -> dict[int, list[tuple[date, int, int]]]:
    """{user id: [(expiry date, points, community id)]} due from today to today + horizon."""
    last = today + timedelta(days=horizon_days)
    account_ids = list(
        db.session.scalars(
            select(LedgerEntry.account_id)
            .where(LedgerEntry.delta > 0, LedgerEntry.expires_on.between(today, last))
            .distinct()
        )
    )
    result: dict[int, list[tuple[date, int, int]]] = {}
    for start in range(0, len(account_ids), 500):
        chunk = account_ids[start : start + 500]
        credits, debits = _credits_by_date(chunk), _debits(chunk)
        owners = db.session.execute(
            select(PointsAccount.id, PointsAccount.user_id, PointsAccount.community_id).where(
                PointsAccount.id.in_(chunk)
            )
        ).all()
        for account_id, user_id, community_id in owners:
            plan = _expiring(credits.get(account_id, []), debits.get(account_id, 0))
            due = [(d, p, community_id) for d, p in plan if today <= d <= last]
            if due:
                result[user_id] = due
    return result

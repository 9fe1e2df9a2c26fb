"""The counter's figures: redemptions by day, month and member, for members and secretaries."""

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from alliance.cards.models import Redemption
from alliance.clock import local_today
from alliance.communities.models import Community
from alliance.extensions import db
from alliance.merchants.models import Merchant

COUNTED = Redemption.voided_at.is_(None)  # a voided redemption is in no figure


def redemptions_between(
    where, start: date, end: date, limit: int | None = None, *, with_voided: bool = False
):
    """The month's redemptions (exports leave voided ones out; the page lists them, marked)."""
    stmt = (
        select(Redemption)
        .where(where, Redemption.local_day >= start, Redemption.local_day < end)
        .join(Redemption.card)
        .join(Redemption.merchant)
        .options(contains_eager(Redemption.card), contains_eager(Redemption.merchant))
        .order_by(Redemption.created_at, Redemption.id)
    )
    if not with_voided:
        stmt = stmt.where(COUNTED)
    if limit:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt)


def daily_totals(where, first_day: date, end_day: date) -> list[dict]:
    """Per local day from first_day (inclusive) to end_day (exclusive): one grouped query."""
    rows = db.session.execute(
        select(
            Redemption.local_day,
            func.count(Redemption.id),
            func.coalesce(func.sum(Redemption.bill_fen), 0),
            func.coalesce(func.sum(Redemption.saving_fen), 0),
        )
        .where(where, COUNTED, Redemption.local_day >= first_day, Redemption.local_day < end_day)
        .group_by(Redemption.local_day)
        .order_by(Redemption.local_day.desc())
    )
    return [{"day": d, "count": c, "bill": int(b), "saving": int(s)} for d, c, b, s in rows]


def monthly_totals(where, months: int = 12, today: date | None = None) -> list[dict]:
    """The last `months` months, newest first (from the daily groups: at most 366 rows)."""
    today = today or local_today()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    result: dict[str, dict] = {}
    for row in daily_totals(where, first, today + timedelta(days=1)):
        m = result.setdefault(row["day"].strftime("%Y-%m"), {"count": 0, "bill": 0, "saving": 0})
        for k in ("count", "bill", "saving"):
            m[k] += row[k]
    return [{"month": k, **v} for k, v in sorted(result.items(), reverse=True)]


def totals(where, start: date, end: date) -> dict:
    count, bill, saving = db.session.execute(
        select(
            func.count(Redemption.id),
            func.coalesce(func.sum(Redemption.bill_fen), 0),
            func.coalesce(func.sum(Redemption.saving_fen), 0),
        ).where(where, COUNTED, Redemption.local_day >= start, Redemption.local_day < end)
    ).one()
    return {"count": count, "bill": int(bill), "saving": int(saving)}


def totals_by_member(community_ids, start: date, end: date) -> list[dict]:
    rows = db.session.execute(
        select(
            Merchant.id,
            Merchant.number,
            Merchant.name,
            Community.name,
            func.count(Redemption.id),
            func.coalesce(func.sum(Redemption.bill_fen), 0),
            func.coalesce(func.sum(Redemption.saving_fen), 0),
        )
        .join(Redemption, Redemption.merchant_id == Merchant.id)
        .join(Community, Community.id == Merchant.community_id)
        .where(
            Redemption.community_id.in_(community_ids),
            COUNTED,
            Redemption.local_day >= start,
            Redemption.local_day < end,
        )
        .group_by(Merchant.id, Merchant.number, Merchant.name, Community.name)
        .order_by(Community.name, Merchant.number)
    )
    return [
        {
            "merchant_id": r[0],
            "number": r[1],
            "name": r[2],
            "community": r[3],
            "count": r[4],
            "bill": int(r[5]),
            "saving": int(r[6]),
        }
        for r in rows
    ]

"""The figures reported up the line, per community and month, in one place.

The dashboard (`/dashboard/`), the public figures API (`/api/v1/communities/<code>/figures`) and
the monthly report all read `figures_for()`, so they always agree. Definitions:

- members: alliance members on the books at the end of the month (joined by then and not left
  before it); volunteers: volunteer profiles made by the end of the month; cards: cards issued by
  the end of the month and still in force then; commitments: published commitments in force at
  the end of the month (not withdrawn or replaced by then), by kind.
- redemptions, savings_fen: discounts recorded at the counter in the month (local days), and the
  customers' savings in fen.
- orders_received: orders posted in the month (local), cancelled ones left out.
- response_rate: of those, the share answered within their time limit (dispatched by the due
  time; an order the street office took straight on: resolved by it); resolution_rate: the share
  resolved (done, reviewed or closed); satisfaction_rate: of the month's orders that were
  reviewed, the share rated 4 or 5 stars (满意 or 非常满意). Percent with one decimal; None when
  there is nothing to rate (no orders, no reviews).
- volunteer_hours: confirmed service hours of activities held in the month (one decimal).
- points_earned: points earned by service and awarded (赋分) in the month; points_spent:
  points exchanged (兑换) at members in the month.

A fixed number of statements, whatever the number of communities, months or rows: each figure
is one aggregate grouped by community with one column per month.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, or_, select

from alliance.activities.models import ActivitySlot, Signup
from alliance.cards.models import Card, CardStatus, Redemption
from alliance.clock import local_start, local_today
from alliance.commitments.models import Commitment, CommitmentKind
from alliance.extensions import db
from alliance.help_requests.figures import responded_in_time
from alliance.help_requests.models import RESOLVED_STATES, HelpRequest, ServiceCategory, State
from alliance.merchants.models import Merchant, MerchantStatus
from alliance.points.models import EntryKind, Exchange, LedgerEntry
from alliance.volunteers.models import VolunteerProfile

MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")
SATISFIED_FROM = 4  # stars: 4 满意, 5 非常满意
MAX_MONTHS = 12
COMMITMENT_KINDS = tuple(kind.value for kind in CommitmentKind)


class BadMonth(ValueError):
    """A month that is not YYYY-MM with a real month in it."""


def parse_month(text: str | None) -> date:
    """ "2026-05" → date(2026, 5, 1); None or "" → this month; anything else raises BadMonth."""
    if not text:
        return local_today().replace(day=1)
    match = MONTH_PATTERN.fullmatch(text)
    if match is None:
        raise BadMonth(text)
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise BadMonth(text)
    return date(year, month, 1)


def next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def previous_month(first: date) -> date:
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def months_ending(last: date, count: int) -> list[date]:
    """The first days of `count` months ending with `last`'s, oldest first."""
    months = [last.replace(day=1)]
    for _ in range(count - 1):
        months.append(previous_month(months[-1]))
    return months[::-1]


def rate(part: int, whole: int) -> float | None:
    """Percent with one decimal (half up), None when there is nothing to rate."""
    if not whole:
        return None
    value = (Decimal(int(part)) * 100 / Decimal(int(whole))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return float(value)


@dataclass
class MonthFigures:
    month: str
    members: int = 0
    volunteers: int = 0
    cards: int = 0
    commitments: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COMMITMENT_KINDS, 0))
    redemptions: int = 0
    savings_fen: int = 0
    orders_received: int = 0
    orders_responded: int = 0
    orders_resolved: int = 0
    orders_reviewed: int = 0
    orders_satisfied: int = 0
    volunteer_minutes: int = 0
    points_earned: int = 0
    points_spent: int = 0

    @property
    def response_rate(self) -> float | None:
        return rate(self.orders_responded, self.orders_received)

    @property
    def resolution_rate(self) -> float | None:
        return rate(self.orders_resolved, self.orders_received)

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.orders_satisfied, self.orders_reviewed)

    @property
    def volunteer_hours(self) -> float:
        return float((Decimal(self.volunteer_minutes) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP))

    @property
    def commitments_total(self) -> int:
        return sum(self.commitments.values())

    def add(self, other: "MonthFigures") -> None:
        """Sum `other` into this one (a street-wide total)."""
        for name in (
            "members",
            "volunteers",
            "cards",
            "redemptions",
            "savings_fen",
            "orders_received",
            "orders_responded",
            "orders_resolved",
            "orders_reviewed",
            "orders_satisfied",
            "volunteer_minutes",
            "points_earned",
            "points_spent",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, n in other.commitments.items():
            self.commitments[kind] = self.commitments.get(kind, 0) + n

    def public(self) -> dict:
        """The public JSON shape (the API's contract): figures only, nothing about a person."""
        return {
            "month": self.month,
            "members": self.members,
            "volunteers": self.volunteers,
            "cards": self.cards,
            "commitments": dict(self.commitments),
            "redemptions": self.redemptions,
            "savings_fen": self.savings_fen,
            "orders_received": self.orders_received,
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "volunteer_hours": self.volunteer_hours,
            "points_earned": self.points_earned,
            "points_spent": self.points_spent,
        }


def _ends(months: list[date]) -> list[datetime]:
    return [local_start(next_month(m)) for m in months]


def _per_month_sums(stmt_columns, group_col, where, community_ids):
    stmt = select(group_col, *stmt_columns).where(*where).group_by(group_col)
    stmt = stmt.where(group_col.in_(community_ids))
    return db.session.execute(stmt).all()


def figures_for(community_ids: list[int], months: list[date]) -> dict[int, list[MonthFigures]]:
    """{community id: [MonthFigures per month, in the order given]}; nine statements."""
    keys = [m.strftime("%Y-%m") for m in months]
    result = {cid: [MonthFigures(key) for key in keys] for cid in community_ids}
    if not community_ids or not months:
        return result
    ends = _ends(months)
    n = len(months)

    def fill(rows, attr, offset=1):
        for row in rows:
            for i in range(n):
                setattr(result[row[0]][i], attr, int(row[offset + i] or 0))

    # Members on the books at each month's end.
    left_before = lambda end: and_(  # noqa: E731
        Merchant.status == MerchantStatus.LEFT,
        Merchant.status_changed_at.is_not(None),
        Merchant.status_changed_at < end,
    )
    fill(
        _per_month_sums(
            [
                func.sum(case((and_(Merchant.created_at < end, ~left_before(end)), 1), else_=0))
                for end in ends
            ],
            Merchant.community_id,
            [Merchant.created_at < ends[-1]],
            community_ids,
        ),
        "members",
    )
    fill(
        _per_month_sums(
            [func.sum(case((VolunteerProfile.joined_at < end, 1), else_=0)) for end in ends],
            VolunteerProfile.community_id,
            [VolunteerProfile.joined_at < ends[-1]],
            community_ids,
        ),
        "volunteers",
    )
    in_force = lambda end: or_(  # noqa: E731
        Card.status == CardStatus.ACTIVE,
        Card.status_changed_at.is_(None),
        Card.status_changed_at >= end,
    )
    fill(
        _per_month_sums(
            [
                func.sum(case((and_(Card.created_at < end, in_force(end)), 1), else_=0))
                for end in ends
            ],
            Card.community_id,
            [Card.created_at < ends[-1]],
            community_ids,
        ),
        "cards",
    )
    # Commitments in force at each month's end, by kind.
    published_then = lambda end: and_(  # noqa: E731
        Commitment.published_at < end,
        or_(Commitment.withdrawn_at.is_(None), Commitment.withdrawn_at >= end),
        or_(Commitment.superseded_at.is_(None), Commitment.superseded_at >= end),
    )
    stmt = (
        select(
            Commitment.community_id,
            Commitment.kind,
            *[func.sum(case((published_then(end), 1), else_=0)) for end in ends],
        )
        .where(Commitment.community_id.in_(community_ids), Commitment.published_at < ends[-1])
        .group_by(Commitment.community_id, Commitment.kind)
    )
    for row in db.session.execute(stmt):
        for i in range(n):
            result[row[0]][i].commitments[row[1]] = int(row[2 + i] or 0)

    # Redemptions and savings, by local day.
    bounds = [(m, next_month(m)) for m in months]
    in_month = lambda i: and_(  # noqa: E731
        Redemption.local_day >= bounds[i][0], Redemption.local_day < bounds[i][1]
    )
    rows = _per_month_sums(
        [func.sum(case((in_month(i), 1), else_=0)) for i in range(n)]
        + [func.sum(case((in_month(i), Redemption.saving_fen), else_=0)) for i in range(n)],
        Redemption.community_id,
        [
            Redemption.local_day >= bounds[0][0],
            Redemption.local_day < bounds[-1][1],
            Redemption.voided_at.is_(None),  # a voided redemption is in no figure
        ],
        community_ids,
    )
    fill(rows, "redemptions")
    fill(rows, "savings_fen", offset=1 + n)

    # Orders: received, answered in time, resolved, reviewed, satisfied.
    stmt = (
        select(
            HelpRequest.community_id,
            HelpRequest.submitted_month,
            func.count(HelpRequest.id),
            func.sum(responded_in_time()),
            func.sum(case((HelpRequest.state.in_(RESOLVED_STATES), 1), else_=0)),
            func.count(HelpRequest.rating),
            func.sum(case((HelpRequest.rating >= SATISFIED_FROM, 1), else_=0)),
        )
        .where(
            HelpRequest.community_id.in_(community_ids),
            HelpRequest.submitted_month.in_(keys),
            HelpRequest.state != State.CANCELLED,
        )
        .group_by(HelpRequest.community_id, HelpRequest.submitted_month)
    )
    index = {key: i for i, key in enumerate(keys)}
    for cid, month, received, responded, resolved, reviewed, satisfied in db.session.execute(stmt):
        f = result[cid][index[month]]
        f.orders_received = int(received or 0)
        f.orders_responded = int(responded or 0)
        f.orders_resolved = int(resolved or 0)
        f.orders_reviewed = int(reviewed or 0)
        f.orders_satisfied = int(satisfied or 0)

    # Confirmed volunteer service, by the day the activity was held.
    held = lambda i: and_(  # noqa: E731
        ActivitySlot.local_day >= bounds[i][0], ActivitySlot.local_day < bounds[i][1]
    )
    stmt = (
        select(
            Signup.community_id,
            *[func.sum(case((held(i), Signup.minutes), else_=0)) for i in range(n)],
        )
        .join(ActivitySlot, ActivitySlot.id == Signup.slot_id)
        .where(
            Signup.community_id.in_(community_ids),
            Signup.confirmed_at.is_not(None),
            ActivitySlot.local_day >= bounds[0][0],
            ActivitySlot.local_day < bounds[-1][1],
        )
        .group_by(Signup.community_id)
    )
    fill(db.session.execute(stmt).all(), "volunteer_minutes")

    # Points earned (service and awards) and spent (exchanges).
    starts = [local_start(m) for m in months]
    in_points_month = lambda i: and_(  # noqa: E731
        LedgerEntry.created_at >= starts[i], LedgerEntry.created_at < ends[i]
    )
    earned_kind = and_(
        LedgerEntry.kind.in_((EntryKind.EARN, EntryKind.AWARD)), LedgerEntry.delta > 0
    )
    # A voided exchange gave its points back (an ADJUST entry): it was never spent.
    voided_exchange = (
        select(Exchange.id)
        .where(Exchange.id == LedgerEntry.exchange_id, Exchange.voided_at.is_not(None))
        .exists()
    )
    spent_kind = and_(LedgerEntry.kind == EntryKind.SPEND, ~voided_exchange)
    rows = _per_month_sums(
        [
            func.sum(case((and_(in_points_month(i), earned_kind), LedgerEntry.delta), else_=0))
            for i in range(n)
        ]
        + [
            func.sum(case((and_(in_points_month(i), spent_kind), -LedgerEntry.delta), else_=0))
            for i in range(n)
        ],
        LedgerEntry.community_id,
        [LedgerEntry.created_at >= starts[0], LedgerEntry.created_at < ends[-1]],
        community_ids,
    )
    fill(rows, "points_earned")
    fill(rows, "points_spent", offset=1 + n)
    return result


def street_total(per_community: dict[int, list[MonthFigures]], months: list[date]):
    """The month-by-month sum over the communities given (the street office's column)."""
    keys = [m.strftime("%Y-%m") for m in months]
    total = [MonthFigures(key) for key in keys]
    for series in per_community.values():
        for i, f in enumerate(series):
            total[i].add(f)
    return total


def orders_breakdown(community_ids: list[int], months: list[date]) -> tuple[list, list]:
    """Orders posted in the period, by state and by category: ([(state, n)], [(name, n)])."""
    keys = [m.strftime("%Y-%m") for m in months]
    if not community_ids or not keys:
        return [], []
    where = (
        HelpRequest.community_id.in_(community_ids),
        HelpRequest.submitted_month.in_(keys),
    )
    by_state = db.session.execute(
        select(HelpRequest.state, func.count(HelpRequest.id))
        .where(*where)
        .group_by(HelpRequest.state)
        .order_by(func.count(HelpRequest.id).desc(), HelpRequest.state)
    ).all()
    by_category = db.session.execute(
        select(ServiceCategory.name, func.count(HelpRequest.id))
        .join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id)
        .where(*where)
        .group_by(ServiceCategory.name)
        .order_by(func.count(HelpRequest.id).desc(), ServiceCategory.name)
    ).all()
    return [(s, int(c)) for s, c in by_state], [(name, int(c)) for name, c in by_category]

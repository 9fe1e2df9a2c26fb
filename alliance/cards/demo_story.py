"""Demo redemptions through the story: from June to this month, volunteers show their cards at
the members, more each month as the alliance grows, in the shops' opening hours.

Each discount is one the counter would have given that day (an offer of the member in force
then, for a card issued by then, within the offer's usage limit), and the saving is the
counter's own computation (`counter.redemptions.saving_fen`). The `volunteer` login's own
history (`cards.demo._history`) is left to it. One bulk insert; seeding twice adds nothing.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from alliance import clock
from alliance.cards.models import Card, CardStatus, Redemption
from alliance.commitments.models import CardKind, UsagePeriod
from alliance.commitments.offers import applicable_offers
from alliance.counter import redemptions
from alliance.db_types import utcnow
from alliance.demo.context import DemoContext
from alliance.extensions import db
from alliance.merchants import staff as merchant_staff
from alliance.merchants.models import Merchant, MerchantStatus

STORY_START = date(2026, 6, 1)
KEY = "demo-story"
# Redemptions in the story's first month, and how many more each month after.
FIRST_MONTH, GROWTH = 36, 18
BILLS_FEN = [
    4800,
    12650,
    3600,
    8800,
    2590,
    15800,
    6400,
    9900,
    3250,
    7300,
    11200,
    5600,
    2800,
    18600,
    4350,
    6990,
    3500,
    8250,
]


def _months(today: date) -> list[date]:
    months, first = [], STORY_START
    while first <= today:
        months.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return months


def redemptions_through_the_story(ctx: DemoContext) -> None:
    community = ctx.communities.get("YSMZ")
    volunteer = ctx.users.get("volunteer")
    if community is None or volunteer is None:
        return
    done = db.session.scalar(
        select(Redemption.id)
        .where(
            Redemption.community_id == community.id,
            Redemption.idempotency_key.like(f"{KEY}-%"),
        )
        .limit(1)
    )
    if done is not None:
        return
    now = utcnow()
    today = clock.local_today(now)
    choices = []  # (merchant, offer, first local day it applied)
    for merchant in db.session.scalars(
        select(Merchant)
        .where(Merchant.community_id == community.id, Merchant.status == MerchantStatus.ACTIVE)
        .order_by(Merchant.number)
    ):
        for offer in applicable_offers(merchant, CardKind.VOLUNTEER, today):
            if offer.min_star_level:
                continue  # kept for the star holders the counter checks at the time
            published = offer.commitment.published_at or merchant.created_at
            starts = max(clock.local_date(published), offer.valid_from or STORY_START)
            choices.append((merchant, offer, starts))
    cards = [
        (card_id, holder_id, clock.local_date(issued))
        for card_id, holder_id, issued in db.session.execute(
            select(Card.id, Card.holder_id, Card.created_at)
            .where(
                Card.community_id == community.id,
                Card.kind == CardKind.VOLUNTEER,
                Card.status == CardStatus.ACTIVE,
                Card.holder_id != volunteer.id,
            )
            .order_by(Card.created_at, Card.id)
        )
    ]
    if not choices or not cards:
        return
    staff = ctx.users.get("merchant")
    own = {m.id for m in merchant_staff.merchants_of(staff)} if staff else set()
    rows, used, n = [], {}, 0
    for m, first in enumerate(_months(today)):
        last = min((first + timedelta(days=32)).replace(day=1), today) - timedelta(days=1)
        span = (last - first).days + 1
        if span <= 0:
            continue
        count = (FIRST_MONTH + GROWTH * m) * span // 30
        for j in range(count):
            n += 1
            day = first + timedelta(days=(j * span) // count)
            open_then = [c for c in choices if c[2] <= day and _in_force(c[1], day)]
            held = [c for c in cards if c[2] < day]
            if not open_then or not held:
                continue
            merchant, offer, _starts = open_then[(n * 7 + m) % len(open_then)]
            card_id, holder_id, _issued = held[(n * 131 + j * 17) % len(held)]
            pkey = redemptions.period_key(offer.usage_period, day)
            limited = offer.usage_period != UsagePeriod.UNLIMITED and offer.usage_limit
            slot = None
            if limited:
                slot = used.get((offer.id, card_id, pkey), 0) + 1
                if slot > offer.usage_limit:
                    continue
                used[(offer.id, card_id, pkey)] = slot
            # lunch to evening, when the shops are open
            at = datetime.combine(day, time(11 + n % 9, (n * 13) % 60), tzinfo=clock.LOCAL_TZ)
            if at.astimezone(UTC) >= now:
                continue
            bill = BILLS_FEN[(n * 5 + m) % len(BILLS_FEN)]
            rows.append(
                {
                    "card_id": card_id,
                    "holder_id": holder_id,
                    "offer_id": offer.id,
                    "merchant_id": merchant.id,
                    "community_id": merchant.community_id,
                    "staff_id": staff.id if merchant.id in own else None,
                    "token_id": None,
                    "code_type": "rotating" if offer.requires_rotating or n % 3 else "static",
                    "offer_title": offer.commitment.title[:120],
                    "rate_percent": offer.rate_percent,
                    "bill_fen": bill,
                    "saving_fen": redemptions.saving_fen(bill, offer.rate_percent),
                    "period_key": pkey,
                    "local_day": day,
                    "slot": slot,
                    "idempotency_key": f"{KEY}-{n}",
                    "fingerprint": "demo",
                    "created_at": at.astimezone(UTC),
                }
            )
    if rows:
        db.session.execute(insert(Redemption), rows)


def _in_force(offer, day: date) -> bool:
    return offer.valid_until is None or offer.valid_until >= day

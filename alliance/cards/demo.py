"""Demo cards: every demo volunteer and member staff holds a card; `volunteer` has a history.

Bulk inserts (one per table) keep the seed fast; every step skips what already exists.
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import insert, select

from alliance import clock
from alliance.cards import demo_story as story
from alliance.cards import services
from alliance.cards.models import Card, Redemption
from alliance.commitments.models import CardKind, UsagePeriod
from alliance.commitments.offers import applicable_offers
from alliance.counter import redemptions
from alliance.db_types import utcnow
from alliance.demo.context import DemoContext
from alliance.extensions import db
from alliance.merchants.models import Merchant, MerchantStaff, MerchantStatus
from alliance.volunteers.models import VolunteerProfile, VolunteerStatus

BILLS_FEN = [4800, 12650, 3600, 8800, 2590, 15800, 6400, 9900, 3250, 7300, 11200, 5600]


def cards(ctx: DemoContext) -> None:
    holders = set(db.session.execute(select(Card.holder_id, Card.kind)).all())
    rows = [
        (user_id, community_id, CardKind.VOLUNTEER, None)
        for user_id, community_id in db.session.execute(
            select(VolunteerProfile.user_id, VolunteerProfile.community_id)
            .where(VolunteerProfile.status == VolunteerStatus.ACTIVE)
            .order_by(VolunteerProfile.id)
        )
        if (user_id, CardKind.VOLUNTEER) not in holders
    ]
    seen = set()
    for user_id, community_id, merchant_id in db.session.execute(
        select(MerchantStaff.user_id, Merchant.community_id, Merchant.id)
        .join(Merchant, Merchant.id == MerchantStaff.merchant_id)
        .where(Merchant.status == MerchantStatus.ACTIVE)
        .order_by(MerchantStaff.id)
    ):
        if (user_id, CardKind.ALLIANCE) not in holders and user_id not in seen:
            seen.add(user_id)
            rows.append((user_id, community_id, CardKind.ALLIANCE, merchant_id))
    if rows:
        secretary = ctx.users.get("secretary")
        services.issue_cards_bulk(
            rows, secretary.id if secretary else None, issued_at=_issue_moments(rows)
        )
    _history(ctx)
    story.redemptions_through_the_story(ctx)


def _issue_moments(rows) -> list[datetime]:
    """Each card issued when its holder joined (a volunteer's the day the volunteer joined, a
    member's the day the member signed), not at seeding time; so it is in force from then."""
    holders = [user_id for user_id, _c, kind, _m in rows if kind == CardKind.VOLUNTEER]
    joined = dict(
        db.session.execute(
            select(VolunteerProfile.user_id, VolunteerProfile.joined_at).where(
                VolunteerProfile.user_id.in_(holders)
            )
        ).all()
    )
    members = {m for _u, _c, _k, m in rows if m is not None}
    signed = dict(
        db.session.execute(
            select(Merchant.id, Merchant.created_at).where(Merchant.id.in_(members))
        ).all()
    )
    now = utcnow()
    return [
        min(now, (joined.get(user_id) if merchant_id is None else signed.get(merchant_id)) or now)
        for user_id, _c, _kind, merchant_id in rows
    ]


def _history(ctx: DemoContext) -> None:
    volunteer = ctx.users.get("volunteer")
    if volunteer is None:
        return
    card = services.current_card(volunteer.id, CardKind.VOLUNTEER)
    if (
        card is None
        or db.session.scalar(select(Redemption.id).where(Redemption.card_id == card.id).limit(1))
        is not None
    ):
        return
    today = clock.local_today()
    merchants = list(
        db.session.scalars(
            select(Merchant)
            .where(
                Merchant.community_id == card.community_id, Merchant.status == MerchantStatus.ACTIVE
            )
            .order_by(Merchant.number)
        )
    )
    own = {
        link.merchant_id
        for link in db.session.scalars(
            select(MerchantStaff).where(MerchantStaff.user_id == ctx.users["merchant"].id)
        )
    }
    merchants.sort(key=lambda m: m.id not in own)  # the `merchant` login's member first
    choices = []
    for merchant in merchants[:6]:
        offers = applicable_offers(merchant, CardKind.VOLUNTEER, today)
        if offers:
            choices.append((merchant, offers[0]))
    if not choices:
        return
    rows, used = [], {}
    for i, bill in enumerate(BILLS_FEN):
        merchant, offer = choices[i % len(choices)]
        day = today - timedelta(days=2 + i * 5)
        pkey = redemptions.period_key(offer.usage_period, day)
        limited = offer.usage_period != UsagePeriod.UNLIMITED and offer.usage_limit
        slot = used.get((offer.id, pkey), 0) + 1 if limited else None
        if limited and slot > offer.usage_limit:
            continue
        if limited:
            used[(offer.id, pkey)] = slot
        at = datetime.combine(day, time(12 + i % 7, 10 + i), tzinfo=clock.LOCAL_TZ)
        rows.append(
            {
                "card_id": card.id,
                "holder_id": volunteer.id,
                "offer_id": offer.id,
                "merchant_id": merchant.id,
                "community_id": merchant.community_id,
                "staff_id": ctx.users["merchant"].id if merchant.id in own else None,
                "token_id": None,
                "code_type": "rotating" if i % 3 else "static",
                "offer_title": offer.commitment.title[:120],
                "rate_percent": offer.rate_percent,
                "bill_fen": bill,
                "saving_fen": redemptions.saving_fen(bill, offer.rate_percent),
                "period_key": pkey,
                "local_day": day,
                "slot": slot,
                "idempotency_key": f"demo-{card.id}-{i}",
                "fingerprint": "demo",
                "created_at": at.astimezone(UTC),
            }
        )
    db.session.execute(insert(Redemption), rows)

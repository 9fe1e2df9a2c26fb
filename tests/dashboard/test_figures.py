"""The figures service: every figure equals a direct count, and the three rates' edge cases."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from alliance.activities.models import Signup
from alliance.cards.models import CardStatus, Redemption
from alliance.commitments.models import Commitment, CommitmentKind
from alliance.dashboard.figures import (
    BadMonth,
    figures_for,
    months_ending,
    parse_month,
    rate,
)
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest
from alliance.merchants.models import Merchant
from alliance.points import ledger
from alliance.points.models import LedgerEntry
from tests.commitments.factories import create_commitment, create_merchant
from tests.dashboard.factories import category_of, insert_orders, local, order_row
from tests.points.factories import give_card, make_activity, make_volunteer

OCT = date(2026, 10, 1)
NOV = date(2026, 11, 1)


def test_rates_are_percent_with_one_decimal_and_none_when_nothing_to_rate():
    assert rate(0, 0) is None
    assert rate(1, 3) == 33.3
    assert rate(2, 3) == 66.7
    assert rate(1, 8) == 12.5  # half up, never banker's rounding
    assert rate(3, 3) == 100.0
    assert rate(0, 5) == 0.0


def test_months_and_bad_months():
    assert parse_month("2026-10") == OCT
    assert months_ending(date(2026, 2, 1), 3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    for bad in ("2026-13", "2026-1", "26-10", "2026-00", "october", "２０２６-10"):
        with pytest.raises(BadMonth):
            parse_month(bad)


def _orders(world):
    """October: six orders with every fate; November: one order, never reviewed."""
    cat = category_of(world.a)
    posted = local(2026, 10, 5)
    rows = [
        # dispatched in time, done and rated 5
        order_row(
            world.a,
            cat,
            posted,
            state="reviewed",
            rating=5,
            first_dispatched_at=posted + timedelta(hours=3),
            resolved_at=posted + timedelta(days=2),
        ),
        # dispatched in time, closed, rated 4
        order_row(
            world.a,
            cat,
            posted,
            state="closed",
            rating=4,
            first_dispatched_at=posted + timedelta(hours=5),
            resolved_at=posted + timedelta(days=3),
        ),
        # dispatched late, done, rated 2 (not satisfied)
        order_row(
            world.a,
            cat,
            posted,
            state="reviewed",
            rating=2,
            first_dispatched_at=posted + timedelta(hours=80),
            resolved_at=posted + timedelta(days=5),
        ),
        # dispatched in time, still in progress
        order_row(
            world.a,
            cat,
            posted,
            state="in_progress",
            first_dispatched_at=posted + timedelta(hours=1),
        ),
        # never dispatched
        order_row(world.a, cat, posted, state="submitted"),
        # the street office took it straight on and resolved it in time
        order_row(
            world.a,
            cat,
            posted,
            state="done",
            escalated=True,
            resolved_at=posted + timedelta(hours=20),
        ),
        # cancelled: not counted anywhere
        order_row(world.a, cat, posted, state="cancelled", rating=5),
        # the last evening of October, local time, is still October
        order_row(world.a, cat, local(2026, 10, 31, 23), state="submitted"),
        # the other community's orders never count for A
        order_row(world.b, category_of(world.b), posted, state="reviewed", rating=5),
        # November
        order_row(
            world.a,
            cat,
            local(2026, 11, 2),
            state="done",
            first_dispatched_at=local(2026, 11, 2, 12),
            resolved_at=local(2026, 11, 4),
        ),
    ]
    insert_orders(rows)


def _direct_order_figures(community_id, month):
    orders = [
        o
        for o in db.session.scalars(select(HelpRequest)).all()
        if o.community_id == community_id and o.submitted_month == month and o.state != "cancelled"
    ]
    responded = [
        o
        for o in orders
        if (o.first_dispatched_at and o.first_dispatched_at <= o.due_at)
        or (
            not o.first_dispatched_at
            and o.escalated
            and o.resolved_at
            and o.resolved_at <= o.due_at
        )
    ]
    resolved = [o for o in orders if o.state in ("done", "reviewed", "closed")]
    reviewed = [o for o in orders if o.rating is not None]
    satisfied = [o for o in reviewed if o.rating >= 4]
    return len(orders), len(responded), len(resolved), len(reviewed), len(satisfied)


def test_order_figures_equal_direct_counts(world):
    _orders(world)
    figures = figures_for([world.a.id, world.b.id], [OCT, NOV])
    october, november = figures[world.a.id]
    received, responded, resolved, reviewed, satisfied = _direct_order_figures(
        world.a.id, "2026-10"
    )
    assert (received, responded, resolved, reviewed, satisfied) == (7, 4, 4, 3, 2)
    assert october.orders_received == received
    assert october.response_rate == rate(responded, received) == 57.1
    assert october.resolution_rate == rate(resolved, received) == 57.1
    assert october.satisfaction_rate == rate(satisfied, reviewed) == 66.7
    # November: one order, resolved, never reviewed: satisfaction has nothing to rate.
    assert november.orders_received == 1
    assert november.response_rate == 100.0
    assert november.resolution_rate == 100.0
    assert november.satisfaction_rate is None
    # B's only order is its own
    assert figures[world.b.id][0].orders_received == 1
    assert figures[world.b.id][0].satisfaction_rate == 100.0


def test_a_month_with_nothing_received_rates_nothing(world):
    f = figures_for([world.a.id], [OCT])[world.a.id][0]
    assert f.orders_received == 0
    assert (f.response_rate, f.resolution_rate, f.satisfaction_rate) == (None, None, None)
    assert f.public()["response_rate"] is None


def test_stock_figures_are_counted_at_each_months_end(world):
    old = create_merchant(world.a, 1)
    old.created_at = local(2026, 6, 1)
    left = create_merchant(world.a, 2, status="left")
    left.created_at = local(2026, 6, 1)
    left.status_changed_at = local(2026, 11, 10)  # left in November: a member at October's end
    joined_late = create_merchant(world.a, 3)
    joined_late.created_at = local(2026, 11, 3)
    create_merchant(world.b, 1).created_at = local(2026, 6, 1)
    kept = create_commitment(old, kind=CommitmentKind.SERVICE)
    kept.published_at = local(2026, 9, 1)
    withdrawn = create_commitment(old, kind=CommitmentKind.INTEGRITY, status="withdrawn")
    withdrawn.published_at = local(2026, 9, 1)
    withdrawn.withdrawn_at = local(2026, 11, 2)
    later = create_commitment(old, kind=CommitmentKind.POINTS)
    later.published_at = local(2026, 11, 20)
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a).joined_at = local(2026, 10, 9)
    card = give_card(volunteer, world.a)
    card.created_at = local(2026, 10, 9)
    card.status = CardStatus.LOST
    card.status_changed_at = local(2026, 11, 15)
    db.session.commit()

    october, november = figures_for([world.a.id], [OCT, NOV])[world.a.id]
    ends = {"2026-10": local(2026, 11, 1, 0), "2026-11": local(2026, 12, 1, 0)}
    merchants = db.session.scalars(
        select(Merchant).where(Merchant.community_id == world.a.id)
    ).all()
    commitments = db.session.scalars(
        select(Commitment).where(Commitment.community_id == world.a.id)
    ).all()
    for f in (october, november):
        end = ends[f.month]
        assert f.members == sum(
            1
            for m in merchants
            if m.created_at < end and not (m.status == "left" and m.status_changed_at < end)
        )
        for kind in ("integrity", "service", "points"):
            assert f.commitments[kind] == sum(
                1
                for c in commitments
                if c.kind == kind
                and c.published_at
                and c.published_at < end
                and (c.withdrawn_at is None or c.withdrawn_at >= end)
            )
    assert (october.members, november.members) == (2, 2)
    assert october.commitments == {"integrity": 1, "service": 1, "points": 0}
    assert november.commitments == {"integrity": 0, "service": 1, "points": 1}
    assert (october.volunteers, november.volunteers) == (1, 1)
    assert (october.cards, november.cards) == (1, 0)


def test_flow_figures_equal_direct_sums(world):
    secretary = world.users["secretary_a"]
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a)
    card = give_card(volunteer, world.a)
    shop = create_merchant(world.a, 1)
    commitment = create_commitment(shop, kind=CommitmentKind.INTEGRITY, rate=85)
    for k, (day, saving) in enumerate(
        [(date(2026, 10, 3), 300), (date(2026, 10, 31), 450), (date(2026, 11, 1), 1000)]
    ):
        db.session.add(
            Redemption(
                card_id=card.id,
                holder_id=volunteer.id,
                offer_id=commitment.offer.id,
                merchant_id=shop.id,
                community_id=world.a.id,
                code_type="static",
                offer_title="8.5折",
                rate_percent=85,
                bill_fen=saving * 6,
                saving_fen=saving,
                period_key="-",
                local_day=day,
                idempotency_key=f"k{k}",
                fingerprint="f",
                created_at=local(day.year, day.month, day.day),
            )
        )
    ledger.award(volunteer, 30, "助老", secretary)
    ledger.award(volunteer, 12, "清洁", secretary)
    db.session.flush()
    # The ledger is append-only for the ORM: back-date the two entries in the table itself.
    first, second = db.session.scalars(select(LedgerEntry.id).order_by(LedgerEntry.id)).all()
    for entry_id, moment in ((first, local(2026, 10, 8)), (second, local(2026, 11, 8))):
        db.session.execute(
            update(LedgerEntry.__table__)
            .where(LedgerEntry.__table__.c.id == entry_id)
            .values(created_at=moment)
        )
    activity = make_activity(world.a, secretary)
    slot = activity.slots[0]
    slot.local_day = date(2026, 10, 20)
    db.session.add(
        Signup(
            slot_id=slot.id,
            activity_id=activity.id,
            community_id=world.a.id,
            user_id=volunteer.id,
            minutes=95,
            confirmed_at=local(2026, 10, 21),
        )
    )
    db.session.commit()

    october, november = figures_for([world.a.id], [OCT, NOV])[world.a.id]
    redemptions = db.session.scalars(select(Redemption)).all()
    assert october.redemptions == sum(1 for r in redemptions if r.local_day.month == 10) == 2
    assert october.savings_fen == sum(r.saving_fen for r in redemptions if r.local_day.month == 10)
    assert november.savings_fen == 1000
    assert (october.points_earned, november.points_earned) == (30, 12)
    assert october.volunteer_hours == 1.6  # 95 minutes
    assert november.volunteer_hours == 0.0


def test_voided_redemptions_and_exchanges_are_in_no_figure(world):
    """A redemption keyed in by mistake (a bill of 100,000 yuan) and voided, and an exchange
    voided with its points given back, count neither as redemptions/savings nor as spent."""
    from alliance.clock import local_today
    from alliance.counter import exchanges, voids
    from alliance.db_types import utcnow
    from tests.points.factories import counter_setup

    setup = counter_setup(world, balance=100, cost=10)
    volunteer = world.users["volunteer"]
    shop = db.session.get(Merchant, setup.shop_id)
    commitment = create_commitment(shop, kind=CommitmentKind.INTEGRITY, rate=85)
    today = local_today()
    for k, (bill, voided) in enumerate([(4000, False), (10_000_000, True)]):
        db.session.add(
            Redemption(
                card_id=setup.card_id,
                holder_id=volunteer.id,
                offer_id=commitment.offer.id,
                merchant_id=shop.id,
                community_id=world.a.id,
                code_type="static",
                offer_title="8.5折",
                rate_percent=85,
                bill_fen=bill,
                saving_fen=bill * 15 // 100,
                period_key="-",
                local_day=today,
                idempotency_key=f"v{k}",
                fingerprint="f",
                voided_at=utcnow() if voided else None,
            )
        )
    merchant = world.users["merchant"]
    kept, _ = exchanges.exchange(
        merchant=shop,
        staff=merchant,
        raw_code=setup.code,
        item_id=setup.item_id,
        idempotency_key="e1",
    )
    undone, _ = exchanges.exchange(
        merchant=shop,
        staff=merchant,
        raw_code=setup.code,
        item_id=setup.item_id,
        idempotency_key="e2",
    )
    db.session.commit()
    voids.void_exchange(undone.id, actor=merchant, reason="扫错了")
    db.session.commit()

    (month,) = figures_for([world.a.id], [today.replace(day=1)])[world.a.id]
    assert (month.redemptions, month.savings_fen) == (1, 600)
    assert month.points_spent == 10

"""Factories for activities and points tests (also used by the authz tables)."""

from datetime import UTC, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from alliance import clock
from alliance.activities import services as activities
from alliance.api import tokens as api_tokens
from alliance.cards import services as cards
from alliance.cards.models import Card
from alliance.commitments.models import CommitmentKind
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.points import exchange_items, ledger
from alliance.volunteers.models import VolunteerProfile
from tests.commitments.factories import create_commitment, create_merchant


def make_volunteer(user, community, name=None):
    profile = db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)
    ).first()
    if profile is None:
        profile = VolunteerProfile(
            user_id=user.id,
            community_id=community.id,
            name=name or user.display_name,
            phone="13800000000",
        )
        db.session.add(profile)
        db.session.flush()
    return profile


def give_card(user, community):
    card = db.session.scalars(select(Card).where(Card.holder_id == user.id)).first()
    if card is None:
        cards.issue_cards_bulk([(user.id, community.id, "volunteer", None)], None)
        card = db.session.scalars(select(Card).where(Card.holder_id == user.id)).one()
    return card


def make_activity(
    community,
    secretary,
    *,
    title="清洁家园",
    starts_in=timedelta(days=1),
    hours=2,
    capacity=5,
    emergency=False,
    points_per_hour=None,
    slots=1,
):
    # 10:00 in Shanghai (daytime: no night multiplier), at least `starts_in` from now.
    start = (
        (utcnow() + starts_in)
        .astimezone(clock.LOCAL_TZ)
        .replace(hour=10, minute=0, second=0, microsecond=0)
        .astimezone(UTC)
    )
    if start < utcnow() + starts_in:
        start += timedelta(days=1)
    data = activities.ActivityInput(
        title=title,
        category="environment",
        place="社区广场",
        emergency=emergency,
        points_per_hour=points_per_hour,
        slots=[
            activities.SlotInput(
                start + timedelta(days=k), start + timedelta(days=k, hours=hours), capacity
            )
            for k in range(slots)
        ],
    )
    activity = activities.create_activity(community, secretary, data)
    db.session.flush()
    return activity


def make_shop(community, staff, *, number=1, name="明珠面馆"):
    shop = create_merchant(community, number, name=name, staff=staff)
    commitment = create_commitment(shop, kind=CommitmentKind.POINTS, title="积分兑换面条")
    return shop, commitment


def make_item(commitment, actor, *, title="牛肉面一碗", cost=10, stock=100, limit=None):
    return exchange_items.create_item(
        commitment,
        exchange_items.ItemInput(
            title=title, description="", points=cost, stock=stock, per_person_limit=limit
        ),
        actor,
    )


def counter_setup(world, *, balance=100, cost=10, stock=100, limit=None):
    """A shop (staff: merchant) with one item, and a volunteer card holding `balance` points."""
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a)
    card = give_card(volunteer, world.a)
    shop, commitment = make_shop(world.a, [world.users["merchant"]])
    item = make_item(commitment, world.users["merchant"], cost=cost, stock=stock, limit=limit)
    if balance:
        ledger.award(volunteer, balance, "测试", world.users["secretary_a"])
    token, raw = api_tokens.create_token(world.users["merchant"], shop, "收银机")
    db.session.commit()
    return SimpleNamespace(
        shop_id=shop.id,
        item_id=item.id,
        code=card.code,
        card_id=card.id,
        number=card.number,
        volunteer_id=volunteer.id,
        token=raw,
    )

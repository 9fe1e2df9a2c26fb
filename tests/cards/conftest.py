"""A member shop in community A (staff: `merchant`), offers, and a volunteer card for `volunteer`."""

from types import SimpleNamespace

import pytest

from alliance.api import tokens as api_tokens
from alliance.cards import services
from alliance.commitments.models import UsagePeriod
from alliance.extensions import db as _db
from alliance.volunteers.models import VolunteerProfile
from tests.commitments.factories import create_commitment, create_merchant


def make_volunteer(user, community, name="王小明"):
    profile = VolunteerProfile(
        user_id=user.id, community_id=community.id, name=name, phone="13800000000"
    )
    _db.session.add(profile)
    _db.session.flush()
    return profile


@pytest.fixture
def counter(world):
    shop = create_merchant(world.a, 1, name="明珠面馆", staff=[world.users["merchant"]])
    daily = create_commitment(
        shop, title="面条85折", rate=85, usage_limit=1, usage_period=UsagePeriod.DAY
    ).offer
    free = create_commitment(shop, title="饮料9折", rate=90).offer
    profile = make_volunteer(world.users["volunteer"], world.a)
    card = services.issue_card(world.users["volunteer"], "volunteer")
    _db.session.commit()
    return SimpleNamespace(
        shop=shop,
        daily=daily,
        free=free,
        card=card,
        profile=profile,
        code=card.code,
        shop_id=shop.id,
        card_id=card.id,
        daily_id=daily.id,
        free_id=free.id,
    )


@pytest.fixture
def api_token(counter, world):
    _token, raw = api_tokens.create_token(world.users["merchant"], counter.shop, "收银机")
    _db.session.commit()
    return raw


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}

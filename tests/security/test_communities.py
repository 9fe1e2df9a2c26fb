"""Cards across communities (issue 12, item 14).

The rule (README, "Cards across communities"): an offer applies to cards of the member's own
community unless the member opens it to the whole street office; points are spent only in the
holder's community.
"""

import uuid

import pytest

from alliance.extensions import db
from alliance.points import ledger
from tests.cards.conftest import bearer
from tests.conftest import office_with_community
from tests.points.factories import give_card, make_item, make_shop, make_volunteer


@pytest.fixture
def other_card(world, counter):
    """resident_b of community B (same street office as A) with a volunteer card and points."""
    holder = world.users["resident_b"]
    make_volunteer(holder, world.b, name="李乙乙")
    card = give_card(holder, world.b)
    ledger.award(holder, 50, "好事", world.users["secretary_b"])
    db.session.commit()
    return card


def _verify(client, token, code):
    return client.post("/api/v1/cards/verify", json={"code": code}, headers=bearer(token))


def test_another_communitys_card_gets_no_offer_and_no_points_view(client, api_token, other_card):
    body = _verify(client, api_token, other_card.code).get_json()
    assert body["valid"] is True
    assert body["offers"] == []
    assert body["points_balance"] is None and body["exchange_items"] == []


def test_another_communitys_card_cannot_redeem(client, api_token, counter, other_card):
    response = client.post(
        "/api/v1/redemptions",
        json={"code": other_card.code, "offer_id": counter.free_id},
        headers={**bearer(api_token), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == 422


def test_an_offer_opened_to_the_street_office_applies_to_its_cards(
    client, api_token, counter, other_card, db
):
    counter.free.open_to_street_office = True
    db.session.commit()
    body = _verify(client, api_token, other_card.code).get_json()
    assert [o["id"] for o in body["offers"]] == [counter.free_id]
    response = client.post(
        "/api/v1/redemptions",
        json={"code": other_card.code, "offer_id": counter.free_id, "bill_fen": 1000},
        headers={**bearer(api_token), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201 and response.get_json()["saving_fen"] == 100


def test_an_opened_offer_stays_closed_to_another_street_office(
    client, api_token, counter, world, make_user, db
):
    counter.free.open_to_street_office = True
    _far, c = office_with_community(code="FAR", name="远方街道")
    holder = make_user("far_resident", community=c)
    make_volunteer(holder, c, name="赵丙丙")
    card = give_card(holder, c)
    db.session.commit()
    assert _verify(client, api_token, card.code).get_json()["offers"] == []


def test_own_community_cards_keep_every_offer(client, api_token, counter):
    body = _verify(client, api_token, counter.code).get_json()
    assert {o["id"] for o in body["offers"]} == {counter.daily_id, counter.free_id}


def test_points_are_spent_only_in_the_holders_community(client, world, other_card, db):
    shop, commitment = make_shop(world.a, [world.users["merchant"]], number=7, name="甲社区小店")
    item = make_item(commitment, world.users["merchant"], cost=10)
    from alliance.api import tokens

    _token, raw = tokens.create_token(world.users["merchant"], shop, "收银机")
    db.session.commit()
    response = client.post(
        "/api/v1/exchanges",
        json={"code": other_card.code, "item_id": item.id},
        headers={**bearer(raw), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "other_community"
    assert ledger.balance_of(world.users["resident_b"].id) == 50


def test_the_member_opens_an_offer_from_its_form(as_user, world, db):
    from sqlalchemy import select

    from alliance.commitments.models import Commitment
    from tests.commitments.factories import create_merchant
    from tests.commitments.test_workflow import OFFER_FORM

    shop = create_merchant(world.a, 9, name="开放小店", staff=[world.users["merchant"]])
    db.session.commit()
    client = as_user("merchant")
    assert "向全街道各社区的卡开放" in client.get("/commitments/new").get_data(as_text=True)
    data = {**OFFER_FORM, "merchant_id": shop.id, "open_to_street_office": "y"}
    assert client.post("/commitments/new", data=data).status_code == 303
    commitment = db.session.scalars(select(Commitment)).one()
    assert commitment.offer.open_to_street_office is True

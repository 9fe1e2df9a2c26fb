"""Offers tied to a star level ("三星以上志愿者 7折"): the rule on the offer, the counter's check."""

import json

import pytest
from sqlalchemy import func, select

from alliance.api import tokens as api_tokens
from alliance.cards import services as cards
from alliance.cards.models import Redemption
from alliance.commitments.drafting import OfferInput, _checked_offer
from alliance.commitments.errors import CommitmentError
from alliance.commitments.models import Commitment, Qualifies
from alliance.extensions import db
from tests.commitments.factories import create_commitment, create_merchant
from tests.commitments.test_workflow import OFFER_FORM
from tests.stars.factories import serve

DAY = 1440


@pytest.fixture
def shop(world):
    shop = create_merchant(world.a, 1, name="明珠药房", staff=[world.users["merchant"]])
    db.session.commit()
    return shop


def test_member_sets_a_minimum_level_and_the_board_says_so(as_user, world, shop):
    client = as_user("merchant")
    r = client.post(
        "/commitments/new",
        data={
            **OFFER_FORM,
            "merchant_id": shop.id,
            "qualifies": "volunteer",
            "min_star_level": "3",
        },
    )
    assert r.status_code == 303
    commitment = db.session.scalars(select(Commitment)).one()
    assert commitment.offer.min_star_level == 3
    assert commitment.offer.qualifies_label == "三星及以上志愿者卡"
    edit = client.get(f"/commitments/{commitment.id}/edit").get_data(as_text=True)
    assert '<option selected value="3">' in edit or 'value="3" selected' in edit


def test_a_level_rule_on_an_alliance_card_offer_is_refused(as_user, world, shop):
    r = as_user("merchant").post(
        "/commitments/new",
        data={**OFFER_FORM, "merchant_id": shop.id, "qualifies": "alliance", "min_star_level": "2"},
    )
    assert r.status_code in (200, 422)  # the form again, with the message on the field
    assert "只适用共富联盟卡的优惠不能设星级要求" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Commitment.id))) == 0


def test_a_level_outside_one_to_five_is_refused_by_the_service():
    data = OfferInput(rate="7折", qualifies=Qualifies.VOLUNTEER, min_star_level=6)
    with pytest.raises(CommitmentError, match="一星到五星"):
        _checked_offer(data)


@pytest.fixture
def counter(world, shop):
    """A 7折 offer for volunteers of 一星 and up, and the volunteer's card (99.9 h so far)."""
    offer = create_commitment(
        shop, title="一星以上志愿者 7折", rate=70, qualifies=Qualifies.VOLUNTEER
    ).offer
    offer.min_star_level = 1
    serve(world, world.users["volunteer"], [DAY, DAY, DAY, DAY, 234])
    card = cards.issue_card(world.users["volunteer"], "volunteer")
    token, raw = api_tokens.create_token(world.users["merchant"], shop, "收银机")
    db.session.commit()
    return {"offer": offer.id, "code": card.code, "token": raw}


def test_html_counter_refuses_a_volunteer_below_the_offers_level(as_user, world, counter):
    cashier = as_user("merchant")
    page = cashier.get(f"/c/{counter['code']}").get_data(as_text=True)
    assert "一星及以上志愿者卡" in page
    refused = cashier.post(
        f"/c/{counter['code']}/redeem",
        data={"offer_id": counter["offer"], "bill": "100", "key": "k1"},
    )
    assert refused.status_code == 422
    assert "这项优惠限一星及以上志愿者，持卡人尚未达到。" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Redemption.id))) == 0

    serve(world, world.users["volunteer"], [6], title="再服务6分钟")  # 100.0 h: 一星
    accepted = as_user("merchant").post(
        f"/c/{counter['code']}/redeem",
        data={"offer_id": counter["offer"], "bill": "100", "key": "k2"},
    )
    assert accepted.status_code == 303
    assert db.session.scalar(select(func.count(Redemption.id))) == 1


def test_api_refuses_a_volunteer_below_the_offers_level(client, world, counter):
    headers = {"Authorization": f"Bearer {counter['token']}", "Idempotency-Key": "a1"}
    body = {"code": counter["code"], "offer_id": counter["offer"], "bill_fen": 10000}
    refused = client.post("/api/v1/redemptions", json=body, headers=headers)
    assert refused.status_code == 422
    # The error's shape is the API's; the code and the message are this rule's.
    said = json.dumps(refused.get_json(), ensure_ascii=False)
    assert "star_level_required" in said
    assert "这项优惠限一星及以上志愿者，持卡人尚未达到。" in said
    assert db.session.scalar(select(func.count(Redemption.id))) == 0
    verify = client.post(
        "/api/v1/cards/verify", json={"code": counter["code"]}, headers=headers
    ).get_json()
    offer = next(o for o in verify["offers"] if o["id"] == counter["offer"])
    assert offer["min_star_level"] == 1
    serve(world, world.users["volunteer"], [6], title="再服务6分钟")
    accepted = client.post(
        "/api/v1/redemptions", json=body, headers={**headers, "Idempotency-Key": "a2"}
    )
    assert accepted.status_code == 201

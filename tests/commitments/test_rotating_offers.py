"""An offer that only the phone's rotating code may redeem (not a printed card or a screenshot)."""

import re

from sqlalchemy import func, select

from alliance.cards import services as cards
from alliance.cards.models import Redemption
from alliance.commitments.models import Commitment, CommitmentStatus
from alliance.extensions import db
from tests.cards.conftest import make_volunteer
from tests.commitments.test_workflow import OFFER_FORM

NOTE = "需出示手机上的动态码"
ROTATING_FORM = {**OFFER_FORM, "requires_rotating": "y", "valid_from": "", "valid_until": ""}


def _reload(commitment_id):
    db.session.expire_all()
    return db.session.get(Commitment, commitment_id)


def _publish(as_user, commitment_id):
    assert as_user("merchant").post(f"/commitments/{commitment_id}/submit").status_code == 303
    assert as_user("secretary_a").post(f"/commitments/{commitment_id}/approve").status_code == 303
    assert _reload(commitment_id).status == CommitmentStatus.PUBLISHED


def test_member_requires_the_rotating_code_and_the_public_page_says_so(world, shop, as_user):
    client = as_user("merchant")
    form = client.get("/commitments/new").get_data(as_text=True)
    assert "需出示动态码（防截图）" in form and "打印" in form
    response = client.post("/commitments/new", data={**ROTATING_FORM, "merchant_id": shop.id})
    assert response.status_code == 303
    commitment = db.session.scalars(select(Commitment)).one()
    assert commitment.offer.requires_rotating is True
    # The edit form shows the box ticked.
    edit = client.get(f"/commitments/{commitment.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*id="requires_rotating"', edit)

    _publish(as_user, commitment.id)
    resident = as_user("resident")
    page = resident.get(f"/commitments/{commitment.id}").get_data(as_text=True)
    assert NOTE in page
    assert NOTE in resident.get("/commitments/").get_data(as_text=True)
    # Cashier systems reading the public API learn it too.
    listed = resident.get("/api/v1/commitments").get_json()["items"]
    assert [c["offer"]["requires_rotating"] for c in listed] == [True]
    # An offer without the box says nothing of the kind.
    other = as_user("merchant").post(
        "/commitments/new", data={**OFFER_FORM, "merchant_id": shop.id, "title": "普通优惠"}
    )
    plain = db.session.scalar(select(Commitment).where(Commitment.title == "普通优惠"))
    assert other.status_code == 303 and plain.offer.requires_rotating is False
    assert NOTE not in as_user("merchant").get(f"/commitments/{plain.id}").get_data(as_text=True)


def test_a_correction_keeps_the_rotating_requirement_until_it_is_unticked(world, shop, as_user):
    client = as_user("merchant")
    client.post("/commitments/new", data={**ROTATING_FORM, "merchant_id": shop.id})
    v1 = db.session.scalars(select(Commitment)).one()
    _publish(as_user, v1.id)

    client = as_user("merchant")
    assert client.post(f"/commitments/{v1.id}/correct").status_code == 303
    v2 = db.session.scalars(select(Commitment).where(Commitment.version == 2)).one()
    assert v2.offer.requires_rotating is True
    edit = client.get(f"/commitments/{v2.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*id="requires_rotating"', edit)
    # Saving the correction without the box lifts the requirement on the new version only.
    client.post(f"/commitments/{v2.id}/edit", data={**OFFER_FORM, "merchant_id": shop.id})
    assert _reload(v2.id).offer.requires_rotating is False
    assert _reload(v1.id).offer.requires_rotating is True


def test_the_counter_refuses_the_static_code_and_accepts_the_rotating_one(world, shop, as_user):
    as_user("merchant").post("/commitments/new", data={**ROTATING_FORM, "merchant_id": shop.id})
    commitment = db.session.scalars(select(Commitment)).one()
    _publish(as_user, commitment.id)
    offer_id = commitment.offer.id
    make_volunteer(world.users["volunteer"], world.a)
    card = cards.issue_card(world.users["volunteer"], "volunteer")
    db.session.commit()
    static_code, card_id = card.code, card.id

    cashier = as_user("merchant")
    page = cashier.get(f"/c/{static_code}").get_data(as_text=True)
    assert "静态码" in page and "需动态码" in page
    refused = cashier.post(
        f"/c/{static_code}/redeem", data={"offer_id": offer_id, "bill": "100", "key": "s1"}
    )
    assert refused.status_code == 422
    assert "需要出示手机上的动态码" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Redemption.id))) == 0

    rotating = as_user("volunteer").get(f"/me/card/{card_id}/rotating.json").get_json()["code"]
    cashier = as_user("merchant")
    accepted = cashier.post(
        f"/c/{rotating}/redeem", data={"offer_id": offer_id, "bill": "100", "key": "r1"}
    )
    assert accepted.status_code == 303
    record = db.session.scalars(select(Redemption)).one()
    assert record.code_type == "rotating" and record.offer_id == offer_id

"""Open311 as an outsider sees it (issue 12, items 6 and 13)."""

import pytest
from sqlalchemy import delete

from alliance.api.tokens import create_token
from alliance.extensions import db
from alliance.merchants.models import MerchantStaff
from tests.help_requests.factories import post_need


def test_agency_responsible_masks_a_volunteers_name(client, world, setup):
    order = post_need(world)
    order.provider_kind = "volunteer"
    order.provider_volunteer_id = setup.profile.id
    db.session.commit()
    body = client.get("/open311/v2/requests.json?jurisdiction_id=AAA").get_json()
    agencies = [row["agency_responsible"] for row in body]
    assert agencies == ["周*愿"]
    xml = client.get("/open311/v2/requests.xml?jurisdiction_id=AAA").get_data(as_text=True)
    assert "周志愿" not in xml and "周*愿" in xml


def test_a_shop_stays_named(client, world, setup):
    order = post_need(world)
    order.provider_kind = "merchant"
    order.provider_merchant_id = setup.firm.id
    db.session.commit()
    body = client.get(f"/open311/v2/requests/{order.id}.json?jurisdiction_id=AAA").get_json()
    assert body[0]["agency_responsible"] == "诚信会计师事务所"


def _post(client, raw):
    return client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": raw,
            "jurisdiction_id": "AAA",
            "service_code": "enterprise",
            "address_string": "诚信会计师事务所门口",
            "description": "想找合作伙伴",
        },
    )


@pytest.mark.parametrize("change", ["member_suspended", "staff_removed", "member_left"])
def test_a_token_that_no_longer_opens_the_counter_does_not_open_open311(
    client, world, setup, change
):
    _token, raw = create_token(world.users["merchant"], setup.firm, "收银")
    db.session.commit()
    if change == "staff_removed":
        db.session.execute(delete(MerchantStaff).where(MerchantStaff.merchant_id == setup.firm.id))
    else:
        setup.firm.status = "suspended" if change == "member_suspended" else "left"
    db.session.commit()
    verify = client.post(
        "/api/v1/cards/verify", json={"code": "x"}, headers={"Authorization": f"Bearer {raw}"}
    )
    assert verify.status_code in (401, 403)
    response = _post(client, raw)
    assert response.status_code == 403

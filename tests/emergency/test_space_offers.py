"""Alliance members offer space (a hotel's rooms, a restaurant's meals); the secretary accepts
and the offer becomes a shelter or meal point linked to the member."""

import re

import pytest
from sqlalchemy import func, select

from alliance.emergency import shelters, space_offers
from alliance.emergency.services import EmergencyError
from alliance.emergency.shelter_models import Shelter, SpaceOffer, Transfer
from alliance.extensions import db
from alliance.merchants import staff as merchant_staff
from alliance.merchants.models import Merchant
from alliance.notifications.models import Notification

HOTEL = {
    "kind": "shelter",
    "capacity": "40",
    "offers": "客房 20 间、热水",
    "contact_phone": "13900003333",
}


@pytest.fixture
def hotel(world):
    """悦来酒店, the 7th member of A; the `merchant` user is its staff."""
    hotel = Merchant(
        community_id=world.a.id, number=7, name="悦来酒店", category="living", address="河滨路 9 号"
    )
    other = Merchant(community_id=world.a.id, number=8, name="老王饭店", category="catering")
    db.session.add_all([hotel, other])
    db.session.flush()
    merchant_staff.add_staff_link(hotel, world.users["merchant"], is_owner=True)
    db.session.commit()
    return hotel, other


def _kinds(kind):
    return db.session.scalars(select(Notification).where(Notification.kind == kind)).all()


def test_the_members_staff_offer_rooms_and_the_secretary_accepts_them(world, hotel, as_user):
    hotel, _other = hotel
    staff = as_user("merchant")
    assert staff.get("/emergency/space-offers").status_code == 200
    r = staff.post("/emergency/space-offers", data={**HOTEL, "merchant_id": str(hotel.id)})
    assert r.status_code == 303
    told = _kinds("emergency.space_offered")
    assert [n.user_id for n in told] == [world.users["secretary_a"].id]
    row = db.session.scalars(select(SpaceOffer)).one()
    assert (row.status, row.capacity, row.offered_by_id) == (
        "offered",
        40,
        world.users["merchant"].id,
    )
    # Not yet a shelter.
    assert db.session.scalar(select(func.count(Shelter.id))) == 0

    secretary = as_user("secretary_a")
    assert "1 份待确认" in secretary.get("/emergency/shelters").get_data(as_text=True)
    r = secretary.post(f"/emergency/space-offers/{row.id}/accept")
    assert r.status_code == 303
    shelter = db.session.scalars(select(Shelter)).one()
    assert (shelter.merchant_id, shelter.kind, shelter.capacity) == (hotel.id, "shelter", 40)
    assert r.headers["Location"].endswith(f"/emergency/shelters/{shelter.id}")
    listing = secretary.get("/emergency/shelters").get_data(as_text=True)
    assert "第7家联盟商户 · 悦来酒店" in listing and "在住 0 / 容纳 40" in listing
    assert [n.user_id for n in _kinds("emergency.space_accepted")] == [world.users["merchant"].id]
    # Deciding twice is refused and makes no second shelter.
    r = secretary.post(f"/emergency/space-offers/{row.id}/accept", follow_redirects=True)
    assert "这份提供已经处理过了（已接受）" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Shelter.id))) == 1


def test_bad_offers_are_refused_with_nothing_saved(world, hotel, as_user):
    hotel, other = hotel
    staff = as_user("merchant")
    base = {**HOTEL, "merchant_id": str(hotel.id)}
    for change, message in [
        ({"capacity": "0"}, "人数或每天份数是 1 到 100000 的整数"),
        ({"capacity": "2.5"}, "人数或每天份数是 1 到 100000 的整数"),
        ({"contact_phone": "123"}, "请填写正确的手机号码"),
        ({"offers": ""}, "请写明提供什么"),
        # Staff offer only for the member they work for.
        ({"merchant_id": str(other.id)}, "不是有效的选择"),
    ]:
        r = staff.post("/emergency/space-offers", data={**base, **change})
        assert r.status_code == 422, change
        assert message in r.get_data(as_text=True), re.findall(
            r"role=.alert.[^>]*>([^<]*)<", r.get_data(as_text=True)
        )
    assert db.session.scalar(select(func.count(SpaceOffer.id))) == 0
    # A resident or a grid worker cannot offer a member's space.
    assert as_user("grid").post("/emergency/space-offers", data=base).status_code == 403
    with pytest.raises(EmergencyError, match="只有本商户的店员或社区书记"):
        space_offers.offer_space(
            other,
            kind="shelter",
            capacity=5,
            offers="床",
            contact_phone="13900003333",
            actor=world.users["merchant"],
        )


def test_a_restaurant_as_a_meal_point_offered_by_the_secretary(world, hotel, as_user):
    _hotel, restaurant = hotel
    secretary = as_user("secretary_a")
    data = {
        "merchant_id": str(restaurant.id),
        "kind": "meal_point",
        "capacity": "300",
        "offers": "每天盒饭 300 份",
        "contact_phone": "13900004444",
    }
    assert secretary.post("/emergency/space-offers", data=data).status_code == 303
    row = db.session.scalars(select(SpaceOffer)).one()
    assert secretary.post(f"/emergency/space-offers/{row.id}/accept").status_code == 303
    point = db.session.scalars(select(Shelter)).one()
    page = secretary.get("/emergency/shelters").get_data(as_text=True)
    assert "第8家联盟商户 · 老王饭店" in page and "每天可供餐 300 份" in page
    # Nobody is moved into a meal point to stay.
    r = secretary.post(f"/emergency/shelters/{point.id}/transfers", data={"people": "2"})
    assert r.status_code == 409 and "老王饭店是供餐点，不安排住宿" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Transfer.id))) == 0


def test_declining_needs_a_reason_which_the_member_sees(world, hotel, as_user):
    hotel, _other = hotel
    row = space_offers.offer_space(
        hotel,
        kind="shelter",
        capacity=10,
        offers="客房 5 间",
        contact_phone="13900003333",
        actor=world.users["merchant"],
    )
    db.session.commit()
    secretary = as_user("secretary_a")
    r = secretary.post(f"/emergency/space-offers/{row.id}/decline", data={"reason": ""})
    assert r.status_code == 422 and "请写明不接受的原因" in r.get_data(as_text=True)
    r = secretary.post(
        f"/emergency/space-offers/{row.id}/decline", data={"reason": "位于低洼地带，不宜安置"}
    )
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(SpaceOffer, row.id).status == "declined"
    assert db.session.scalar(select(func.count(Shelter.id))) == 0
    page = as_user("merchant").get("/emergency/space-offers").get_data(as_text=True)
    assert "未接受的原因：位于低洼地带，不宜安置" in page
    # Another community's secretary cannot touch it.
    r = as_user("secretary_b").post(f"/emergency/space-offers/{row.id}/accept")
    assert r.status_code == 404


def test_the_hotel_staff_check_arrivals_in_without_seeing_names(world, hotel, as_user):
    from alliance.emergency import households

    hotel, _other = hotel
    row = space_offers.offer_space(
        hotel,
        kind="shelter",
        capacity=10,
        offers="客房 5 间",
        contact_phone="13900003333",
        actor=world.users["merchant"],
    )
    shelter = space_offers.accept(row, actor=world.users["secretary_a"])
    household = households.create_household(
        world.a,
        households.HouseholdInput(
            head_name="赵奶奶",
            estate_id=world.estate_a.id,
            grid_id=world.grid.id,
            categories=("alone",),
            responsible="volunteer",
        ),
        actor=world.users["secretary_a"],
    )
    moved = shelters.transfer(
        shelter, people=1, from_place="河边", household_id=household.id, override=False, actor=None
    )
    db.session.commit()
    staff = as_user("merchant")
    page = staff.get(f"/emergency/shelters/{shelter.id}").get_data(as_text=True)
    assert f"户码 {household.code}" in page and "赵奶奶" not in page and "河边" not in page
    r = staff.post(
        f"/emergency/shelters/{shelter.id}/arrivals", data={"arrival-code": household.code}
    )
    assert r.status_code == 303
    db.session.expire_all()
    arrived = db.session.get(Transfer, moved.id)
    assert arrived.checked_in_by_id == world.users["merchant"].id
    assert arrived.check_in_method == "household"
    # The hotel's staff register no transfers and no returns.
    assert (
        staff.post(f"/emergency/shelters/{shelter.id}/transfers", data={"people": "1"}).status_code
        == 403
    )
    assert staff.post(f"/emergency/transfers/{moved.id}/return").status_code == 403
    # The secretary sees the name.
    page = as_user("secretary_a").get(f"/emergency/shelters/{shelter.id}").get_data(as_text=True)
    merchant = world.users["merchant"].display_name
    assert "赵奶奶" in page and f"户码 · 登记人：{merchant}" in page


@pytest.mark.parametrize("size", [10, 5000])
def test_the_offers_page_has_a_bounded_statement_count(
    world, hotel, as_user, count_statements, size
):
    from sqlalchemy import insert

    hotel, _other = hotel
    db.session.execute(
        insert(SpaceOffer),
        [
            {
                "community_id": world.a.id,
                "merchant_id": hotel.id,
                "kind": "shelter",
                "capacity": 10,
                "offers": "客房",
                "contact_phone": "13900003333",
                "status": "offered",
                "decline_reason": "",
            }
            for _ in range(size)
        ],
    )
    db.session.commit()
    for user in ("secretary_a", "merchant"):
        client = as_user(user)
        with count_statements() as counter:
            assert client.get("/emergency/space-offers").status_code == 200
        assert counter.count <= 12, (user, counter.count)

from alliance.accounts.models import User
from alliance.emergency import shelters, space_offers
from alliance.extensions import db
from alliance.merchants import staff as merchant_staff
from alliance.merchants.models import Merchant
from tests.authz.matrix import Case, only


def setup(world) -> dict:
    shelter = shelters.create_shelter(
        world.a,
        name="矩阵安置点",
        place="小学",
        capacity=50,
        contact_phone="",
        offers="床位",
        actor=None,
    )
    moved = shelters.transfer(
        shelter, people=2, from_place="低洼处", household_id=None, override=False, actor=None
    )
    back = shelters.transfer(
        shelter, people=1, from_place="", household_id=None, override=False, actor=None
    )
    shelters.check_in(back, actor=None)
    # A hotel of A whose staff is the `merchant` user: its offer, and a second one pending.
    hotel = Merchant(community_id=world.a.id, number=98, name="矩阵酒店", category="living")
    db.session.add(hotel)
    db.session.flush()
    merchant = db.session.get(User, world.users["merchant"].id)
    merchant_staff.add_staff_link(hotel, merchant, is_owner=True)
    offered = dict(kind="shelter", capacity=20, offers="客房", contact_phone="13900003333")
    accepted = space_offers.offer_space(hotel, **offered, actor=None)
    hotel_shelter = space_offers.accept(accepted, actor=None)
    pending = space_offers.offer_space(hotel, **offered, actor=None)
    db.session.commit()
    return {
        "shelter": shelter.id,
        "transfer": moved.id,
        "transfer_in": back.id,
        "hotel_shelter": hotel_shelter.id,
        "offer": pending.id,
    }


STAFF_A = ("grid", "secretary_a")

# The first staff member in role order (grid) checks in / returns; the next finds it done (a
# flashed refusal, 303 back to the shelter too).
ROWS = {
    "emergency.shelters_index": Case(
        "GET", "/emergency/shelters", only("grid", "secretary_a", "secretary_b")
    ),
    "emergency.create_shelter": Case(
        "POST", "/emergency/shelters", only("secretary_a", "secretary_b", ok=422)
    ),
    # The community's shelter: its staff; a member's staff who did not offer it get 404.
    "emergency.shelter": Case(
        "GET", "/emergency/shelters/{shelter}", only(*STAFF_A, merchant=404, secretary_b=404)
    ),
    # Arrivals: an empty code is 422 for those who may check in at the hotel (its staff too).
    "emergency.shelter_arrival": Case(
        "POST",
        "/emergency/shelters/{hotel_shelter}/arrivals",
        only(*STAFF_A, "merchant", ok=422, secretary_b=404),
    ),
    "emergency.transfer_to_shelter": Case(
        "POST", "/emergency/shelters/{shelter}/transfers", only(*STAFF_A, ok=422, secretary_b=404)
    ),
    "emergency.transfer_check_in": Case(
        "POST",
        "/emergency/transfers/{transfer}/check-in",
        only(*STAFF_A, ok=303, merchant=404, secretary_b=404),
    ),
    # Offers of space: members' staff and secretaries (an empty form is 422).
    "emergency.space_offers_index": Case(
        "GET", "/emergency/space-offers", only("merchant", "secretary_a", "secretary_b")
    ),
    "emergency.offer_space": Case(
        "POST",
        "/emergency/space-offers",
        only("merchant", "secretary_a", "secretary_b", ok=422),
    ),
    # Accepting: the secretary of A once (303 to the new shelter), community B 404.
    "emergency.accept_space_offer": Case(
        "POST",
        "/emergency/space-offers/{offer}/accept",
        only("secretary_a", ok=303, secretary_b=404),
    ),
    "emergency.decline_space_offer": Case(
        "POST",
        "/emergency/space-offers/{offer}/decline",
        only("secretary_a", ok=422, secretary_b=404),
    ),
    # A response runs in the matrix (table_emergency): the grid worker is refused (flashed, 303);
    # the secretary may override but must give a reason (an empty one: 409 on the form).
    "emergency.transfer_return": Case(
        "POST",
        "/emergency/transfers/{transfer_in}/return",
        only(*STAFF_A, ok=303, secretary_a=409, merchant=403, secretary_b=404),
    ),
}

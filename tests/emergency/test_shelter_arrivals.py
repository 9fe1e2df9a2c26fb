"""Arrival at a shelter by the household's code or a volunteer card; no return home while the
response runs unless the secretary records why; the figures stay right."""

import pytest

from alliance.emergency import households, services, shelters
from alliance.emergency.household_models import CODE_ALPHABET
from alliance.emergency.services import Target
from alliance.emergency.shelter_models import Transfer
from alliance.extensions import db
from tests.points.factories import give_card, make_volunteer


@pytest.fixture
def moved(world):
    """A household of A (the resident `resident` lives there) moved to a school of A by
    `volunteer`, on its way."""
    secretary = world.users["secretary_a"]
    shelter = shelters.create_shelter(
        world.a,
        name="甲社区小学",
        place="",
        capacity=10,
        contact_phone="",
        offers="",
        actor=secretary,
    )
    household = households.create_household(
        world.a,
        households.HouseholdInput(
            head_name="钱爷爷",
            estate_id=world.estate_a.id,
            grid_id=world.grid.id,
            categories=("alone",),
            members=3,
            responsible="volunteer",
        ),
        actor=secretary,
    )
    household.resident_id = world.users["resident"].id
    row = shelters.transfer(
        shelter, people=3, from_place="河边", household_id=household.id, override=False, actor=None
    )
    row.moved_by_id = world.users["volunteer"].id
    db.session.commit()
    return shelter, household, row


def _arrive(client, shelter, code):
    return client.post(f"/emergency/shelters/{shelter.id}/arrivals", data={"arrival-code": code})


def test_every_household_gets_a_short_code_shown_on_its_entry(world, moved, as_user):
    _shelter, household, _row = moved
    assert len(household.code) == 6 and set(household.code) <= set(CODE_ALPHABET)
    page = as_user("volunteer").get(f"/emergency/households/{household.id}").get_data(as_text=True)
    assert f'household-code">{household.code}<' in page


def test_arrival_by_the_households_code(world, moved, as_user):
    shelter, household, row = moved
    grid = as_user("grid")
    r = _arrive(grid, shelter, "ZZZZZZ")
    assert r.status_code == 422 and "没有找到这个户码或志愿者卡" in r.get_data(as_text=True)
    assert shelters.figures(world.a.id)["people_in_shelters"] == 0
    # Typed in lower case from the card on the fridge door.
    assert _arrive(grid, shelter, f" {household.code.lower()} ").status_code == 303
    db.session.expire_all()
    arrived = db.session.get(Transfer, row.id)
    assert arrived.checked_in_at is not None
    assert (arrived.checked_in_by_id, arrived.check_in_method) == (
        world.users["grid"].id,
        "household",
    )
    page = grid.get(f"/emergency/shelters/{shelter.id}").get_data(as_text=True)
    assert "在住 3 / 容纳 10" in page
    assert f"户码 · 登记人：{world.users['grid'].display_name}" in page
    # Twice: nothing left on the way.
    r = _arrive(grid, shelter, household.code)
    assert r.status_code == 409 and "没有待到达甲社区小学的转移记录" in r.get_data(as_text=True)
    assert shelters.figures(world.a.id)["people_in_shelters"] == 3


@pytest.mark.parametrize("holder", ["resident", "volunteer"])
def test_arrival_by_a_volunteer_card_of_the_household_or_of_who_brought_them(
    world, moved, as_user, holder
):
    shelter, _household, row = moved
    person = world.users[holder]
    make_volunteer(person, world.a)
    card = give_card(person, world.a)
    make_volunteer(world.users["grid"], world.a)
    stranger = give_card(world.users["grid"], world.a)
    db.session.commit()
    secretary = as_user("secretary_a")
    r = _arrive(secretary, shelter, stranger.code)
    assert r.status_code == 409 and "这张卡的持卡人没有待到达甲社区小学的转移记录" in r.get_data(
        as_text=True
    )
    assert _arrive(secretary, shelter, f"https://example.org/c/{card.code}").status_code == 303
    db.session.expire_all()
    arrived = db.session.get(Transfer, row.id)
    assert arrived.check_in_method == "card" and arrived.checked_in_at is not None
    assert arrived.checked_in_by_id == world.users["secretary_a"].id


def test_no_return_while_the_response_runs_unless_the_secretary_says_why(world, moved, as_user):
    shelter, _household, row = moved
    shelters.check_in(row, actor=None)
    services.start_response(
        Target(community=world.a), kind="flood", level="IV", reason="暴雨", drill=False, actor=None
    )
    db.session.commit()
    path = f"/emergency/transfers/{row.id}/return"
    grid = as_user("grid")
    page = grid.get(f"/emergency/shelters/{shelter.id}").get_data(as_text=True)
    assert "应急响应未解除，转移人员暂不返回" in page
    r = grid.post(path, data={"reason": "想回家"}, follow_redirects=True)
    assert "应急响应还没有解除，转移人员暂不返回" in r.get_data(as_text=True)
    secretary = as_user("secretary_a")
    r = secretary.post(path, data={"reason": ""})
    assert r.status_code == 409 and "确需提前返回，请写明原因" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Transfer, row.id).returned_at is None
    assert shelters.figures(world.a.id) == {
        "people_moved": 3,
        "people_in_shelters": 3,
        "people_returned": 0,
    }
    r = secretary.post(path, data={"reason": "家中老人需透析，由家属接回"})
    assert r.status_code == 303
    db.session.expire_all()
    back = db.session.get(Transfer, row.id)
    assert back.returned_by_id == world.users["secretary_a"].id
    assert back.return_override_reason == "家中老人需透析，由家属接回"
    page = secretary.get(f"/emergency/shelters/{shelter.id}").get_data(as_text=True)
    assert "提前返回：家中老人需透析，由家属接回" in page
    assert shelters.figures(world.a.id) == {
        "people_moved": 3,
        "people_in_shelters": 0,
        "people_returned": 3,
    }


def test_after_the_response_is_lifted_the_grid_worker_records_returns(world, moved, as_user):
    shelter, _household, row = moved
    shelters.check_in(row, actor=None)
    services.start_response(
        Target(community=world.a), kind="flood", level="IV", reason="暴雨", drill=False, actor=None
    )
    response = services.running_for(Target(community=world.a))
    services.end_response(response, summary="雨停水退", actor=None)
    db.session.commit()
    r = as_user("grid").post(f"/emergency/transfers/{row.id}/return", data={})
    assert r.status_code == 303
    db.session.expire_all()
    back = db.session.get(Transfer, row.id)
    assert back.returned_at is not None and back.return_override_reason == ""
    assert back.returned_by_id == world.users["grid"].id

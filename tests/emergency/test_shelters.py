"""Shelters: transfers, check-in and return; full shelters refuse unless the secretary overrides."""

import pytest
from sqlalchemy import func, insert, select

from alliance.emergency import shelters
from alliance.emergency.shelter_models import Shelter, Transfer
from alliance.extensions import db


def _shelter(world, capacity=5):
    shelter = shelters.create_shelter(
        world.a,
        name="甲社区小学",
        place="学府路 1 号",
        capacity=capacity,
        contact_phone="13900000002",
        offers="床位、餐食",
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return shelter


def test_secretary_adds_a_shelter_and_bad_input_is_refused(world, as_user):
    client = as_user("secretary_a")
    r = client.post(
        "/emergency/shelters", data={"name": "文化礼堂", "capacity": "80", "offers": "床位"}
    )
    assert r.status_code == 303
    assert "在住 0 / 容纳 80" in client.get(r.headers["Location"]).get_data(as_text=True)
    for data, message in [
        ({"name": "礼堂2", "capacity": "0"}, "容纳人数是 1 到 100000 的整数"),
        ({"name": "礼堂3", "capacity": "2.5"}, "容纳人数是 1 到 100000 的整数"),
        ({"name": "礼堂4", "capacity": "5", "contact_phone": "123"}, "请填写正确的手机号码"),
    ]:
        r = client.post("/emergency/shelters", data=data)
        assert r.status_code == 422 and message in r.get_data(as_text=True), data
    assert db.session.scalar(select(func.count(Shelter.id))) == 1


def test_transfers_check_in_and_return_give_the_figures(world, as_user):
    shelter = _shelter(world)
    client = as_user("grid")
    path = f"/emergency/shelters/{shelter.id}/transfers"
    assert client.post(path, data={"people": "3", "from_place": "河边"}).status_code == 303
    row = db.session.scalars(select(Transfer)).one()
    # Occupancy comes from check-ins: not inside until it arrives.
    assert shelters.figures(world.a.id)["people_in_shelters"] == 0
    assert client.post(f"/emergency/transfers/{row.id}/check-in").status_code == 303
    page = client.get(f"/emergency/shelters/{shelter.id}").get_data(as_text=True)
    assert "在住 3 / 容纳 5" in page
    assert client.post(f"/emergency/transfers/{row.id}/return").status_code == 303
    assert shelters.figures(world.a.id) == {
        "people_moved": 3,
        "people_in_shelters": 0,
        "people_returned": 3,
    }
    # Twice is refused and changes nothing.
    r = client.post(f"/emergency/transfers/{row.id}/return", follow_redirects=True)
    assert "已经登记返回了" in r.get_data(as_text=True)


def test_a_full_shelter_refuses_unless_the_secretary_overrides(world, as_user):
    shelter = _shelter(world, capacity=4)
    path = f"/emergency/shelters/{shelter.id}/transfers"
    grid = as_user("grid")
    assert grid.post(path, data={"people": "3"}).status_code == 303
    r = grid.post(path, data={"people": "2", "override": "y"})
    assert r.status_code == 409 and "只有社区书记可以确认超员安置" in r.get_data(as_text=True)
    for bad in ("-1", "1.5", "abc"):
        assert grid.post(path, data={"people": bad}).status_code == 422
    assert db.session.scalar(select(func.count(Transfer.id))) == 1
    secretary = as_user("secretary_a")
    assert secretary.post(path, data={"people": "2"}).status_code == 409
    assert secretary.post(path, data={"people": "2", "override": "y"}).status_code == 303
    over = db.session.scalars(select(Transfer).where(Transfer.over_capacity.is_(True))).one()
    assert over.people == 2


@pytest.mark.parametrize("size", [10, 5000])
def test_shelter_pages_have_bounded_statement_counts(world, as_user, count_statements, size):
    shelter = _shelter(world, capacity=100000)
    db.session.execute(
        insert(Transfer),
        [
            {
                "community_id": world.a.id,
                "shelter_id": shelter.id,
                "people": 1,
                "from_place": "",
                "over_capacity": False,
            }
            for _ in range(size)
        ],
    )
    db.session.commit()
    client = as_user("secretary_a")
    for path in ("/emergency/shelters", f"/emergency/shelters/{shelter.id}"):
        with count_statements() as counter:
            assert client.get(path).status_code == 200
        assert counter.count <= 14, (path, counter.count)


def test_a_households_transfer_is_from_its_home_unless_told_otherwise(world, as_user):
    """Choosing the household and leaving 从哪里转移 empty left the record without a from."""
    from alliance.emergency import households

    home = households.create_household(
        world.a,
        households.HouseholdInput(
            head_name="陈爷爷",
            estate_id=world.estate_a.id,
            categories=("alone",),
            building="5",
            unit_no="2",
            room="501",
            responsible="volunteer",
        ),
        actor=None,
    )
    shelter = _shelter(world)
    client = as_user("secretary_a")
    path = f"/emergency/shelters/{shelter.id}/transfers"
    data = {"people": "1", "household_id": str(home.id)}
    assert client.post(path, data=data).status_code == 303
    assert client.post(path, data={**data, "from_place": "女儿家"}).status_code == 303
    rows = db.session.scalars(select(Transfer).order_by(Transfer.id)).all()
    assert [r.from_place for r in rows] == [f"{world.estate_a.name} 5-2-501", "女儿家"]
    page = client.get(f"/emergency/shelters/{shelter.id}").get_data(as_text=True)
    assert f"从{world.estate_a.name} 5-2-501" in page


def test_a_transfer_return_shows_who_recorded_it_and_when(world, as_user):
    shelter = _shelter(world)
    client = as_user("grid")
    client.post(f"/emergency/shelters/{shelter.id}/transfers", data={"people": "2"})
    row = db.session.scalars(select(Transfer)).one()
    client.post(f"/emergency/transfers/{row.id}/check-in")
    assert client.post(f"/emergency/transfers/{row.id}/return").status_code == 303
    db.session.expire_all()
    row = db.session.get(Transfer, row.id)
    assert row.returned_by_id == world.users["grid"].id and row.returned_at is not None
    page = client.get(f"/emergency/shelters/{shelter.id}").get_data(as_text=True)
    start = page.index('class="mb-0 returned"')
    line = page[start : page.index("</p>", start)]
    assert "已返回" in line and f"登记人：{world.users['grid'].display_name}" in line

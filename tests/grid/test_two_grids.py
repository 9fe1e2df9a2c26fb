"""Two grids in one estate: each shows its own shops and orders (alliance.grid.membership)."""

from alliance.accounts.models import Role
from alliance.communities.models import Grid
from alliance.emergency import households
from alliance.extensions import db
from alliance.help_requests import catalogue, intake
from tests.commitments.factories import create_merchant


def _household(world, grid, building):
    households.create_household(
        world.a,
        households.HouseholdInput(
            head_name=f"{building}号楼的户",
            estate_id=world.estate_a.id,
            grid_id=grid.id,
            categories=("alone",),
            building=building,
            unit_no="1",
            room="101",
            members=1,
            need_help_moving=0,
            contact_phone="13912345678",
            responsible="volunteer",
        ),
        actor=world.users["secretary_a"],
    )


def _post(world, username, title, **where):
    category = catalogue.categories_of(world.a.id)[0]
    order = intake.submit_request(
        world.a,
        world.users[username],
        intake.RequestInput(
            category_id=category.id, title=title, contact_phone="13900000001", **where
        ),
    )
    db.session.commit()
    return order


def _two_grids(world, make_user):
    catalogue.ensure_catalogue(world.a)
    worker = make_user("grid2", community=world.a, roles=(Role.GRID_WORKER,))
    second = Grid(
        community_id=world.a.id, estate_id=world.estate_a.id, name="甲二网格", worker_id=worker.id
    )
    db.session.add(second)
    db.session.commit()
    _household(world, world.grid, "3")
    _household(world, second, "8")
    db.session.commit()
    return second, worker


def _grid_part(html, name):
    """The grid page's section of one grid (its name to the end)."""
    return html[html.index(name) :]


def test_two_grids_of_one_estate_show_different_shops_and_orders(world, as_user, make_user):
    second, worker = _two_grids(world, make_user)
    noodles = create_merchant(world.a, 7, name="三号楼面馆")
    noodles.estate_id = world.estate_a.id
    market = create_merchant(world.a, 8, name="八号楼超市")
    market.estate_id = world.estate_a.id
    unplaced = create_merchant(world.a, 9, name="还没划网格的茶馆")
    unplaced.estate_id = world.estate_a.id
    db.session.commit()

    secretary = as_user("secretary_a")
    for grid, shop in ((world.grid, noodles), (second, market)):
        response = secretary.post(f"/grid/{grid.id}/shops", data={"merchant_id": str(shop.id)})
        assert response.status_code == 303

    estate = world.estate_a.id
    three = _post(world, "resident", "3号楼漏水", estate_id=estate, building="3号楼2单元")
    eight = _post(world, "resident", "8号楼电梯坏了", estate_id=estate, building="8号楼")
    thirty = _post(world, "resident", "30号楼门禁坏了", estate_id=estate, building="30号楼")
    at_shop = _post(world, "resident", "面馆门口积水", shop_id=noodles.id)
    for_resident = intake.submit_request(
        world.a,
        worker,
        intake.RequestInput(
            category_id=catalogue.categories_of(world.a.id)[0].id,
            title="代办：孙奶奶要配助听器",
            estate_id=estate,
            on_behalf_name="孙奶奶",
            contact_phone="13900000002",
        ),
    )
    db.session.commit()
    assert (three.grid_id, eight.grid_id, thirty.grid_id) == (world.grid.id, second.id, None)
    assert (at_shop.grid_id, for_resident.grid_id) == (world.grid.id, second.id)

    first_page = as_user("grid").get("/grid/").get_data(as_text=True)
    assert "3号楼漏水" in first_page and "面馆门口积水" in first_page
    assert "三号楼面馆" in first_page
    assert "8号楼电梯坏了" not in first_page and "孙奶奶" not in first_page
    assert "八号楼超市" not in first_page
    second_page = as_user("grid2").get("/grid/").get_data(as_text=True)
    assert "8号楼电梯坏了" in second_page and "代办：孙奶奶要配助听器" in second_page
    assert "八号楼超市" in second_page
    assert "3号楼漏水" not in second_page and "三号楼面馆" not in second_page
    assert "面馆门口积水" not in second_page
    # An order or shop whose grid is unknown in an estate of two grids is on neither page
    # (the secretary's queue has it).
    for page in (first_page, second_page):
        assert "30号楼门禁坏了" not in page and "还没划网格的茶馆" not in page
    assert "30号楼门禁坏了" in as_user("secretary_a").get("/requests/queue").get_data(as_text=True)

    # The queues follow the same rule.
    first_queue = as_user("grid").get("/requests/queue").get_data(as_text=True)
    assert "3号楼漏水" in first_queue and "8号楼电梯坏了" not in first_queue
    second_queue = as_user("grid2").get("/requests/queue").get_data(as_text=True)
    assert "8号楼电梯坏了" in second_queue and "3号楼漏水" not in second_queue
    assert "30号楼门禁坏了" not in first_queue + second_queue


def test_only_the_communitys_secretary_puts_a_shop_into_a_grid(world, as_user, make_user):
    second, _worker = _two_grids(world, make_user)
    shop = create_merchant(world.a, 7, name="三号楼面馆")
    shop.estate_id = world.estate_a.id
    db.session.commit()
    url = f"/grid/{second.id}/shops"
    assert as_user("grid").post(url, data={"merchant_id": str(shop.id)}).status_code == 403
    assert as_user("secretary_b").post(url, data={"merchant_id": str(shop.id)}).status_code == 404
    wrong = as_user("secretary_a").post(url, data={"merchant_id": "999"})
    assert wrong.status_code == 422
    assert "请选择本小区的联盟商户。" in wrong.get_data(as_text=True)
    db.session.refresh(shop)
    assert shop.grid_id is None
    page = as_user("secretary_a").get(f"/grid/{second.id}").get_data(as_text=True)
    assert "划入本网格" in page and "三号楼面馆" in page  # offered in the form

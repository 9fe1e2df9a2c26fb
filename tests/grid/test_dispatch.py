"""The grid worker as a dispatch target: offered for their grid's orders, told, and the one
who accepts, works on and finishes the order; nobody else acts for them."""

from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.communities.models import Grid
from alliance.extensions import db
from alliance.notifications.models import Notification
from tests.help_requests.factories import post_need


def _act(client, order, action, **data):
    db.session.refresh(order)
    return client.post(
        f"/requests/{order.id}/actions/{action}",
        data={"version": order.version, "confirm": "1", **data},
    )


def _second_grid(world, make_user, name="甲二网格"):
    worker = make_user("grid2", community=world.a, roles=(Role.GRID_WORKER,), display_name="钱网格")
    grid = Grid(
        community_id=world.a.id, estate_id=world.estate_a.id, name=name, worker_id=worker.id
    )
    db.session.add(grid)
    db.session.commit()
    return grid


def test_the_secretary_dispatches_to_the_grid_worker_who_finishes_it(world, setup, as_user):
    order = post_need(world, code="repair", title="楼道灯坏了")
    grid = world.users["grid"]
    secretary = as_user("secretary_a")
    page = secretary.get(f"/requests/{order.id}/dispatch").get_data(as_text=True)
    assert f'value="grid_worker:{grid.id}"' in page
    assert f'{grid.display_name} <span class="text-body-secondary">（网格员）' in page
    assert "本网格的网格员 +20" in page
    # Searchable by the worker's name through the people search.
    found = secretary.get(f"/requests/{order.id}/dispatch?q={grid.display_name}").get_data(
        as_text=True
    )
    assert f'value="grid_worker:{grid.id}"' in found

    assert _act(secretary, order, "dispatch", provider=f"grid_worker:{grid.id}").status_code == 303
    db.session.refresh(order)
    assert (order.state, order.provider_kind, order.provider_user_id) == (
        "dispatched",
        "grid_worker",
        grid.id,
    )
    told = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == grid.id)
    ).all()
    assert "order.dispatched" in told

    worker = as_user("grid")
    for path in ("/grid/", "/requests/orders", "/requests/queue"):
        assert "楼道灯坏了" in worker.get(path).get_data(as_text=True), path
    assert "派给我的工单（1）" in worker.get("/grid/").get_data(as_text=True)
    detail = worker.get(f"/requests/{order.id}").get_data(as_text=True)
    assert "网格员 " + grid.display_name in detail and "接单" in detail
    for action in ("accept", "start", "finish"):
        assert _act(worker, order, action).status_code == 303, action
    db.session.refresh(order)
    assert order.state == "done"
    assert "派给我的工单（0）" in worker.get("/grid/").get_data(as_text=True)


def test_another_grid_worker_cannot_act_on_it(world, setup, as_user, make_user):
    _second_grid(world, make_user)
    order = post_need(world, code="repair", title="楼道灯坏了")
    order.grid_id = world.grid.id
    db.session.commit()
    secretary = as_user("secretary_a")
    _act(secretary, order, "dispatch", provider=f"grid_worker:{world.users['grid'].id}")
    other = as_user("grid2")
    response = _act(other, order, "accept")
    assert response.status_code == 403
    assert "您不能对这个工单接单。" in response.get_data(as_text=True)
    assert "楼道灯坏了" not in other.get("/requests/orders").get_data(as_text=True)
    db.session.refresh(order)
    assert order.state == "dispatched"


def test_a_grid_worker_is_offered_only_for_their_own_grids_orders(world, setup, as_user, make_user):
    other_grid = _second_grid(world, make_user)
    order = post_need(world, code="repair", title="楼道灯坏了")
    order.grid_id = other_grid.id
    db.session.commit()
    secretary = as_user("secretary_a")
    page = secretary.get(f"/requests/{order.id}/dispatch").get_data(as_text=True)
    other = db.session.get(Grid, other_grid.id).worker_id
    assert f'value="grid_worker:{other}"' in page
    assert f'value="grid_worker:{world.users["grid"].id}"' not in page
    # Posted by hand, the wrong grid's worker is refused and nothing changes.
    response = _act(secretary, order, "dispatch", provider=f"grid_worker:{world.users['grid'].id}")
    assert response.status_code == 400
    assert "找不到这个接单方，或它不能接这个社区的单。" in response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.state == "submitted" and order.provider_user_id is None

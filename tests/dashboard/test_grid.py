"""The grid worker's page: their grid's shops and open orders, visits, and nobody else's."""

from sqlalchemy import select

from alliance.extensions import db
from alliance.grid.models import GridVisit
from tests.commitments.factories import create_merchant
from tests.dashboard.factories import category_of, insert_orders, local, order_row


def _grid_data(world):
    shop = create_merchant(world.a, 7, name="网格里的面馆")
    shop.estate_id = world.estate_a.id
    create_merchant(world.a, 8, name="别处的超市")
    cat = category_of(world.a)
    posted = local(2026, 10, 5)
    insert_orders(
        [
            order_row(
                world.a, cat, posted, title="甲一小区楼道灯坏了", estate_id=world.estate_a.id
            ),
            order_row(world.a, cat, posted, title="面馆门口下水道堵了", shop_id=shop.id),
            order_row(
                world.a,
                cat,
                posted,
                title="已经修好的路灯",
                estate_id=world.estate_a.id,
                state="done",
            ),
            order_row(world.a, cat, posted, title="没有小区的需求"),
            order_row(
                world.b,
                category_of(world.b),
                posted,
                title="乙社区的需求",
                estate_id=world.estate_b.id,
            ),
        ]
    )


def test_grid_worker_sees_the_grids_shops_and_open_orders(as_user, world):
    _grid_data(world)
    html = as_user("grid").get("/grid/").get_data(as_text=True)
    assert "甲一网格 · 甲一小区" in html
    assert "甲一小区楼道灯坏了" in html and "面馆门口下水道堵了" in html
    assert "已经修好的路灯" not in html and "没有小区的需求" not in html
    assert "乙社区的需求" not in html
    assert "网格里的面馆" in html and "别处的超市" not in html
    assert 'href="/requests/new"' in html  # 代办


def test_grid_worker_records_a_visit(as_user, world):
    client = as_user("grid")
    url = f"/grid/{world.grid.id}/visits"
    response = client.post(
        url, data={"visited_on": "2026-10-08", "place": "3号楼 王大爷", "note": "血压药快吃完了"}
    )
    assert response.status_code == 303
    visit = db.session.scalars(select(GridVisit)).one()
    assert (visit.place, visit.note, visit.worker_id) == (
        "3号楼 王大爷",
        "血压药快吃完了",
        world.users["grid"].id,
    )
    assert "血压药快吃完了" in client.get("/grid/").get_data(as_text=True)

    empty = client.post(url, data={"visited_on": "2026-10-08", "place": ""})
    assert empty.status_code == 422
    assert "请填写走访的住户或商户。" in empty.get_data(as_text=True)
    future = client.post(url, data={"visited_on": "2099-01-01", "place": "5号楼"})
    assert future.status_code == 422
    assert "走访日期不能晚于今天。" in future.get_data(as_text=True)
    assert db.session.query(GridVisit).count() == 1


def test_another_grid_is_404(as_user, world, make_user):
    from alliance.accounts.models import Role
    from alliance.communities.models import Grid

    other = make_user("grid2", community=world.a, roles=(Role.GRID_WORKER,))
    grid = Grid(
        community_id=world.a.id, estate_id=world.estate_a.id, name="甲二网格", worker_id=other.id
    )
    db.session.add(grid)
    db.session.commit()
    response = as_user("grid").post(f"/grid/{grid.id}/visits", data={"place": "x"})
    assert response.status_code == 404


def test_the_queue_shows_a_grid_worker_their_grids_orders(as_user, world):
    _grid_data(world)
    html = as_user("grid").get("/requests/queue").get_data(as_text=True)
    assert "我的网格的工单" in html
    assert "甲一小区楼道灯坏了" in html and "面馆门口下水道堵了" in html
    assert "没有小区的需求" not in html and "乙社区的需求" not in html
    assert as_user("grid").get(f"/requests/queue?community={world.b.id}").status_code == 404

"""Supplies: whole counts, stock never negative (also when the page was stale), low-stock warning."""

from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select, update

from alliance.emergency import services, supplies
from alliance.emergency.services import EmergencyError, Target
from alliance.emergency.supply_models import Stock, StockMove, SupplyItem
from alliance.extensions import db
from alliance.notifications.models import Notification


def _setup(world, minimum=0):
    secretary = world.users["secretary_a"]
    store = supplies.create_store(world.a, name="一号仓库", place="社区东门", actor=secretary)
    boats = supplies.create_item(world.a, kind="boat", name="", minimum=minimum, actor=secretary)
    supplies.move(store, boats, kind="receive", count=5, actor=secretary)
    db.session.commit()
    return store, boats


def test_items_get_their_units_and_the_page_shows_stock(world, as_user):
    store, boats = _setup(world)
    assert (boats.name, boats.unit) == ("冲锋舟", "艘")
    client = as_user("secretary_a")
    r = client.post("/emergency/supplies/items", data={"item-kind": "gravel", "item-minimum": "10"})
    assert r.status_code == 303
    assert (
        db.session.scalars(select(SupplyItem).where(SupplyItem.kind == "gravel")).one().unit == "m³"
    )
    page = client.get("/emergency/supplies").get_data(as_text=True)
    assert "一号仓库" in page and "冲锋舟（艘）" in page and "砂石料（m³）" in page


def test_issue_more_than_stock_fractional_or_negative_is_refused_and_nothing_saved(world, as_user):
    store, boats = _setup(world)
    client = as_user("grid")
    base = {
        "store_id": str(store.id),
        "item_id": str(boats.id),
        "kind": "issue",
        "recipient": "突击队",
    }
    r = client.post("/emergency/supplies/moves", data={**base, "count": "6"})
    assert r.status_code == 409 and "库存不够" in r.get_data(as_text=True)
    for bad in ("1.5", "-2", "0", "两"):
        r = client.post("/emergency/supplies/moves", data={**base, "count": bad})
        assert r.status_code == 422, bad
    r = client.post("/emergency/supplies/moves", data={**base, "recipient": "", "count": "1"})
    assert r.status_code == 422 and "请填写发给哪支队伍" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(StockMove.id))) == 1
    assert db.session.scalar(select(Stock.quantity)) == 5
    assert client.post("/emergency/supplies/moves", data={**base, "count": "5"}).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Stock.quantity)) == 0


def test_a_racing_issue_cannot_take_what_another_already_took(world):
    store, boats = _setup(world)
    stale = db.session.scalars(select(Stock)).one()
    assert stale.quantity == 5
    # Another request issues 4 meanwhile (its own committed UPDATE).
    db.session.execute(update(Stock).values(quantity=Stock.quantity - 4))
    db.session.commit()
    with pytest.raises(EmergencyError) as refused:
        supplies.move(store, boats, kind="issue", count=3, recipient="二队", actor=None)
    assert refused.value.code == "not_enough_stock"
    db.session.rollback()
    db.session.expire_all()
    assert db.session.scalar(select(Stock.quantity)) == 1


def test_adjustments_need_a_reason_and_returns_add_back(world):
    store, boats = _setup(world)
    with pytest.raises(EmergencyError, match="盘点调整要选择原因"):
        supplies.move(store, boats, kind="adjust", count=-1, actor=None)
    supplies.move(store, boats, kind="adjust", count=-1, reason="damaged", actor=None)
    supplies.move(store, boats, kind="issue", count=2, recipient="一队", actor=None)
    supplies.move(store, boats, kind="return", count=1, actor=None)
    with pytest.raises(EmergencyError, match="库存不够"):
        supplies.move(store, boats, kind="adjust", count=-10, reason="lost", actor=None)
    assert supplies.total_of(boats) == 3


def test_going_below_the_minimum_tells_the_secretary(world):
    store, boats = _setup(world, minimum=4)
    services.start_response(
        Target(community=world.a), kind="flood", level="IV", reason="暴雨", drill=False, actor=None
    )
    response = services.running_for(Target(community=world.a))
    supplies.move(store, boats, kind="issue", count=2, recipient="突击队", actor=None)
    db.session.commit()
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "emergency.low_stock")
    ).one()
    assert told.user_id == world.users["secretary_a"].id
    assert supplies.issued_per_item(world.a.id, response.id) == {"冲锋舟": 2}


@pytest.mark.parametrize("size", [10, 5000])
def test_supplies_page_has_a_bounded_statement_count(world, as_user, count_statements, size):
    store, boats = _setup(world)
    db.session.execute(
        insert(StockMove),
        [
            {
                "community_id": world.a.id,
                "store_id": store.id,
                "item_id": boats.id,
                "kind": "receive",
                "delta": 1,
                "reason": "",
                "recipient": "",
            }
            for _ in range(size)
        ],
    )
    db.session.commit()
    with count_statements() as counter:
        assert as_user("secretary_a").get("/emergency/supplies").status_code == 200
    assert counter.count <= 20, counter.count


def test_members_pledge_reserves_called_once_during_a_response(world, as_user):
    from alliance.emergency.supply_models import Pledge
    from alliance.merchants.models import Merchant

    shop = Merchant(community_id=world.a.id, number=1, name="联华超市", category="retail")
    other = Merchant(community_id=world.b.id, number=1, name="乙社区五金店", category="retail")
    db.session.add_all([shop, other])
    db.session.commit()
    client = as_user("secretary_a")
    data = {"merchant_id": str(shop.id), "goods": "矿泉水", "quantity": "200", "unit": "箱"}
    assert client.post("/emergency/supplies/pledges", data=data).status_code == 303
    for change, status in (({"quantity": "2.5"}, 422), ({"merchant_id": str(other.id)}, 422)):
        assert client.post("/emergency/supplies/pledges", data={**data, **change}).status_code == (
            status
        )
    row = db.session.scalars(select(Pledge)).one()
    page = client.get("/emergency/supplies").get_data(as_text=True)
    assert "联华超市：矿泉水 200箱" in page
    r = client.post(f"/emergency/supplies/pledges/{row.id}/call", follow_redirects=True)
    assert "现在没有应急响应" in r.get_data(as_text=True)
    services.start_response(
        Target(community=world.a), kind="flood", level="IV", reason="暴雨", drill=False, actor=None
    )
    db.session.commit()
    r = client.post(f"/emergency/supplies/pledges/{row.id}/call", follow_redirects=True)
    assert "已调用协议储备" in r.get_data(as_text=True)
    r = client.post(f"/emergency/supplies/pledges/{row.id}/call", follow_redirects=True)
    assert "已经调用了" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Pledge, row.id).called_response_id is not None


def _gravel(world, minimum="0"):
    secretary = world.users["secretary_a"]
    store = supplies.create_store(world.a, name="砂石料场", place="", actor=secretary)
    gravel = supplies.create_item(world.a, kind="gravel", name="", minimum=minimum, actor=secretary)
    supplies.move(store, gravel, kind="receive", count="2.5", actor=secretary)
    db.session.commit()
    return store, gravel


def test_volumes_take_fractions_of_a_cubic_metre_exactly(world, as_user):
    store, gravel = _gravel(world)
    assert (gravel.unit, gravel.scale) == ("m³", 100)
    assert db.session.scalar(select(Stock.quantity)) == 250
    client = as_user("grid")
    base = {"store_id": str(store.id), "item_id": str(gravel.id), "recipient": "河堤"}
    assert (
        client.post("/emergency/supplies/moves", data={**base, "kind": "issue", "count": "0.75"})
    ).status_code == 303
    page = client.get("/emergency/supplies").get_data(as_text=True)
    assert "<td>1.75</td>" in page and "-0.75m³" in page
    for bad, message in [
        ("0.001", "体积最多精确到 0.01 m³"),
        ("-1", "数量要大于 0"),
        ("99999999", "数量最多 1000000"),
        ("1e999999", "数量只能填阿拉伯数字"),
        ("NaN", "数量只能填阿拉伯数字"),
        ("1.8", "库存不够"),
    ]:
        r = client.post("/emergency/supplies/moves", data={**base, "kind": "issue", "count": bad})
        assert r.status_code in (409, 422) and message in r.get_data(as_text=True), bad
    # A count adjustment may take away a fraction too, with its reason.
    supplies.move(store, gravel, kind="adjust", count="-0.25", reason="lost", actor=None)
    assert supplies.total_of(gravel) == Decimal("1.5")


def test_whole_things_refuse_fractions_and_negatives(world):
    store, boats = _setup(world)
    for bad in ("1.5", "0.5", "-1", "0"):
        with pytest.raises(EmergencyError):
            supplies.move(store, boats, kind="receive", count=bad, actor=None)
    with pytest.raises(EmergencyError, match="按件数计，数量要填整数"):
        supplies.move(store, boats, kind="issue", count="1.5", recipient="一队", actor=None)
    with pytest.raises(EmergencyError, match="按件数计"):
        supplies.create_item(world.a, kind="generator", name="", minimum="0.5", actor=None)
    assert supplies.total_of(boats) == 5


def test_a_racing_issue_of_volume_cannot_overdraw(world):
    store, gravel = _gravel(world)
    # Another request took 2 m³ meanwhile.
    db.session.execute(update(Stock).values(quantity=Stock.quantity - 200))
    db.session.commit()
    with pytest.raises(EmergencyError) as refused:
        supplies.move(store, gravel, kind="issue", count="1", recipient="河堤", actor=None)
    assert refused.value.code == "not_enough_stock"
    db.session.rollback()
    db.session.expire_all()
    assert db.session.scalar(select(Stock.quantity)) == 50


def test_a_volume_below_its_minimum_tells_the_secretary_in_m3(world):
    store, gravel = _gravel(world, minimum="2")
    supplies.move(store, gravel, kind="issue", count="0.75", recipient="河堤", actor=None)
    db.session.commit()
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "emergency.low_stock")
    ).one()
    assert told.user_id == world.users["secretary_a"].id
    assert told.title == "砂石料只剩 1.75m³，低于储备下限 2m³"


def test_a_pledge_is_shown_on_the_members_page_as_a_service_commitment(world, as_user):
    from alliance.emergency.supply_models import Pledge
    from alliance.merchants import staff as merchant_staff
    from alliance.merchants.models import Merchant

    shop = Merchant(community_id=world.a.id, number=3, name="联华超市", category="retail")
    gone = Merchant(
        community_id=world.a.id, number=4, name="已退出五金店", category="retail", status="left"
    )
    db.session.add_all([shop, gone])
    db.session.flush()
    merchant_staff.add_staff_link(shop, world.users["merchant"], is_owner=True)
    db.session.commit()
    client = as_user("secretary_a")
    data = {"merchant_id": str(shop.id), "goods": "饮用水", "quantity": "200", "unit": "箱"}
    assert client.post("/emergency/supplies/pledges", data=data).status_code == 303
    r = client.post("/emergency/supplies/pledges", data={**data, "merchant_id": str(gone.id)})
    assert r.status_code == 422 and "不能登记协议储备" in r.get_data(as_text=True)
    row = db.session.scalars(select(Pledge)).one()
    # Anyone reading the member's page sees it under its commitments, marked 服务.
    client.post("/logout")
    page = client.get(f"/merchants/{shop.id}").get_data(as_text=True)
    section = page[page.index('id="commitments-h"') : page.index("</section>")]
    assert (
        '<span class="badge kind-badge kind-service">服务</span> '
        '<span class="pledge-text">协议储备：饮用水 200 箱，应急时可调用</span>'
    ) in section
    assert "暂无公示的承诺" not in section
    # A member that left the alliance shows no reserve any more.
    shop.status = "left"
    db.session.commit()
    page = client.get(f"/merchants/{shop.id}").get_data(as_text=True)
    assert "协议储备：饮用水" not in page
    shop.status = "active"
    db.session.commit()
    # Called during a response: recorded with who called it, and the shop is told.
    services.start_response(
        Target(community=world.a), kind="flood", level="IV", reason="暴雨", drill=False, actor=None
    )
    db.session.commit()
    client = as_user("secretary_a")
    assert client.post(f"/emergency/supplies/pledges/{row.id}/call").status_code == 303
    db.session.expire_all()
    called = db.session.get(Pledge, row.id)
    assert called.called_by_id == world.users["secretary_a"].id
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "emergency.pledge_called")
    ).one()
    assert told.user_id == world.users["merchant"].id
    assert "饮用水 200箱" in told.title


def test_a_return_cannot_bring_back_more_than_is_out(world, as_user):
    """Returning 100 boats when 2 went out made stock up and the response's report said -98."""
    store, boats = _setup(world)
    supplies.move(store, boats, kind="issue", count=2, recipient="一队", actor=None)
    db.session.commit()
    client = as_user("grid")
    base = {"store_id": str(store.id), "item_id": str(boats.id), "kind": "return"}
    r = client.post("/emergency/supplies/moves", data={**base, "count": "3"})
    assert r.status_code == 409
    assert "不能多于发出未还的 2艘" in r.get_data(as_text=True)
    assert supplies.total_of(boats) == 3
    assert client.post("/emergency/supplies/moves", data={**base, "count": "2"}).status_code == 303
    with pytest.raises(EmergencyError) as refused:
        supplies.move(store, boats, kind="return", count=1, actor=None)
    assert refused.value.code == "return_exceeds_issued"
    db.session.rollback()
    assert supplies.total_of(boats) == 5
    assert (
        db.session.scalar(select(func.count(StockMove.id)).where(StockMove.kind == "return")) == 1
    )


def test_the_history_says_who_took_a_return_back_and_when(world, as_user):
    store, boats = _setup(world)
    supplies.move(store, boats, kind="issue", count=2, recipient="一队", actor=None)
    db.session.commit()
    client = as_user("grid")
    base = {"store_id": str(store.id), "item_id": str(boats.id), "kind": "return", "count": "2"}
    assert client.post("/emergency/supplies/moves", data=base).status_code == 303
    back = db.session.scalars(select(StockMove).where(StockMove.kind == "return")).one()
    grid = world.users["grid"]
    assert back.actor_id == grid.id and back.at is not None
    page = client.get("/emergency/supplies").get_data(as_text=True)
    start = page.index(f'id="move-{back.id}"')
    line = page[start : page.index("</li>", start)]
    assert "归还" in line and "+2艘" in line and f"登记人：{grid.display_name}" in line

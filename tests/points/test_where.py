"""Where points can be used: every member's exchange items with cost and stock."""

from alliance.extensions import db
from tests.points.factories import make_item, make_shop


def _shops(world):
    noodles, c1 = make_shop(world.a, [world.users["merchant"]], number=1, name="明珠面馆")
    make_item(c1, world.users["merchant"], title="牛肉面一碗", cost=30, stock=4)
    make_item(c1, world.users["merchant"], title="卤蛋一个", cost=5, stock=0)
    bakery, c2 = make_shop(world.a, [], number=2, name="麦香面包房")
    make_item(c2, world.users["merchant"], title="吐司一袋", cost=12, stock=9, limit=1)
    closed, c3 = make_shop(world.a, [], number=3, name="已退出小店")
    make_item(c3, world.users["merchant"], title="不该出现", cost=1, stock=1)
    closed.status = "left"
    other, c4 = make_shop(world.b, [], number=1, name="乙社区茶馆")
    make_item(c4, world.users["merchant"], title="清茶一壶", cost=8, stock=2)
    db.session.commit()
    return noodles


def test_a_volunteer_sees_every_member_of_the_community_with_cost_and_stock(
    as_user, world, count_statements
):
    _shops(world)
    client = as_user("volunteer")
    with count_statements() as counted:
        page = client.get("/points/where")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in ("明珠面馆", "牛肉面一碗", "30 积分", "库存 4", "卤蛋一个", "已兑完"):
        assert expected in text
    assert "麦香面包房" in text and "吐司一袋" in text and "每人限兑 1 次" in text
    assert text.index("卤蛋一个") < text.index("牛肉面一碗")  # cheapest first
    assert "不该出现" not in text and "乙社区茶馆" not in text
    assert counted.count <= 12


def test_anyone_sees_all_communities_and_the_member_page_lists_its_items(client, world):
    noodles = _shops(world)
    text = client.get("/points/where").get_data(as_text=True)
    assert "乙社区茶馆" in text and "明珠面馆" in text and "不该出现" not in text
    member = client.get(f"/merchants/{noodles.id}").get_data(as_text=True)
    assert "积分兑换项目" in member and "牛肉面一碗" in member and "30 积分" in member
    assert "吐司一袋" not in member

"""The grid page's buildings and households: the register's privacy rules, masked phones,
grouped by building, and a bounded number of statements."""

import re

import pytest
from sqlalchemy import insert

from alliance.accounts.models import Role
from alliance.communities.models import Grid
from alliance.db_types import utcnow
from alliance.emergency import households
from alliance.emergency.household_models import Household
from alliance.extensions import db
from alliance.grid.models import GridBusiness

PHONE = "13912345678"


def _household(world, name, building, room, grid, categories=("alone",), moving=1):
    household = households.create_household(
        world.a,
        households.HouseholdInput(
            head_name=name,
            estate_id=world.estate_a.id,
            grid_id=grid.id if grid else None,
            categories=categories,
            building=building,
            unit_no="1",
            room=room,
            members=2,
            need_help_moving=moving,
            contact_phone=PHONE,
            responsible="volunteer",
        ),
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return household


def _second_grid(world, make_user):
    other = make_user("grid2", community=world.a, roles=(Role.GRID_WORKER,))
    grid = Grid(
        community_id=world.a.id, estate_id=world.estate_a.id, name="甲二网格", worker_id=other.id
    )
    db.session.add(grid)
    db.session.commit()
    return grid


def _building(html, label):
    """The text of one building's block, from its summary to its end."""
    found = re.search(r"<summary>" + re.escape(label) + r" · (.*?)</details>", html, re.S)
    assert found, label
    return found.group(0)


def test_the_grid_worker_sees_households_by_building_with_phones_masked(world, as_user, make_user):
    granny = _household(world, "张奶奶", "3", "402", world.grid, ("alone", "ill"), moving=1)
    _household(world, "李爷爷", "3", "101", world.grid, ("disabled",), moving=2)
    _household(world, "王阿姨", "10", "201", world.grid, ("hardship",), moving=0)
    _household(world, "别的网格的户", "3", "501", _second_grid(world, make_user))
    _household(world, "未分网格的户", "3", "601", None)

    html = as_user("grid").get("/grid/").get_data(as_text=True)
    assert "楼栋与重点人群（3 户，3 人需协助转移）" in html
    three = _building(html, "3号楼")
    assert "2 户，3 人需协助转移" in three
    assert "张奶奶" in three and "李爷爷" in three and "王阿姨" not in three
    assert "独居老人" in three and "重病患者" in three and "残疾人" in three
    assert three.index("李爷爷") < three.index("张奶奶")  # room 101 before 402
    ten = _building(html, "10号楼")
    assert "王阿姨" in ten and "1 户，0 人需协助转移" in ten
    assert html.index("3号楼") < html.index("10号楼")  # 3 before 10, not as text
    # Each household links to its register page, which opens for the grid worker.
    link = f'href="/emergency/households/{granny.id}"'
    assert link in html
    assert as_user("grid").get(f"/emergency/households/{granny.id}").status_code == 200
    # Phones masked as the register's list masks them; never whole.
    assert "139****5678" in html and PHONE not in html
    # Not this grid's households: another grid's, and those of no grid.
    assert "别的网格的户" not in html and "未分网格的户" not in html


def test_a_grid_worker_of_another_grid_never_sees_these_households(world, as_user, make_user):
    other_grid = _second_grid(world, make_user)
    mine = _household(world, "张奶奶", "3", "402", world.grid)
    client = as_user("grid2")
    for path in ("/grid/", f"/grid/{other_grid.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "甲二网格" in html
        assert "张奶奶" not in html and "139****5678" not in html
        assert "网格内还没有登记的重点人群。" in html
    assert client.get(f"/grid/{world.grid.id}").status_code == 404
    assert client.get(f"/emergency/households/{mine.id}").status_code == 404


def test_the_secretary_sees_the_same_grid_page_without_the_visit_form(world, as_user):
    _household(world, "张奶奶", "3", "402", world.grid)
    url = f"/grid/{world.grid.id}"
    community = as_user("secretary_a").get(f"/communities/{world.a.id}").get_data(as_text=True)
    assert f'href="{url}"' in community
    html = as_user("secretary_a").get(url).get_data(as_text=True)
    assert "甲一网格 · 甲一小区" in html
    assert "张奶奶" in _building(html, "3号楼") and "139****5678" in html and PHONE not in html
    assert "记录走访" not in html
    assert "记录走访" in as_user("grid").get(url).get_data(as_text=True)
    assert as_user("secretary_b").get(url).status_code == 404
    assert as_user("volunteer").get(url).status_code == 403


@pytest.mark.parametrize("size", [10, 500])
def test_the_grid_page_has_a_bounded_statement_count(world, as_user, count_statements, size):
    db.session.execute(
        insert(Household),
        [
            {
                "community_id": world.a.id,
                "estate_id": world.estate_a.id,
                "grid_id": world.grid.id,
                "head_name": f"户{i}",
                "categories": "alone",
                "building": str(i % 12 + 1),
                "unit_no": "1",
                "room": str(100 + i),
                "members": 1,
                "need_help_moving": 1,
                "contact_phone": PHONE,
                "needs": "",
                "responsible_id": world.users["volunteer"].id,
            }
            for i in range(size)
        ],
    )
    # As many businesses of the register, shown beside the members.
    db.session.execute(
        insert(GridBusiness),
        [
            {
                "community_id": world.a.id,
                "grid_id": world.grid.id,
                "name": f"店{i}",
                "kind": "",
                "address": "",
                "contact_name": "",
                "contact_phone": PHONE,
                "active": True,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for i in range(size)
        ],
    )
    db.session.commit()
    client = as_user("grid")
    with count_statements() as counter:
        r = client.get("/grid/")
    assert r.status_code == 200
    assert f"楼栋与重点人群（{size} 户，{size} 人需协助转移）" in r.get_data(as_text=True)
    assert f"其他商户（非联盟，{size}）" in r.get_data(as_text=True)
    # The user and the banner; the grids; which estates have one grid; members; the register's
    # businesses; open and dispatched orders; visits; households; the unread count.
    assert counter.count <= 9, counter.count

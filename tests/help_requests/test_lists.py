"""The catalogue, co-building units, resources, projects, API keys and the inbox."""

from sqlalchemy import select

from alliance.api import tokens as api_tokens
from alliance.api.models import Open311Key
from alliance.co_building.models import CoBuildingUnit
from alliance.commitments.models import CommitmentKind, ServiceDetail
from alliance.extensions import db
from alliance.help_requests.models import ServiceCategory
from alliance.notifications.models import Notification
from alliance.projects.models import Project
from tests.commitments.factories import create_commitment
from tests.help_requests.factories import post_need
from tests.pages import home_figures


def test_secretary_manages_the_catalogue(as_user, world, setup):
    client = as_user("secretary_a")
    response = client.post(
        "/requests/categories",
        data={
            "code": "pets",
            "name": "宠物纠纷",
            "limit_normal_hours": "48",
            "limit_urgent_hours": "12",
            "limit_emergency_hours": "2",
            "active": "y",
        },
    )
    assert response.status_code == 303
    pets = db.session.scalars(select(ServiceCategory).where(ServiceCategory.code == "pets")).one()
    # Urgent must not be slower than normal; nothing changes.
    response = client.post(
        f"/requests/categories/{pets.id}/edit",
        data={
            "name": "宠物纠纷",
            "limit_normal_hours": "10",
            "limit_urgent_hours": "12",
            "limit_emergency_hours": "2",
            "active": "y",
        },
    )
    assert response.status_code == 400 and "越紧急时限应越短" in response.get_data(as_text=True)
    # Deactivate: gone from the new-need form, code kept.
    response = client.post(
        f"/requests/categories/{pets.id}/edit",
        data={
            "code": "changed",
            "name": "宠物纠纷",
            "limit_normal_hours": "48",
            "limit_urgent_hours": "12",
            "limit_emergency_hours": "2",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    pets = db.session.get(ServiceCategory, pets.id)
    assert pets.code == "pets" and not pets.active
    assert "宠物纠纷" not in client.get("/requests/new").get_data(as_text=True)
    # A duplicate code is refused.
    response = client.post(
        "/requests/categories",
        data={
            "code": "tax",
            "name": "重复",
            "limit_normal_hours": "48",
            "limit_urgent_hours": "12",
            "limit_emergency_hours": "2",
        },
    )
    assert response.status_code == 400 and "编码已经有了" in response.get_data(as_text=True)
    # B's secretary cannot edit A's category; a resident cannot add one.
    assert as_user("secretary_b").get(f"/requests/categories/{pets.id}/edit").status_code == 404
    assert as_user("resident").post("/requests/categories", data={}).status_code == 403


def test_street_officer_registers_co_building_units(as_user, world, setup):
    client = as_user("street")
    response = client.post(
        "/requests/units",
        data={
            "name": "明德律师事务所",
            "kind": "律师事务所",
            "contact_phone": "13800001111",
            "active": "y",
        },
    )
    assert response.status_code == 303
    assert (
        db.session.scalars(select(CoBuildingUnit).where(CoBuildingUnit.name == "明德律师事务所"))
        .one()
        .kind
        == "律师事务所"
    )
    response = client.post("/requests/units", data={"name": "明德律师事务所"})
    assert response.status_code == 400
    assert as_user("secretary_a").post("/requests/units", data={"name": "x"}).status_code == 403


def test_resources_list_includes_published_service_commitments(as_user, world, setup):
    commitment = create_commitment(setup.firm, kind=CommitmentKind.SERVICE, title="免费税务讲座")
    db.session.add(ServiceDetail(commitment_id=commitment.id, what="每月一场，面向小微企业"))
    db.session.commit()
    client = as_user("secretary_a")
    response = client.post(
        f"/requests/resources/new?community={world.a.id}",
        data={
            "provider": "team",
            "team_name": "云水志愿服务队",
            "category_code": "volunteer",
            "title": "陪同就医",
        },
    )
    assert response.status_code == 303
    # A secretary cannot register a unit's resource; that is the street office's.
    response = client.post(
        f"/requests/resources/new?community={world.a.id}",
        data={"provider": f"unit:{setup.unit.id}", "category_code": "legal", "title": "x"},
    )
    assert response.status_code == 400
    page = client.get("/requests/resources").get_data(as_text=True)
    assert "免费税务讲座" in page and "服务承诺" in page and "陪同就医" in page
    assert "药渣清运" in page  # the street office's unit
    page = client.get("/requests/resources?category=tax").get_data(as_text=True)
    assert "免费税务讲座" in page and "陪同就医" not in page


def test_secretary_groups_needs_into_a_project(as_user, world, setup):
    orders = [post_need(world, title=f"税务需求{i}") for i in range(3)]
    other = post_need(world, "resident_b", community=world.b)
    client = as_user("secretary_a")
    data = {
        "title": "小微企业税务讲座：3场，26家企业",
        "status": "finished",
        "schedule": "每周六上午",
        "outcome": "3场讲座，26家企业参加",
        "request_ids": [str(o.id) for o in orders],
    }
    response = client.post("/requests/projects/new", data=data)
    assert response.status_code == 303
    project = db.session.scalars(select(Project)).one()
    page = client.get(f"/requests/projects/{project.id}").get_data(as_text=True)
    assert "税务需求2" in page and "26家企业参加" in page
    # Another community's need cannot be linked.
    response = client.post(
        "/requests/projects/new", data={**data, "title": "跨社区", "request_ids": [str(other.id)]}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Project.id).where(Project.title == "跨社区")) is None
    assert "小微企业税务讲座" in as_user("resident").get("/requests/projects").get_data(
        as_text=True
    )


def test_api_keys_are_shown_once_and_stored_hashed(as_user, world, setup):
    client = as_user("secretary_a")
    response = client.post("/requests/keys", data={"name": "12345 热线"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    raw = page.split('id="new-key">')[1].split("<")[0]
    key = db.session.scalars(select(Open311Key)).one()
    assert (
        raw.startswith("o311_")
        and key.key_hash != raw
        and raw not in client.get("/requests/keys").get_data(as_text=True)
    )
    assert api_tokens.key_for(raw).id == key.id
    assert client.post(f"/requests/keys/{key.id}/revoke").status_code == 303
    db.session.expire_all()
    assert api_tokens.key_for(raw) is None


def test_inbox_unread_count_and_marking_read(as_user, world, setup):
    order = post_need(world)
    client = as_user("secretary_a")
    assert "收件箱（1 条未读）" in client.get("/").get_data(as_text=True)
    note = db.session.scalars(select(Notification)).one()
    response = client.post(f"/inbox/{note.id}/read", data={"open": "1"})
    assert response.headers["Location"].endswith(f"/requests/{order.id}")
    assert "条未读）" not in client.get("/").get_data(as_text=True)
    assert as_user("resident").post(f"/inbox/{note.id}/read").status_code == 404


def test_home_page_shows_order_figures(client, world, setup):
    before = home_figures(client.get("/").get_data(as_text=True))
    assert before["本月工单"] == "0" and before["本月办结率"] == "—"
    post_need(world)
    after = home_figures(client.get("/").get_data(as_text=True))
    assert after["本月工单"] == "1" and after["本月办结率"] == "0%"

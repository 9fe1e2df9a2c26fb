from sqlalchemy import select

from alliance.accounts.models import Role, User
from alliance.audit.models import AuditEntry


def test_secretary_sees_own_people_with_masked_phones(as_user, world, make_user):
    make_user("wang", community=world.a, display_name="王小明", phone="13812345678")
    page = as_user("secretary_a").get(f"/communities/{world.a.id}/people").get_data(as_text=True)
    assert "王小明" in page
    assert "138****5678" in page
    assert "13812345678" not in page
    assert "resident_b" not in page


def test_other_communitys_secretary_gets_404(as_user, world):
    client = as_user("secretary_b")
    for path in ("", "/people", "/audit"):
        assert client.get(f"/communities/{world.a.id}{path}").status_code == 404
    response = client.post(
        f"/communities/{world.a.id}/people/{world.users['resident'].id}/roles",
        data={"role": "secretary", "action": "grant"},
    )
    assert response.status_code == 404


def test_person_from_other_community_is_404_even_for_right_secretary(as_user, world, db):
    response = as_user("secretary_a").post(
        f"/communities/{world.a.id}/people/{world.users['resident_b'].id}/roles",
        data={"role": "volunteer", "action": "grant"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert Role.VOLUNTEER not in db.session.get(User, world.users["resident_b"].id).roles


def test_street_officer_sees_every_community_of_the_office(as_user, world):
    client = as_user("street")
    page = client.get("/communities/").get_data(as_text=True)
    assert "甲社区" in page and "乙社区" in page
    assert client.get(f"/communities/{world.b.id}/people").status_code == 200


def test_resident_sees_own_community_only(as_user, world):
    client = as_user("resident")
    page = client.get("/communities/").get_data(as_text=True)
    assert "甲社区" in page and "乙社区" not in page
    assert client.get(f"/communities/{world.a.id}").status_code == 200
    assert client.get(f"/communities/{world.b.id}").status_code == 404
    assert client.get(f"/communities/{world.a.id}/people").status_code == 403


def test_unknown_community_is_404(as_user, world):
    assert as_user("street").get("/communities/99999").status_code == 404


def test_grid_worker_shown_on_community_page(as_user, world):
    page = as_user("resident").get(f"/communities/{world.a.id}").get_data(as_text=True)
    assert "甲一网格" in page and "测试用户" in page


def test_secretary_grants_and_revokes_role_and_it_is_audited(as_user, world, db):
    client = as_user("secretary_a")
    resident = world.users["resident"]
    url = f"/communities/{world.a.id}/people/{resident.id}/roles"
    response = client.post(
        url, data={"role": "grid_worker", "action": "grant"}, follow_redirects=True
    )
    assert "已授予" in response.get_data(as_text=True)
    db.session.expire_all()
    assert Role.GRID_WORKER in db.session.get(User, resident.id).roles

    response = client.post(
        url, data={"role": "grid_worker", "action": "revoke"}, follow_redirects=True
    )
    assert "已撤销" in response.get_data(as_text=True)
    db.session.expire_all()
    assert Role.GRID_WORKER not in db.session.get(User, resident.id).roles

    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    actions = [(e.action, e.object_type) for e in entries]
    assert ("create", "UserRole") in actions and ("delete", "UserRole") in actions
    created = next(e for e in entries if e.action == "create")
    assert created.actor_id == world.users["secretary_a"].id
    assert created.community_id == world.a.id
    assert created.after["role"] == "grid_worker"
    deleted = next(e for e in entries if e.action == "delete")
    assert deleted.before["role"] == "grid_worker" and deleted.after is None

    page = client.get(f"/communities/{world.a.id}/audit").get_data(as_text=True)
    assert "grid_worker" in page


def test_secretary_cannot_revoke_own_secretary_role(as_user, world, db):
    me = world.users["secretary_a"]
    response = as_user("secretary_a").post(
        f"/communities/{world.a.id}/people/{me.id}/roles",
        data={"role": "secretary", "action": "revoke"},
        follow_redirects=True,
    )
    assert "不能撤销自己的社区书记角色" in response.get_data(as_text=True)
    db.session.expire_all()
    assert Role.SECRETARY in db.session.get(User, me.id).roles


def test_street_officer_role_cannot_be_granted_from_the_page(as_user, world, db):
    resident = world.users["resident"]
    as_user("secretary_a").post(
        f"/communities/{world.a.id}/people/{resident.id}/roles",
        data={"role": "street_officer", "action": "grant"},
    )
    db.session.expire_all()
    assert Role.STREET_OFFICER not in db.session.get(User, resident.id).roles


def test_audit_log_is_per_community(as_user, world, db):
    as_user("secretary_b").post(
        f"/communities/{world.b.id}/people/{world.users['resident_b'].id}/roles",
        data={"role": "volunteer", "action": "grant"},
    )
    page = as_user("secretary_a").get(f"/communities/{world.a.id}/audit").get_data(as_text=True)
    assert "暂无操作记录" in page


def test_resident_changes_are_not_audited(as_user, world, db):
    as_user("resident").post("/language", data={"locale": "en"})
    assert db.session.scalar(select(AuditEntry)) is None


def test_people_list_statement_count_does_not_grow(as_user, world, make_user, count_statements):
    client = as_user("secretary_a")
    url = f"/communities/{world.a.id}/people"
    client.get(url)
    with count_statements() as small:
        client.get(url)
    for i in range(25):
        make_user(f"extra{i}", community=world.a, roles=(Role.RESIDENT, Role.VOLUNTEER))
    with count_statements() as large:
        client.get(url)
    assert large.count == small.count


def test_people_search_and_role_filter(as_user, world, make_user):
    make_user("zhang", community=world.a, display_name="张三丰")
    client = as_user("secretary_a")
    page = client.get(f"/communities/{world.a.id}/people?q=张三").get_data(as_text=True)
    assert "张三丰" in page and "secretary_a" not in page
    page = client.get(f"/communities/{world.a.id}/people?role=grid_worker").get_data(as_text=True)
    assert (
        ">grid<" in page.replace(" ", "").replace('<small class="text-muted">', ">")
        or "grid" in page
    )

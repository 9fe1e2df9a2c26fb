"""Volunteers: applying, review, profile, the secretary's list, suspension."""

import pytest
from sqlalchemy import func, insert, select

from alliance.accounts.models import Role, User
from alliance.volunteers import services
from alliance.volunteers.models import (
    VolunteerApplication,
    VolunteerProfile,
    VolunteerStatusChange,
)


def form(world, **overrides):
    return {
        "name": "吴小居",
        "phone": "13855556666",
        "estate_id": str(world.estate_a.id),
        "building": "3号楼2单元",
        "skills": "水电维修",
        "availability": "周末全天",
        **overrides,
    }


def applications(db):
    return db.session.scalar(select(func.count(VolunteerApplication.id)))


@pytest.fixture
def pending(world, as_user, db):
    assert as_user("resident").post("/volunteers/apply", data=form(world)).status_code == 303
    return db.session.scalars(select(VolunteerApplication)).one()


def test_resident_applies_and_sees_it_pending(as_user, world, pending):
    assert pending.phone == "13855556666" and pending.community_id == world.a.id
    page = as_user("resident").get("/volunteers/me").get_data(as_text=True)
    assert "待审核" in page and "您还不是志愿者" in page


def test_duplicate_pending_application_is_refused(as_user, world, pending, db):
    response = as_user("resident").post(
        "/volunteers/apply", data=form(world), follow_redirects=True
    )
    assert "您已有一份志愿者申请在审核中" in response.get_data(as_text=True)
    assert applications(db) == 1


def test_bad_input_is_refused_and_nothing_saved(as_user, world, db):
    client = as_user("resident")
    for overrides, message in (
        ({"phone": "12345"}, "请输入有效的中国大陆手机号码"),
        ({"name": ""}, "姓名"),
        ({"estate_id": str(world.estate_b.id)}, "请选择本社区的小区"),
    ):
        page = client.post("/volunteers/apply", data=form(world, **overrides)).get_data(
            as_text=True
        )
        assert message in page
    assert applications(db) == 0


def test_approval_grants_role_and_profile(as_user, world, pending, db):
    assert (
        as_user("secretary_a").post(f"/volunteers/applications/{pending.id}/approve").status_code
        == 303
    )
    db.session.expire_all()
    user = db.session.get(User, world.users["resident"].id)
    assert Role.VOLUNTEER in user.roles
    profile = db.session.scalars(select(VolunteerProfile)).one()
    assert profile.user_id == user.id and profile.status == "active"
    assert profile.community_id == world.a.id and profile.building == "3号楼2单元"
    page = as_user("resident").get("/volunteers/me").get_data(as_text=True)
    assert "在岗" in page and "水电维修" in page and "138****6666" in page
    # a volunteer cannot apply again
    response = as_user("resident").post("/volunteers/apply", data=form(world))
    assert response.status_code == 303 and applications(db) == 1
    # approving twice is refused
    response = as_user("street").post(
        f"/volunteers/applications/{pending.id}/approve", follow_redirects=True
    )
    assert "已经审核过了" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(VolunteerProfile.id))) == 1


def test_rejection_reason_is_shown_and_resident_may_apply_again(as_user, world, pending, db):
    secretary = as_user("secretary_a")
    secretary.post(f"/volunteers/applications/{pending.id}/reject", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(VolunteerApplication, pending.id).status == "pending"
    secretary.post(
        f"/volunteers/applications/{pending.id}/reject", data={"reason": "请先完成社区实名登记。"}
    )
    client = as_user("resident")
    page = client.get("/volunteers/me").get_data(as_text=True)
    assert "请先完成社区实名登记。" in page and "未通过" in page
    assert Role.VOLUNTEER not in db.session.get(User, world.users["resident"].id).roles
    assert client.post("/volunteers/apply", data=form(world)).status_code == 303
    assert applications(db) == 2


def test_other_community_secretary_gets_404(as_user, world, pending, db):
    client = as_user("secretary_b")
    assert "吴小居" not in client.get("/volunteers/applications").get_data(as_text=True)
    assert client.post(f"/volunteers/applications/{pending.id}/approve").status_code == 404
    assert (
        client.post(
            f"/volunteers/applications/{pending.id}/reject", data={"reason": "x"}
        ).status_code
        == 404
    )
    db.session.expire_all()
    assert db.session.get(VolunteerApplication, pending.id).status == "pending"
    assert "吴小居" in as_user("secretary_a").get("/volunteers/applications").get_data(as_text=True)


def make_profiles(db, world, n, start=0):
    rows = []
    for i in range(start, start + n):
        rows.append(
            dict(
                username=f"v{i}",
                display_name=f"志愿者{i}",
                phone=f"1370000{i:04d}",
                password_hash="x",
                login_token=f"tok{i}",
                community_id=world.a.id,
            )
        )
    db.session.execute(insert(User), rows)
    ids = db.session.execute(
        select(User.id, User.username).where(User.username.in_([r["username"] for r in rows]))
    ).all()
    db.session.execute(
        insert(VolunteerProfile),
        [
            dict(
                user_id=uid,
                community_id=world.a.id,
                name=f"志愿者{name[1:]}",
                phone=f"1370000{int(name[1:]):04d}",
                estate_id=world.estate_a.id,
                skills="医护急救" if int(name[1:]) % 2 else "法律咨询",
            )
            for uid, name in ids
        ],
    )
    db.session.commit()


def test_secretary_list_is_paginated_masked_and_searchable(as_user, world, db):
    make_profiles(db, world, 35)
    client = as_user("secretary_a")
    page = client.get("/volunteers/").get_data(as_text=True)
    assert "共 35 人" in page and "1 / 2" in page
    assert "137****0001" in page and "13700000001" not in page
    page = client.get("/volunteers/?q=志愿者7").get_data(as_text=True)
    assert "共 1 人" in page
    page = client.get("/volunteers/?q=法律").get_data(as_text=True)
    assert "共 18 人" in page
    assert "共 0 人" in as_user("secretary_b").get("/volunteers/").get_data(as_text=True)


def test_volunteer_list_statement_count_is_bounded(as_user, world, db, count_statements):
    client = as_user("secretary_a")
    counts = []
    for n, start in ((10, 0), (490, 10)):
        make_profiles(db, world, n, start)
        with count_statements() as counter:
            assert client.get("/volunteers/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_suspend_and_reinstate_keep_history(as_user, world, pending, db):
    as_user("secretary_a").post(f"/volunteers/applications/{pending.id}/approve")
    profile = db.session.scalars(select(VolunteerProfile)).one()
    client = as_user("secretary_a")
    url = f"/volunteers/{profile.id}/status"
    assert client.post(url, data={"action": "suspend", "reason": ""}).status_code == 422
    assert client.post(url, data={"action": "reinstate", "reason": "x"}).status_code == 422
    assert client.post(url, data={"action": "suspend", "reason": "多次无故缺席"}).status_code == 303
    db.session.expire_all()
    profile = db.session.get(VolunteerProfile, profile.id)
    assert profile.status == "suspended"
    resident = db.session.get(User, world.users["resident"].id)
    assert not services.is_active_volunteer(resident)
    assert Role.VOLUNTEER in resident.roles  # nothing historical is revoked
    page = as_user("resident").get("/volunteers/me").get_data(as_text=True)
    assert "已暂停" in page and "多次无故缺席" in page
    client = as_user("secretary_a")
    assert client.post(url, data={"action": "reinstate", "reason": "已沟通"}).status_code == 303
    history = db.session.scalars(
        select(VolunteerStatusChange.to_status).order_by(VolunteerStatusChange.id)
    ).all()
    assert history == ["suspended", "active"]
    assert "多次无故缺席" in client.get(f"/volunteers/{profile.id}").get_data(as_text=True)
    assert (
        as_user("secretary_b").post(url, data={"action": "suspend", "reason": "x"}).status_code
        == 404
    )


def test_home_page_counts_active_volunteers(as_user, world, db, client):
    make_profiles(db, world, 3)
    page = client.get("/").get_data(as_text=True)
    assert "志愿者" in page
    figures = dict((str(k), v) for k, v in services.home_figures([world.a.id]))
    assert figures["志愿者"] == 3
    profile = db.session.scalars(select(VolunteerProfile)).first()
    profile.status = "suspended"
    db.session.commit()
    assert dict((str(k), v) for k, v in services.home_figures(None))["志愿者"] == 2

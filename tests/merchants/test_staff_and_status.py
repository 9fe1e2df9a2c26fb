"""The owner manages staff; secretaries suspend members or record that they left."""

from sqlalchemy import func, select

from alliance.accounts.models import Role, User
from alliance.merchants import staff as merchant_staff
from alliance.merchants import status as merchant_status
from alliance.merchants.models import MerchantStaff, MerchantStatus, MerchantStatusChange
from tests.merchants.factories import make_member


def roles_of(db, user):
    db.session.expire_all()
    return db.session.get(User, user.id).roles


def test_owner_adds_staff_by_phone_or_username(as_user, world, db, make_user):
    member = make_member(world.a, "明珠小馆", owner=world.users["merchant"])
    clerk = make_user("clerk", community=world.a, phone="13700001111")
    client = as_user("merchant")
    assert (
        client.post(
            f"/merchants/mine/{member.id}/staff", data={"identifier": "137 0000 1111"}
        ).status_code
        == 303
    )
    assert Role.MERCHANT_STAFF in roles_of(db, clerk)
    assert (
        client.post(f"/merchants/mine/{member.id}/staff", data={"identifier": "grid"}).status_code
        == 303
    )
    page = client.get(f"/merchants/mine/{member.id}/staff").get_data(as_text=True)
    assert clerk.display_name in page and "137****1111" in page and "13700001111" not in page
    # already staff, unknown, and another community's person are refused
    for identifier, message in (
        ("clerk", "已经是本店店员"),
        ("nobody", "本社区没有这个手机号"),
        ("resident_b", "本社区没有这个手机号"),
    ):
        response = client.post(
            f"/merchants/mine/{member.id}/staff", data={"identifier": identifier}
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert Role.MERCHANT_STAFF not in roles_of(db, world.users["resident_b"])
    assert db.session.scalar(select(func.count(MerchantStaff.id))) == 3


def test_removing_the_last_link_revokes_the_role(as_user, world, db, make_user):
    first = make_member(world.a, "明珠小馆", owner=world.users["merchant"])
    second = make_member(world.a, "二号店")
    clerk = make_user("clerk", community=world.a)
    merchant_staff.add_staff_link(first, clerk)
    merchant_staff.add_staff_link(second, clerk)
    db.session.commit()
    link = db.session.scalars(
        select(MerchantStaff).where(
            MerchantStaff.merchant_id == first.id, MerchantStaff.user_id == clerk.id
        )
    ).one()
    client = as_user("merchant")
    assert client.post(f"/merchants/mine/{first.id}/staff/{link.id}/remove").status_code == 303
    assert Role.MERCHANT_STAFF in roles_of(db, clerk)  # still works for the second shop
    second_link = db.session.scalars(
        select(MerchantStaff).where(MerchantStaff.merchant_id == second.id)
    ).one()
    db.session.delete(second_link)
    db.session.commit()
    merchant_staff.add_staff_link(first, clerk)
    db.session.commit()
    link = db.session.scalars(
        select(MerchantStaff).where(
            MerchantStaff.merchant_id == first.id, MerchantStaff.user_id == clerk.id
        )
    ).one()
    client.post(f"/merchants/mine/{first.id}/staff/{link.id}/remove")
    assert Role.MERCHANT_STAFF not in roles_of(db, clerk)


def test_owner_cannot_remove_themselves(as_user, world, db):
    member = make_member(world.a, "明珠小馆", owner=world.users["merchant"])
    link = db.session.scalars(select(MerchantStaff)).one()
    response = as_user("merchant").post(
        f"/merchants/mine/{member.id}/staff/{link.id}/remove", follow_redirects=True
    )
    assert "不能移除店主" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(MerchantStaff.id))) == 1


def test_plain_staff_cannot_manage_and_other_merchants_get_404(as_user, world, db, make_user):
    mine = make_member(world.a, "明珠小馆", owner=world.users["merchant"])
    other_owner = make_user("owner2", community=world.a)
    other = make_member(world.a, "隔壁店", owner=other_owner)
    clerk = make_user("clerk", community=world.a)
    merchant_staff.add_staff_link(mine, clerk)
    db.session.commit()
    owner_link = db.session.scalars(
        select(MerchantStaff).where(MerchantStaff.merchant_id == mine.id, MerchantStaff.is_owner)
    ).one()
    client = as_user("clerk")
    assert client.get(f"/merchants/mine/{mine.id}/staff").status_code == 200
    assert (
        client.post(f"/merchants/mine/{mine.id}/staff", data={"identifier": "grid"}).status_code
        == 403
    )
    assert client.post(f"/merchants/mine/{mine.id}/staff/{owner_link.id}/remove").status_code == 403
    # the other shop's owner cannot touch this shop
    other_client = as_user("owner2")
    assert other_client.get(f"/merchants/mine/{mine.id}/staff").status_code == 404
    assert (
        other_client.post(
            f"/merchants/mine/{mine.id}/staff", data={"identifier": "grid"}
        ).status_code
        == 404
    )
    assert (
        other_client.post(f"/merchants/mine/{mine.id}/staff/{owner_link.id}/remove").status_code
        == 404
    )
    # nor remove this shop's staff through its own shop's URL
    clerk_link = db.session.scalars(
        select(MerchantStaff).where(MerchantStaff.user_id == clerk.id)
    ).one()
    assert (
        other_client.post(f"/merchants/mine/{other.id}/staff/{clerk_link.id}/remove").status_code
        == 404
    )
    assert db.session.scalar(select(func.count(MerchantStaff.id))) == 3
    assert Role.MERCHANT_STAFF not in roles_of(db, world.users["grid"])


def test_my_shop_lists_my_members(as_user, world):
    make_member(world.a, "明珠小馆", owner=world.users["merchant"])
    make_member(world.a, "隔壁店")
    page = as_user("merchant").get("/merchants/mine").get_data(as_text=True)
    assert "明珠小馆" in page and "第1家联盟商户" in page and "隔壁店" not in page
    page = as_user("resident").get("/merchants/mine").get_data(as_text=True)
    assert "您还没有关联的联盟商户" in page


def test_secretary_suspends_reinstates_and_records_leaving(as_user, world, db):
    member = make_member(world.a, "明珠小馆")
    client = as_user("secretary_a")
    url = f"/merchants/manage/{member.id}/status"
    assert client.post(url, data={"action": "suspend", "reason": ""}).status_code == 422
    db.session.expire_all()
    assert merchant_status.is_active(db.session.get(type(member), member.id))
    assert (
        client.post(url, data={"action": "suspend", "reason": "顾客投诉未兑现优惠"}).status_code
        == 303
    )
    db.session.expire_all()
    suspended = db.session.get(type(member), member.id)
    assert suspended.status == MerchantStatus.SUSPENDED and not merchant_status.is_active(suspended)
    page = client.get(f"/merchants/manage/{member.id}").get_data(as_text=True)
    assert "顾客投诉未兑现优惠" in page and "暂停" in page
    assert client.post(url, data={"action": "reinstate", "reason": "已整改"}).status_code == 303
    assert client.post(url, data={"action": "leave", "reason": "店铺搬迁"}).status_code == 303
    # nothing after leaving
    response = client.post(url, data={"action": "reinstate", "reason": "x"})
    assert response.status_code == 422
    db.session.expire_all()
    history = db.session.scalars(
        select(MerchantStatusChange.to_status).order_by(MerchantStatusChange.id)
    ).all()
    assert history == ["suspended", "active", "left"]
    left = db.session.get(type(member), member.id)
    assert left.status == MerchantStatus.LEFT and left.status_reason == "店铺搬迁"
    assert left.agreement is not None  # history kept


def test_other_community_cannot_manage(as_user, world, db):
    member = make_member(world.a, "明珠小馆")
    client = as_user("secretary_b")
    assert client.get(f"/merchants/manage/{member.id}").status_code == 404
    assert (
        client.post(
            f"/merchants/manage/{member.id}/status", data={"action": "suspend", "reason": "x"}
        ).status_code
        == 404
    )
    assert "明珠小馆" not in client.get("/merchants/manage").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(member), member.id).status == MerchantStatus.ACTIVE
    assert as_user("merchant").get(f"/merchants/manage/{member.id}").status_code == 403

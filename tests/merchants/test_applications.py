"""Applying to join, the secretary's review, numbering and the agreement."""

from sqlalchemy import func, select

from alliance.accounts.models import Role, User
from alliance.clock import local_today
from alliance.merchants.models import (
    Agreement,
    ApplicationStatus,
    Merchant,
    MerchantApplication,
    MerchantStaff,
)
from tests.merchants.factories import make_application, make_member


def application_form(world, **overrides):
    return {
        "name": "明珠小馆",
        "category": "catering",
        "estate_id": str(world.estate_a.id),
        "address": "一期南门3号",
        "contact_name": "王老板",
        "contact_phone": "138 1111 2222",
        "licence_no": "91140105MA0ABC123",
        "offer_text": "持卡用餐8.5折",
        **overrides,
    }


def agreement_form(**overrides):
    return {
        "signed_on": "2026-07-07",
        "starts_on": "2026-07-07",
        "ends_on": "2027-07-06",
        "signatories": "王老板（明珠小馆）、赵书记（甲社区）",
        "text": "遵守联盟章程，作出三项公开承诺。",
        **overrides,
    }


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_resident_applies_and_sees_the_application(as_user, world, db):
    client = as_user("resident")
    assert client.get("/merchants/apply").status_code == 200
    response = client.post("/merchants/apply", data=application_form(world))
    assert response.status_code == 303
    application = db.session.scalars(select(MerchantApplication)).one()
    assert application.status == ApplicationStatus.PENDING
    assert application.contact_phone == "13811112222"
    assert application.community_id == world.a.id
    page = client.get("/merchants/applications/mine").get_data(as_text=True)
    assert "明珠小馆" in page and "待审核" in page


def test_bad_input_is_refused_with_a_message_and_nothing_saved(as_user, world, db):
    client = as_user("resident")
    for overrides, message in (
        ({"contact_phone": "12345"}, "请输入有效的中国大陆手机号码"),
        ({"name": ""}, "商户名称"),
        ({"estate_id": "abc"}, "请选择所在小区"),
        ({"category": "casino"}, "请选择经营类别"),
        ({"estate_id": str(world.estate_b.id)}, "请选择本社区的小区"),
        ({"licence_no": "91-14<script>"}, "营业执照号只能包含数字和字母"),
    ):
        response = client.post("/merchants/apply", data=application_form(world, **overrides))
        assert response.status_code == 422
        assert message in response.get_data(as_text=True), overrides
    assert count(db, MerchantApplication) == 0


def test_duplicate_applications_are_refused(as_user, world, db):
    client = as_user("resident")
    assert client.post("/merchants/apply", data=application_form(world)).status_code == 303
    page = client.post("/merchants/apply", data=application_form(world, name="另一家店")).get_data(
        as_text=True
    )
    assert "您已有一份正在审核的入盟申请" in page
    other = as_user("grid")
    page = other.post("/merchants/apply", data=application_form(world)).get_data(as_text=True)
    assert "「明珠小馆」已经提交过入盟申请" in page
    assert count(db, MerchantApplication) == 1


def test_an_existing_member_cannot_apply_again(as_user, world, db):
    make_member(world.a, "明珠小馆")
    page = (
        as_user("resident")
        .post("/merchants/apply", data=application_form(world))
        .get_data(as_text=True)
    )
    assert "已经是本社区的联盟商户" in page
    assert count(db, MerchantApplication) == 0


def test_approval_admits_member_with_agreement_and_owner_role(as_user, world, db):
    application = make_application(world.users["resident"], estate=world.estate_a)
    client = as_user("secretary_a")
    page = client.get(f"/merchants/review/{application.id}").get_data(as_text=True)
    assert "13811112222" in page  # the secretary sees the contact details
    assert "第1家联盟商户" in page
    response = client.post(f"/merchants/review/{application.id}/approve", data=agreement_form())
    assert response.status_code == 303
    db.session.expire_all()
    merchant = db.session.scalars(select(Merchant)).one()
    assert merchant.number == 1 and merchant.name == "明珠小馆"
    assert merchant.agreement.signatories.startswith("王老板")
    assert str(merchant.agreement.ends_on) == "2027-07-06"
    resident = db.session.get(User, world.users["resident"].id)
    assert Role.MERCHANT_STAFF in resident.roles
    link = db.session.scalars(select(MerchantStaff)).one()
    assert link.user_id == resident.id and link.is_owner
    assert db.session.get(MerchantApplication, application.id).status == ApplicationStatus.APPROVED
    agreement = client.get(response.headers["Location"])
    text = agreement.get_data(as_text=True)
    assert agreement.status_code == 200
    assert "第1家联盟商户" in text and "2027-07-06" in text and "/static/css/merchants." in text
    # the new owner sees it too
    assert as_user("resident").get(f"/merchants/{merchant.id}/agreement").status_code == 200


def test_twenty_third_member_is_number_23(as_user, world, db):
    for i in range(22):
        make_member(world.a, f"商户{i + 1}")
    make_member(world.b, "乙社区第一家")
    application = make_application(world.users["resident"], name="福满楼")
    response = as_user("secretary_a").post(
        f"/merchants/review/{application.id}/approve", data=agreement_form()
    )
    assert response.status_code == 303
    merchant = db.session.scalars(select(Merchant).where(Merchant.name == "福满楼")).one()
    assert merchant.number == 23
    assert merchant.agreement.number == 23
    page = as_user("resident").get(f"/merchants/{merchant.id}").get_data(as_text=True)
    assert "第23家联盟商户" in page
    b_member = db.session.scalars(select(Merchant).where(Merchant.community_id == world.b.id)).one()
    assert b_member.number == 1


def test_numbering_skips_a_number_taken_meanwhile(world, db):
    """A concurrent admission took the next number: the unique constraint and retry cope."""
    from alliance.merchants import admission

    make_member(world.a, "第一家")
    original = admission.next_number
    calls = []

    def stale(community_id):
        calls.append(community_id)
        # first attempt sees a stale maximum (as a concurrent transaction would)
        return 1 if len(calls) == 1 else original(community_id)

    admission.next_number = stale
    try:
        merchant = make_member(world.a, "第二家")
    finally:
        admission.next_number = original
    assert merchant.number == 2 and len(calls) == 2
    assert count(db, Agreement) == 2


def test_end_date_before_start_is_refused_and_nothing_saved(as_user, world, db):
    application = make_application(world.users["resident"])
    client = as_user("secretary_a")
    for data in (
        agreement_form(ends_on="2026-07-01"),
        agreement_form(ends_on="2026-07-07"),
        agreement_form(signed_on="not a date"),
    ):
        response = client.post(f"/merchants/review/{application.id}/approve", data=data)
        assert response.status_code == 422
    assert "协议结束日期必须晚于开始日期" in client.post(
        f"/merchants/review/{application.id}/approve", data=agreement_form(ends_on="2026-01-01")
    ).get_data(as_text=True)
    db.session.expire_all()
    assert count(db, Merchant) == 0 and count(db, Agreement) == 0
    assert db.session.get(MerchantApplication, application.id).status == ApplicationStatus.PENDING
    assert Role.MERCHANT_STAFF not in db.session.get(User, world.users["resident"].id).roles


def test_request_changes_then_applicant_edits_and_resubmits(as_user, world, db):
    application = make_application(world.users["resident"])
    secretary = as_user("secretary_a")
    assert (
        secretary.post(
            f"/merchants/review/{application.id}/request-changes", data={"note": "请补充具体优惠。"}
        ).status_code
        == 303
    )
    client = as_user("resident")
    page = client.get("/merchants/applications/mine").get_data(as_text=True)
    assert "请补充具体优惠。" in page and "需修改" in page
    form = client.get(f"/merchants/applications/{application.id}/edit").get_data(as_text=True)
    assert "请补充具体优惠。" in form
    response = client.post(
        f"/merchants/applications/{application.id}/edit",
        data=application_form(world, offer_text="持卡用餐8.5折，每月义诊一次"),
    )
    assert response.status_code == 303
    db.session.expire_all()
    application = db.session.get(MerchantApplication, application.id)
    assert application.status == ApplicationStatus.PENDING
    assert "义诊" in application.offer_text


def test_applicant_cannot_edit_after_approval(as_user, world, db):
    application = make_application(world.users["resident"])
    as_user("secretary_a").post(
        f"/merchants/review/{application.id}/approve", data=agreement_form()
    )
    client = as_user("resident")
    response = client.get(f"/merchants/applications/{application.id}/edit")
    assert response.status_code == 302
    response = client.post(
        f"/merchants/applications/{application.id}/edit",
        data=application_form(world, name="改名了"),
        follow_redirects=True,
    )
    assert "不能再修改" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MerchantApplication, application.id).name == "明珠小馆"
    assert db.session.scalars(select(Merchant.name)).one() == "明珠小馆"


def test_someone_elses_application_is_404(as_user, world):
    application = make_application(world.users["resident"])
    assert as_user("grid").get(f"/merchants/applications/{application.id}/edit").status_code == 404


def test_reject_with_reason_the_applicant_sees(as_user, world, db):
    application = make_application(world.users["resident"])
    secretary = as_user("secretary_a")
    response = secretary.post(f"/merchants/review/{application.id}/reject", data={"note": ""})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(MerchantApplication, application.id).status == ApplicationStatus.PENDING
    secretary.post(f"/merchants/review/{application.id}/reject", data={"note": "不在本社区经营。"})
    page = as_user("resident").get("/merchants/applications/mine").get_data(as_text=True)
    assert "不在本社区经营。" in page and "未通过" in page
    # a second decision is refused
    response = as_user("secretary_a").post(
        f"/merchants/review/{application.id}/approve",
        data=agreement_form(),
        follow_redirects=True,
    )
    assert "已经审核过了" in response.get_data(as_text=True)
    assert count(db, Merchant) == 0


def test_other_community_secretary_cannot_see_or_decide(as_user, world, db):
    application = make_application(world.users["resident"])
    client = as_user("secretary_b")
    assert "明珠小馆" not in client.get("/merchants/review").get_data(as_text=True)
    assert client.get(f"/merchants/review/{application.id}").status_code == 404
    assert (
        client.post(
            f"/merchants/review/{application.id}/approve", data=agreement_form()
        ).status_code
        == 404
    )
    assert (
        client.post(f"/merchants/review/{application.id}/reject", data={"note": "x"}).status_code
        == 404
    )
    assert count(db, Merchant) == 0
    # while A's secretary and the street officer see it in their queue
    assert "明珠小馆" in as_user("secretary_a").get("/merchants/review").get_data(as_text=True)
    assert "明珠小馆" in as_user("street").get("/merchants/review").get_data(as_text=True)


def test_agreement_page_is_private(as_user, client, world):
    member = make_member(world.a, "明珠小馆", owner=world.users["merchant"])
    assert client.get(f"/merchants/{member.id}/agreement").status_code == 302
    assert as_user("resident").get(f"/merchants/{member.id}/agreement").status_code == 403
    assert as_user("secretary_b").get(f"/merchants/{member.id}/agreement").status_code == 404
    assert as_user("merchant").get(f"/merchants/{member.id}/agreement").status_code == 200


def test_the_agreement_is_dated_today_in_shanghai(as_user, world, db):
    application = make_application(world.users["resident"], estate=world.estate_a)
    page = as_user("secretary_a").get(f"/merchants/review/{application.id}")
    today = local_today().isoformat()
    assert f'id="signed_on" name="signed_on" required type="date" value="{today}"' in page.get_data(
        as_text=True
    )

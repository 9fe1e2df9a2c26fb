"""Drafting, approval, publication, rejection, withdrawal and corrections (new versions)."""

from sqlalchemy import func, select

from alliance.accounts.models import Role
from alliance.commitments.models import Commitment, CommitmentStatus, Offer
from alliance.extensions import db
from tests.commitments.factories import create_commitment, create_merchant

OFFER_FORM = {
    "merchant_id": "",
    "kind": "integrity",
    "title": "持卡就餐享6.8折",
    "body": "联盟卡、志愿者卡均可",
    "has_offer": "y",
    "rate": "6.8折",
    "qualifies": "both",
    "conditions": "堂食",
    "exclusions": "酒水除外",
    "valid_from": "2024-06-01",
    "valid_until": "2025-06-01",
    "usage_period": "day",
    "usage_limit": "1",
}


def _count(model=Commitment):
    return db.session.scalar(select(func.count(model.id)))


def _reload(commitment_id):
    db.session.expire_all()
    return db.session.get(Commitment, commitment_id)


def test_merchant_drafts_submits_and_secretary_publishes(world, shop, as_user):
    client = as_user("merchant")
    response = client.post("/commitments/new", data={**OFFER_FORM, "merchant_id": shop.id})
    assert response.status_code == 303
    commitment = db.session.scalars(select(Commitment)).one()
    assert commitment.status == CommitmentStatus.DRAFT
    assert commitment.offer.rate_percent == 68
    assert commitment.offer.usage_limit == 1 and commitment.offer.usage_period == "day"

    # Not on the board while a draft, and invisible to the public.
    assert "持卡就餐享6.8折" not in as_user("resident").get("/commitments/").get_data(as_text=True)
    assert as_user("resident").get(f"/commitments/{commitment.id}").status_code == 404

    client = as_user("merchant")
    assert client.post(f"/commitments/{commitment.id}/submit").status_code == 303
    assert _reload(commitment.id).status == CommitmentStatus.PENDING

    queue = as_user("secretary_a").get("/commitments/review").get_data(as_text=True)
    assert "持卡就餐享6.8折" in queue
    response = as_user("secretary_a").post(f"/commitments/{commitment.id}/approve")
    assert response.status_code == 303
    published = _reload(commitment.id)
    assert published.status == CommitmentStatus.PUBLISHED
    assert published.published_at is not None

    page = as_user("resident").get(f"/commitments/{commitment.id}").get_data(as_text=True)
    assert "6.8折" in page and "酒水除外" in page and "每张卡每天限1次" in page
    board = as_user("resident").get("/commitments/").get_data(as_text=True)
    assert "持卡就餐享6.8折" in board


def test_reject_needs_a_reason_and_the_merchant_sees_it(world, shop, as_user):
    c = create_commitment(shop, title="待审", status=CommitmentStatus.PENDING)
    db.session.commit()
    client = as_user("secretary_a")
    response = client.post(f"/commitments/{c.id}/reject", data={"reason": "  "})
    assert response.status_code == 422
    assert "请填写原因" in response.get_data(as_text=True)
    assert _reload(c.id).status == CommitmentStatus.PENDING

    client.post(f"/commitments/{c.id}/reject", data={"reason": "请写清优惠适用范围"})
    assert _reload(c.id).status == CommitmentStatus.REJECTED
    page = as_user("merchant").get(f"/commitments/{c.id}").get_data(as_text=True)
    assert "请写清优惠适用范围" in page
    # The merchant edits and submits again.
    client = as_user("merchant")
    edit = client.post(
        f"/commitments/{c.id}/edit",
        data={"merchant_id": shop.id, "kind": "integrity", "title": "待审（已改）"},
    )
    assert edit.status_code == 303
    assert client.post(f"/commitments/{c.id}/submit").status_code == 303
    assert _reload(c.id).status == CommitmentStatus.PENDING


def test_withdraw_with_reason_by_merchant_or_secretary(world, shop, as_user):
    a = create_commitment(shop, title="承诺甲", rate=85)
    b = create_commitment(shop, title="承诺乙", rate=70)
    db.session.commit()
    response = as_user("merchant").post(f"/commitments/{a.id}/withdraw", data={"reason": ""})
    assert "请填写原因" in response.get_data(as_text=True)
    assert _reload(a.id).status == CommitmentStatus.PUBLISHED

    as_user("merchant").post(f"/commitments/{a.id}/withdraw", data={"reason": "店铺装修暂停"})
    as_user("secretary_a").post(f"/commitments/{b.id}/withdraw", data={"reason": "多次未践诺"})
    assert _reload(a.id).status == CommitmentStatus.WITHDRAWN
    assert _reload(b.id).status == CommitmentStatus.WITHDRAWN

    client = as_user("resident")
    board = client.get("/commitments/").get_data(as_text=True)
    assert "承诺甲" not in board and "承诺乙" not in board
    history = client.get(f"/commitments/{a.id}/history").get_data(as_text=True)
    assert "店铺装修暂停" in history
    # A resident cannot withdraw anything.
    c = create_commitment(shop, title="承诺丙")
    db.session.commit()
    assert client.post(f"/commitments/{c.id}/withdraw", data={"reason": "x"}).status_code == 403


def test_correction_makes_a_new_version_and_keeps_the_old_one_in_history(world, shop, as_user):
    v1 = create_commitment(shop, title="面包8.5折", rate=85, conditions="限店内购买")
    db.session.commit()
    client = as_user("merchant")
    response = client.post(f"/commitments/{v1.id}/correct")
    assert response.status_code == 303
    v2 = db.session.scalars(select(Commitment).where(Commitment.version == 2)).one()
    assert v2.lineage == v1.lineage and v2.status == CommitmentStatus.DRAFT
    assert v2.offer.rate_percent == 85 and v2.offer.conditions == "限店内购买"
    # Asking again returns the same open correction rather than a third version.
    client.post(f"/commitments/{v1.id}/correct")
    assert _count() == 2

    client.post(
        f"/commitments/{v2.id}/edit",
        data={**OFFER_FORM, "merchant_id": shop.id, "title": "面包8折", "rate": "8"},
    )
    client.post(f"/commitments/{v2.id}/submit")
    # Until the correction is approved, version 1 stays published.
    assert _reload(v1.id).status == CommitmentStatus.PUBLISHED

    as_user("secretary_a").post(f"/commitments/{v2.id}/approve")
    assert _reload(v1.id).status == CommitmentStatus.SUPERSEDED
    assert _reload(v2.id).status == CommitmentStatus.PUBLISHED

    client = as_user("resident")
    board = client.get("/commitments/").get_data(as_text=True)
    assert "面包8折" in board and "面包8.5折" not in board
    old = client.get(f"/commitments/{v1.id}").get_data(as_text=True)
    assert "已被更正" in old
    history = client.get(f"/commitments/{v2.id}/history").get_data(as_text=True)
    assert "第1版" in history and "第2版" in history and "8.5折" in history and "8折" in history


def test_published_commitments_cannot_be_edited_in_place(world, shop, as_user):
    c = create_commitment(shop, title="原标题", rate=85)
    db.session.commit()
    response = as_user("merchant").post(
        f"/commitments/{c.id}/edit", data={**OFFER_FORM, "merchant_id": shop.id, "title": "偷改"}
    )
    assert response.status_code == 303
    assert _reload(c.id).title == "原标题"


def test_bad_input_gets_a_message_and_saves_nothing(world, shop, as_user):
    client = as_user("merchant")
    cases = [
        ({"rate": "0折"}, "0折"),
        ({"rate": "11折"}, "10折"),
        ({"rate": "八五折"}, "数字"),
        ({"valid_from": "2025-06-01", "valid_until": "2025-05-01"}, "结束日期不能早于开始日期"),
        ({"usage_limit": ""}, "使用次数"),
        ({"kind": "service"}, "服务内容"),
        ({"title": ""}, "请填写承诺标题"),
    ]
    for change, message in cases:
        response = client.post(
            "/commitments/new", data={**OFFER_FORM, "merchant_id": shop.id, **change}
        )
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    assert _count() == 0 and _count(Offer) == 0

    # Editing a draft with a bad rate leaves the draft as it was.
    c = create_commitment(shop, title="草稿", status=CommitmentStatus.DRAFT, rate=85)
    db.session.commit()
    response = client.post(
        f"/commitments/{c.id}/edit",
        data={**OFFER_FORM, "merchant_id": shop.id, "title": "新", "rate": "10折"},
    )
    assert response.status_code == 422
    fresh = _reload(c.id)
    assert fresh.title == "草稿" and fresh.offer.rate_percent == 85


def test_merchants_cannot_touch_each_others_commitments(world, shop, as_user, make_user):
    other_user = make_user("merchant2", community=world.a, roles=(Role.MERCHANT_STAFF,))
    other = create_merchant(world.a, 2, name="隔壁药房", category="pharmacy", staff=[other_user])
    draft = create_commitment(other, title="别人的草稿", status=CommitmentStatus.DRAFT)
    published = create_commitment(other, title="别人的承诺", rate=70)
    db.session.commit()
    client = as_user("merchant")
    assert client.get(f"/commitments/{draft.id}").status_code == 404
    assert client.get(f"/commitments/{draft.id}/edit").status_code == 404
    assert client.post(f"/commitments/{draft.id}/submit").status_code == 404
    assert client.post(f"/commitments/{published.id}/correct").status_code == 403
    assert (
        client.post(
            f"/commitments/{published.id}/withdraw", data={"reason": "恶意撤回"}
        ).status_code
        == 403
    )
    # Posting a draft for a merchant one does not work for is refused by the form.
    response = client.post("/commitments/new", data={**OFFER_FORM, "merchant_id": other.id})
    assert response.status_code == 422
    assert _reload(published.id).status == CommitmentStatus.PUBLISHED
    assert _reload(draft.id).status == CommitmentStatus.DRAFT
    assert _count() == 2


def test_secretary_of_another_community_gets_404(world, shop, as_user):
    pending = create_commitment(shop, title="甲社区待审", status=CommitmentStatus.PENDING)
    published = create_commitment(shop, title="甲社区承诺")
    db.session.commit()
    client = as_user("secretary_b")
    assert "甲社区待审" not in client.get("/commitments/review").get_data(as_text=True)
    assert client.post(f"/commitments/{pending.id}/approve").status_code == 404
    assert client.post(f"/commitments/{pending.id}/reject", data={"reason": "x"}).status_code == 404
    assert client.get(f"/commitments/{pending.id}").status_code == 404
    assert (
        client.post(f"/commitments/{published.id}/withdraw", data={"reason": "x"}).status_code
        == 404
    )
    assert _reload(pending.id).status == CommitmentStatus.PENDING
    # The street officer of both communities may approve.
    assert as_user("street").post(f"/commitments/{pending.id}/approve").status_code == 303
    assert _reload(pending.id).status == CommitmentStatus.PUBLISHED


def test_suspended_merchant_cannot_publish(world, shop, as_user):
    pending = create_commitment(shop, title="待审", status=CommitmentStatus.PENDING)
    shop.status = "suspended"
    db.session.commit()
    response = as_user("secretary_a").post(
        f"/commitments/{pending.id}/approve", follow_redirects=True
    )
    assert "暂停或退出" in response.get_data(as_text=True)
    assert _reload(pending.id).status == CommitmentStatus.PENDING

"""Offers for the cards issue, 践诺 notes, and residents' reports of commitments not kept."""

from datetime import date

from sqlalchemy import select

from alliance.commitments.models import (
    BrokenCommitmentReport,
    CommitmentStatus,
    FulfilmentNote,
    ReportStatus,
)
from alliance.commitments.offers import applicable_offers, offer_terms
from alliance.extensions import db
from tests.commitments.factories import create_commitment, create_merchant


def test_applicable_offers_by_card_date_and_merchant_status(world, shop):
    both = create_commitment(shop, title="全场6.8折", rate=68)
    volunteer_only = create_commitment(shop, title="志愿者8.5折", rate=85, qualifies="volunteer")
    create_commitment(
        shop, title="过期", rate=50, valid_from=date(2024, 1, 1), valid_until=date(2024, 1, 31)
    )
    create_commitment(shop, title="草稿", rate=60, status=CommitmentStatus.DRAFT)
    create_commitment(shop, title="已撤回", rate=60, status=CommitmentStatus.WITHDRAWN)
    db.session.commit()
    day = date(2024, 6, 15)
    assert [o.commitment.title for o in applicable_offers(shop, "volunteer", day)] == [
        "全场6.8折",
        "志愿者8.5折",
    ]
    assert [o.commitment_id for o in applicable_offers(shop, "alliance", day)] == [both.id]
    in_january = applicable_offers(shop, "alliance", date(2024, 1, 10))
    assert [o.rate_percent for o in in_january] == [50, 68]
    assert volunteer_only.offer.covers("volunteer") and not volunteer_only.offer.covers("alliance")

    shop.status = "suspended"
    db.session.commit()
    assert applicable_offers(shop, "volunteer", day) == []
    shop.status = "left"
    db.session.commit()
    assert applicable_offers(shop, "alliance", day) == []


def test_the_counters_offer_terms_are_the_applicable_offers(world, shop):
    """Verification reads offers as columns (offer_terms): the same offers, in the same
    order, with the same labels, as the entities applicable_offers gives."""
    create_commitment(shop, title="全场6.8折", rate=68, usage_limit=1, usage_period="day")
    create_commitment(shop, title="志愿者8.5折", rate=85, qualifies="volunteer")
    create_commitment(shop, title="联盟卡9折", rate=90, qualifies="alliance")
    db.session.commit()
    day = date(2024, 6, 15)
    for kind in ("volunteer", "alliance"):
        offers, terms = applicable_offers(shop, kind, day), offer_terms(shop, kind, day)
        assert [
            (o.id, o.commitment.title, o.rate_text, o.usage_label, o.qualifies_label)
            for o in offers
        ] == [(t.id, t.title, t.rate_text, t.usage_label, t.qualifies_label) for t in terms]
        assert len(terms) == 2


def test_secretary_records_kept_and_not_kept_notes_shown_in_history(world, shop, as_user):
    c = create_commitment(shop, title="免费义诊", rate=70)
    db.session.commit()
    client = as_user("secretary_a")
    response = client.post(
        f"/commitments/{c.id}/notes",
        data={"kept": "yes", "noted_on": "2024-07-06", "note": "义诊如期举行"},
    )
    assert response.status_code == 303
    client.post(
        f"/commitments/{c.id}/notes",
        data={"kept": "no", "noted_on": "2024-08-03", "note": "八月未举办"},
    )
    bad = client.post(
        f"/commitments/{c.id}/notes", data={"kept": "yes", "noted_on": "2999-01-01", "note": "未来"}
    )
    assert "日期不能晚于今天" in bad.get_data(as_text=True)
    assert len(db.session.scalars(select(FulfilmentNote)).all()) == 2

    history = as_user("resident").get(f"/commitments/{c.id}/history").get_data(as_text=True)
    assert "义诊如期举行" in history and "八月未举办" in history
    assert "已践诺" in history and "未践诺" in history
    assert as_user("merchant").get(f"/commitments/{c.id}/notes").status_code == 403
    assert (
        as_user("secretary_b")
        .post(f"/commitments/{c.id}/notes", data={"kept": "yes", "noted_on": "2024-07-06"})
        .status_code
        == 404
    )


def test_resident_reports_and_secretary_handles(app, world, shop, as_user):
    c = create_commitment(shop, title="持卡8.5折", rate=85)
    db.session.commit()
    client = as_user("resident")
    short = client.post(f"/commitments/{c.id}/report", data={"text": "没有"})
    assert short.status_code == 422 and "至少5个字" in short.get_data(as_text=True)
    response = client.post(
        f"/commitments/{c.id}/report", data={"text": "7月10日出示志愿者卡，店员拒绝打折"}
    )
    assert response.status_code == 303
    again = client.post(f"/commitments/{c.id}/report", data={"text": "再说一次，还是不打折"})
    assert "已经反映过" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(BrokenCommitmentReport)).all()) == 1

    # The public page never shows who reported, nor the report.
    reporter = world.users["resident"].display_name
    for path in (f"/commitments/{c.id}", f"/commitments/{c.id}/history", "/commitments/"):
        page = app.test_client().get(path).get_data(as_text=True)
        assert "店员拒绝打折" not in page and reporter not in page

    queue = as_user("secretary_b").get("/commitments/reports").get_data(as_text=True)
    assert "店员拒绝打折" not in queue
    client = as_user("secretary_a")
    queue = client.get("/commitments/reports").get_data(as_text=True)
    assert "店员拒绝打折" in queue
    report = db.session.scalars(select(BrokenCommitmentReport)).one()
    assert (
        as_user("secretary_b")
        .post(f"/commitments/reports/{report.id}/handle", data={"note": "x"})
        .status_code
        == 404
    )
    client = as_user("secretary_a")
    empty = client.post(f"/commitments/reports/{report.id}/handle", data={"note": ""})
    assert "请填写处理说明" in empty.get_data(as_text=True)
    done = client.post(
        f"/commitments/reports/{report.id}/handle", data={"note": "已约谈店长，补足折扣"}
    )
    assert done.status_code == 303
    db.session.expire_all()
    report = db.session.get(BrokenCommitmentReport, report.id)
    assert report.status == ReportStatus.HANDLED and report.handled_at is not None
    assert "店员拒绝打折" not in client.get("/commitments/reports").get_data(as_text=True)
    handled = client.get("/commitments/reports?show=handled").get_data(as_text=True)
    assert "已约谈店长" in handled


def test_only_published_commitments_can_be_reported(world, shop, as_user):
    other = create_merchant(world.a, 2)
    withdrawn = create_commitment(other, title="已撤回", status=CommitmentStatus.WITHDRAWN)
    db.session.commit()
    response = as_user("resident").post(
        f"/commitments/{withdrawn.id}/report", data={"text": "一直没有兑现承诺"}
    )
    assert "只能举报正在公示的承诺" in response.get_data(as_text=True)
    assert db.session.scalars(select(BrokenCommitmentReport)).all() == []

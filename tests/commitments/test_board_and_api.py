"""The public board at /commitments/ and GET /api/v1/commitments."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from alliance.commitments.drafting import refresh_search_text
from alliance.commitments.models import (
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Offer,
    ServiceDetail,
)
from alliance.extensions import db
from alliance.merchants.models import Merchant
from tests.commitments.factories import create_commitment, create_merchant


@pytest.fixture
def story(world, shop):
    """A small street: a noodle shop, a pharmacy, a bakery; and one shop in community B."""
    pharmacy = create_merchant(world.a, 2, name="同仁堂大药房", category="pharmacy")
    bakery = create_merchant(world.a, 3, name="麦香面包坊", category="bakery")
    other = create_merchant(world.b, 1, name="南苑超市", category="retail")
    create_commitment(shop, title="持卡就餐6.8折", rate=68, conditions="堂食")
    create_commitment(
        pharmacy, title="药品7折", rate=70, qualifies="volunteer", conditions="处方药除外"
    )
    create_commitment(
        pharmacy,
        kind=CommitmentKind.SERVICE,
        title="每月免费中医义诊",
        service={
            "what": "免费中医义诊",
            "when_text": "每月第一个周六上午",
            "where": "药房二楼",
            "for_whom": "社区居民",
        },
    )
    create_commitment(bakery, title="面包8.5折", rate=85, qualifies="alliance")
    create_commitment(bakery, kind=CommitmentKind.POINTS, title="积分换面包")
    create_commitment(bakery, title="草稿不公开", status=CommitmentStatus.DRAFT)
    create_commitment(other, title="南苑超市9折", rate=90)
    db.session.commit()


def _text(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_board_totals_by_kind(client, story):
    page = _text(client, "/commitments/")
    assert "共公示承诺 6 项" in page
    assert "草稿不公开" not in page
    totals = _text(client, "/commitments/?community=AAA")
    assert "共公示承诺 5 项" in totals and "南苑超市9折" not in totals


def test_the_community_filter_lists_each_community_by_name(client, story, world):
    page = _text(client, "/commitments/?community=BBB")
    options = page.split('name="community"', 1)[1].split("</select>", 1)[0]
    assert '<option value="AAA" >甲社区</option>' in options
    assert '<option value="BBB" selected>乙社区</option>' in options
    # The form is kept per filter values and choices: a new community and another search
    # show on the next page.
    from alliance.communities.models import Community

    db.session.add(Community(code="DDD", name="丁社区", street_office_id=world.a.street_office_id))
    db.session.commit()
    page = _text(client, "/commitments/?community=BBB")
    assert '<option value="DDD" >丁社区</option>' in page
    assert 'value="义诊"' in _text(client, "/commitments/?community=BBB&q=义诊")


def test_a_kept_card_follows_what_it_shows(client, story, app):
    """Cards are rendered once per content and language (alliance.fragments): a renamed member,
    a new rate, a moved service and another language all show on the next page."""
    assert "同仁堂大药房" in _text(client, "/commitments/")
    pharmacy = db.session.scalar(select(Merchant).where(Merchant.name == "同仁堂大药房"))
    pharmacy.name = "同仁堂药房"
    offer = db.session.scalar(select(Offer).where(Offer.rate_percent == 70))
    offer.rate_percent, offer.usage_limit, offer.usage_period = 75, 1, "day"
    service = db.session.scalar(select(ServiceDetail).where(ServiceDetail.what == "免费中医义诊"))
    service.where = "社区卫生站"
    db.session.commit()
    page = _text(client, "/commitments/")
    assert "同仁堂药房 ·" in page and "同仁堂大药房" not in page
    assert "7.5折" in page and "每张卡每天限1次" in page and "社区卫生站" in page
    client.post("/language", data={"locale": "en"})
    english = _text(client, "/commitments/")
    assert "25% off" in english and "7.5折" not in english


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("kind=service", ["每月免费中医义诊"], ["药品7折", "面包8.5折"]),
        ("kind=points", ["积分换面包"], ["持卡就餐6.8折"]),
        ("category=pharmacy", ["药品7折", "每月免费中医义诊"], ["面包8.5折"]),
        ("card=volunteer", ["药品7折", "持卡就餐6.8折", "南苑超市9折"], ["面包8.5折"]),
        ("card=alliance", ["面包8.5折", "持卡就餐6.8折"], ["药品7折"]),
        ("community=BBB", ["南苑超市9折"], ["药品7折"]),
        ("q=中医", ["每月免费中医义诊"], ["药品7折", "面包8.5折"]),
        ("q=同仁堂 义诊", ["每月免费中医义诊"], ["药品7折"]),  # every term must match
        ("q=处方药", ["药品7折"], ["每月免费中医义诊"]),  # conditions are searched
        ("q=周六", ["每月免费中医义诊"], ["药品7折"]),  # service time too
        ("q=面包", ["面包8.5折", "积分换面包"], ["药品7折"]),
        ("q=医药", ["药品7折", "每月免费中医义诊"], ["面包8.5折"]),  # category label
        ("q=100%", [], ["药品7折", "面包8.5折"]),  # LIKE wildcards are escaped
        ("kind=bogus&card=x", ["药品7折", "面包8.5折"], []),  # bad values are ignored
    ],
)
def test_board_filters_and_chinese_search(client, story, query, present, absent):
    page = _text(client, f"/commitments/?{query}")
    for title in present:
        assert title in page, (query, title)
    for title in absent:
        assert title not in page, (query, title)


def test_api_lists_published_commitments_with_offers_and_services(client, story):
    body = client.get("/api/v1/commitments?community=AAA").get_json()
    assert body["total"] == 5 and body["page"] == 1
    by_title = {item["title"]: item for item in body["items"]}
    drug = by_title["药品7折"]
    assert drug["kind"] == "integrity"
    assert drug["merchant"] == {
        "id": drug["merchant"]["id"],
        "number": 2,
        "name": "同仁堂大药房",
        "category": "pharmacy",
        "category_label": "医药",
    }
    assert drug["offer"]["rate_percent"] == 70 and drug["offer"]["rate"] == "7折"
    assert drug["offer"]["qualifies"] == "volunteer"
    assert drug["offer"]["usage_limit"] == {"count": None, "period": "unlimited"}
    assert drug["published_at"]
    clinic = by_title["每月免费中医义诊"]
    assert clinic["offer"] is None
    assert clinic["service"]["when"] == "每月第一个周六上午"
    only_service = client.get("/api/v1/commitments?kind=service").get_json()
    assert [i["title"] for i in only_service["items"]] == ["每月免费中医义诊"]
    searched = client.get("/api/v1/commitments?q=面包&card=alliance").get_json()
    assert [i["title"] for i in searched["items"]] == ["面包8.5折"]


@pytest.mark.parametrize(
    "query",
    [
        "kind=bogus",
        "card=gold",
        "page=0",
        "page=x",
        "per_page=1000",
        "q=" + "长" * 101,
        "colour=red",
    ],
)
def test_api_bad_parameters_are_400_json(client, story, query):
    response = client.get(f"/api/v1/commitments?{query}")
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"]["code"] == 400


def test_no_personal_data_on_public_pages_or_api(client, story, world):
    phone = "13800138000"
    world.users["merchant"].phone = phone
    db.session.commit()
    first = db.session.scalars(select(Commitment)).first()
    staff_name = world.users["merchant"].display_name
    for path in (
        "/commitments/",
        "/api/v1/commitments",
        f"/commitments/{first.id}",
        f"/commitments/{first.id}/history",
    ):
        text = client.get(path).get_data(as_text=True)
        assert phone not in text and staff_name not in text


def _populate(community, start, count):
    """`count` merchants with one published offer and one service each; bulk for speed."""
    now = datetime.now(UTC)
    merchants = [
        Merchant(
            community_id=community.id,
            number=start + i,
            name=f"商户{start + i}",
            category=("catering", "retail", "pharmacy")[i % 3],
        )
        for i in range(count)
    ]
    db.session.add_all(merchants)
    db.session.flush()
    for m in merchants:
        offer = Commitment(
            community_id=m.community_id,
            merchant=m,
            kind="integrity",
            title=f"{m.name}优惠",
            status="published",
            published_at=now,
            offer=Offer(rate_percent=85, qualifies="both"),
        )
        service = Commitment(
            community_id=m.community_id,
            merchant=m,
            kind="service",
            title=f"{m.name}服务",
            status="published",
            published_at=now,
            service=ServiceDetail(what="义诊", when_text="每周六"),
        )
        for c in (offer, service):
            refresh_search_text(c)
        db.session.add_all([offer, service])
    db.session.commit()


@pytest.mark.parametrize(
    "path",
    [
        "/commitments/",
        "/commitments/?card=volunteer&q=商户",
        "/api/v1/commitments",
        "/api/v1/commitments?per_page=100&kind=service",
    ],
)
def test_statement_count_does_not_grow_with_data(client, world, count_statements, path):
    _populate(world.a, 1, 10)
    client.get(path)  # warm up
    with count_statements() as small:
        assert client.get(path).status_code == 200
    _populate(world.a, 11, 490)
    with count_statements() as large:
        response = client.get(path)
    assert response.status_code == 200
    assert large.count == small.count, (small.statements, large.statements)


def test_suspended_members_commitments_leave_the_board_at_once(client, story, world):
    pharmacy = db.session.scalars(select(Merchant).where(Merchant.number == 2)).first()
    pharmacy.status = "suspended"
    db.session.commit()
    page = _text(client, "/commitments/")
    assert "药品7折" not in page and "共公示承诺 4 项" in page
    titles = [i["title"] for i in client.get("/api/v1/commitments").get_json()["items"]]
    assert "药品7折" not in titles
    drug = db.session.scalars(select(Commitment).where(Commitment.title == "药品7折")).one()
    assert "目前不适用" in _text(client, f"/commitments/{drug.id}")

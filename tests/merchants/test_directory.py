"""The public directory, member pages and GET /api/v1/merchants."""

import pytest

from alliance.commitments.models import CommitmentKind, CommitmentStatus
from alliance.extensions import db as _db
from alliance.merchants import status as merchant_status
from alliance.merchants.models import Merchant
from tests.commitments.factories import create_commitment
from tests.merchants.factories import make_member

PHONE = "13912345678"
LICENCE = "91140105MA0SECRET"


def bulk_members(community, n, estate=None, start=1, category="catering"):
    """n members with one published 8.5折 offer each, in one transaction."""
    for k in range(start, start + n):
        m = Merchant(
            community_id=community.id,
            number=k,
            name=f"批量商户{k}",
            category=category,
            estate_id=estate.id if estate else None,
            address=f"底商{k}号",
            contact_phone=PHONE,
            licence_no=LICENCE,
        )
        _db.session.add(m)
        _db.session.flush()
        create_commitment(m, kind=CommitmentKind.POINTS, title=f"持卡{k}号优惠", rate=85)
    _db.session.commit()


@pytest.fixture
def members(world):
    noodle = make_member(world.a, "明珠面馆", estate=world.estate_a, phone=PHONE, licence=LICENCE)
    bakery = make_member(world.a, "麦香烘焙", category="bakery", phone=PHONE, licence=LICENCE)
    pharmacy = make_member(
        world.b,
        "乙社区药房",
        category="pharmacy",
        estate=world.estate_b,
        phone=PHONE,
        licence=LICENCE,
    )
    create_commitment(noodle, kind=CommitmentKind.POINTS, title="持卡用餐6.8折", rate=68)
    create_commitment(noodle, kind=CommitmentKind.INTEGRITY, title="明码标价")
    create_commitment(
        noodle, kind=CommitmentKind.SERVICE, title="草稿承诺", status=CommitmentStatus.DRAFT
    )
    _db.session.commit()
    return {"noodle": noodle.id, "bakery": bakery.id, "pharmacy": pharmacy.id}


def test_directory_is_public_and_filterable(client, world, members):
    page = client.get("/merchants/").get_data(as_text=True)
    assert "明珠面馆" in page and "麦香烘焙" in page and "乙社区药房" in page
    assert "6.8折" in page and "草稿承诺" not in page
    page = client.get("/merchants/?q=面馆").get_data(as_text=True)
    assert "明珠面馆" in page and "麦香烘焙" not in page
    page = client.get("/merchants/?category=bakery").get_data(as_text=True)
    assert "麦香烘焙" in page and "明珠面馆" not in page
    page = client.get(f"/merchants/?estate={world.estate_a.id}").get_data(as_text=True)
    assert "明珠面馆" in page and "麦香烘焙" not in page
    page = client.get("/merchants/?community=BBB").get_data(as_text=True)
    assert "乙社区药房" in page and "明珠面馆" not in page
    # nonsense filters are ignored, not a 500
    for query in ("?category=x", "?estate=abc", "?community=ZZZ", "?page=-3", "?q=%25"):
        assert client.get("/merchants/" + query).status_code == 200


def test_the_kept_filter_form_shows_each_search_and_each_new_estate(client, world, members):
    """The filter form is kept per filter values and choices (alliance.fragments): another
    search, another selection and a new estate all show on the next page."""
    page = client.get("/merchants/?q=面馆").get_data(as_text=True)
    assert 'name="q" type="search" value="面馆"' in page
    page = client.get("/merchants/?q=烘焙&category=bakery").get_data(as_text=True)
    assert 'value="烘焙"' in page and '<option value="bakery" selected>' in page
    page = client.get(f"/merchants/?community=AAA&estate={world.estate_a.id}")
    assert f'<option value="{world.estate_a.id}" selected>' in page.get_data(as_text=True)
    from alliance.communities.models import Estate

    assert "甲二新村" not in client.get("/merchants/?community=AAA").get_data(as_text=True)
    _db.session.add(Estate(community_id=world.a.id, name="甲二新村"))
    _db.session.commit()
    assert "甲二新村" in client.get("/merchants/?community=AAA").get_data(as_text=True)


def test_directory_paginates(client, world):
    bulk_members(world.a, 45)
    first = client.get("/merchants/").get_data(as_text=True)
    assert "批量商户1<" in first and "批量商户21<" not in first and "1 / 3" in first
    third = client.get("/merchants/?page=3").get_data(as_text=True)
    assert "批量商户45<" in third
    # The total comes with the rows; a page past the end still knows it.
    assert "共 45 家" in first and "共 45 家" in third
    past = client.get("/merchants/?page=9").get_data(as_text=True)
    assert "共 45 家" in past and "批量商户" not in past


def test_directory_search_takes_wildcards_literally(client, world):
    make_member(world.a, "九五%折_小店", phone=PHONE, licence=LICENCE)
    make_member(world.a, "明珠面馆", phone=PHONE, licence=LICENCE)
    _db.session.commit()
    for q in ("%", "_", "%折_"):
        page = client.get("/merchants/", query_string={"q": q}).get_data(as_text=True)
        assert "九五%折_小店" in page and "明珠面馆" not in page, q
    page = client.get("/merchants/").get_data(as_text=True)
    assert "九五%折_小店" in page and "明珠面馆" in page


def test_directory_entries_follow_changes_and_language(client, world, members):
    """Entries are rendered once and reused: a renamed member, a new offer and another
    language must still show at once."""
    assert "明珠面馆" in client.get("/merchants/").get_data(as_text=True)
    noodle = _db.session.get(Merchant, members["noodle"])
    create_commitment(noodle, kind=CommitmentKind.SERVICE, title="免费加汤")
    _db.session.commit()
    assert "免费加汤" in client.get("/merchants/").get_data(as_text=True)
    noodle.name = "明珠老面馆"
    _db.session.commit()
    assert "明珠老面馆" in client.get("/merchants/").get_data(as_text=True)
    client.post("/language", data={"locale": "en"})
    page = client.get("/merchants/").get_data(as_text=True)
    assert "· Bakery ·" in page and "· 烘焙 ·" not in page
    assert "Alliance member no." in page


def test_member_page_shows_public_facts_and_commitments(client, members, world):
    page = client.get(f"/merchants/{members['noodle']}").get_data(as_text=True)
    assert "第1家联盟商户" in page and "餐饮" in page and "甲一小区" in page and "底商1号" in page
    assert "持卡用餐6.8折" in page and "明码标价" in page and "草稿承诺" not in page
    assert client.get("/merchants/999999").status_code == 404


def test_personal_data_is_not_public(client, members):
    pages = [
        client.get("/merchants/").get_data(as_text=True),
        client.get(f"/merchants/{members['noodle']}").get_data(as_text=True),
        client.get("/api/v1/merchants").get_data(as_text=True),
        client.get("/api/v1/merchants?q=面馆").get_data(as_text=True),
    ]
    for text in pages:
        assert PHONE not in text and "139****5678" not in text
        assert LICENCE not in text and "张店长" not in text


def test_suspended_member_is_hidden_and_its_offers_stop_applying(client, as_user, world, members):
    noodle = _db.session.get(Merchant, members["noodle"])
    merchant_status.change_status(noodle, world.users["secretary_a"], "suspend", "投诉核实中")
    _db.session.commit()
    assert "明珠面馆" not in client.get("/merchants/").get_data(as_text=True)
    page = client.get(f"/merchants/{members['noodle']}").get_data(as_text=True)
    assert "暂停" in page and "6.8折" not in page
    data = client.get("/api/v1/merchants?q=面馆").get_json()
    assert data["items"][0]["status"] == "suspended"
    assert data["items"][0]["commitments"] == []
    # the home page figure counts active members only
    home = as_user("resident").get("/").get_data(as_text=True)
    assert "联盟商户" in home


def test_api_lists_members_with_commitments(client, world, members):
    data = client.get("/api/v1/merchants?community=AAA").get_json()
    assert data["total"] == 2 and data["page"] == 1
    noodle = next(i for i in data["items"] if i["name"] == "明珠面馆")
    assert noodle["number"] == 1 and noodle["category"] == "catering"
    assert noodle["estate"] == "甲一小区" and noodle["community"] == "AAA"
    assert noodle["status"] == "active"
    kinds = {c["kind"]: c for c in noodle["commitments"]}
    assert kinds["points"]["rate_percent"] == 68 and kinds["points"]["title"] == "持卡用餐6.8折"
    assert "rate_percent" not in kinds["integrity"]
    assert len(noodle["commitments"]) == 2
    assert set(noodle) == {
        "id",
        "number",
        "name",
        "category",
        "estate",
        "community",
        "address",
        "status",
        "commitments",
    }
    assert client.get("/api/v1/merchants?category=bakery").get_json()["total"] == 1
    assert client.get(f"/api/v1/merchants?estate={world.estate_b.id}").get_json()["total"] == 1
    page2 = client.get("/api/v1/merchants?per_page=2&page=2").get_json()
    assert page2["pages"] == 2 and len(page2["items"]) == 1


def test_api_unknown_community_lists_nothing(client, world):
    # A community code the document allows but no community has: an empty page, not a 400
    # (schemathesis --checks all: a schema-valid filter must be accepted).
    body = client.get("/api/v1/merchants?community=NOPE").get_json()
    assert body["items"] == [] and body["total"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "community=" + "X" * 17,
        "category=casino",
        "estate=abc",
        "page=0",
        "per_page=1000",
        "status=gone",
        "q=" + "长" * 41,
        "colour=red",
    ],
)
def test_api_bad_parameters_are_400_json(client, world, query):
    response = client.get(f"/api/v1/merchants?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"]["code"] == 400 and body["error"]["detail"]


@pytest.mark.parametrize("path", ["/merchants/", "/api/v1/merchants"])
def test_statement_count_does_not_grow_with_members(client, world, count_statements, path):
    counts = []
    for size in (10, 490):
        bulk_members(world.a, size, estate=world.estate_a, start=len(counts) * 10 + 1)
        with count_statements() as counter:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts

"""Open311 GeoReport v2 conformance: every endpoint in JSON and XML, the errors, the POST."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from alliance.api import tokens as api_tokens
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.help_requests import services, workflow
from alliance.help_requests.models import HelpRequest
from tests.help_requests.factories import post_need

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


def xml(response):
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    body = response.get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(body)


def js(response):
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return response.get_json()


def assert_error(response, status, fmt="json", text=None):
    assert response.status_code == status
    if fmt == "json":
        body = js(response)
        assert isinstance(body, list) and body[0]["code"] == status
        assert set(body[0]) == {"code", "description"} and body[0]["description"]
        if text:
            assert text in body[0]["description"]
    else:
        root = xml(response)
        assert root.tag == "errors" and root.find("error/code").text == str(status)
        assert root.find("error/description").text


@pytest.fixture
def key(world, setup):
    _key, raw = api_tokens.issue_key(world.a, world.users["secretary_a"], "12345 热线")
    db.session.commit()
    return raw


def test_discovery_in_both_formats(client):
    body = js(client.get("/open311/v2/discovery.json"))
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert {"changeset", "contact", "key_service"} <= set(body)
    root = xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_list_and_definition(client, world, setup):
    services_ = js(client.get("/open311/v2/services.json?jurisdiction_id=AAA"))
    assert len(services_) == 10
    assert list(services_[0]) == SERVICE_FIELDS
    tax = next(s for s in services_ if s["service_code"] == "tax")
    assert tax["metadata"] is True and tax["type"] == "realtime"
    root = xml(client.get("/open311/v2/services.xml?jurisdiction_id=AAA"))
    assert root.tag == "services" and len(root.findall("service")) == 10
    assert root.find("service/metadata").text == "true"
    definition = js(client.get("/open311/v2/services/tax.json?jurisdiction_id=AAA"))
    assert definition["service_code"] == "tax"
    urgency = definition["attributes"][0]
    assert {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    } == set(urgency)
    assert urgency["datatype"] == "singlevaluelist"
    assert [v["key"] for v in urgency["values"]] == ["normal", "urgent", "emergency"]
    root = xml(client.get("/open311/v2/services/tax.xml?jurisdiction_id=AAA"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "normal"
    # A deactivated category is gone from both.
    setup.cat_a["tax"].active = False
    db.session.commit()
    assert_error(client.get("/open311/v2/services/tax.json?jurisdiction_id=AAA"), 404)
    assert len(js(client.get("/open311/v2/services.json?jurisdiction_id=AAA"))) == 9


def test_jurisdiction_errors(client, world, setup):
    assert_error(client.get("/open311/v2/services.json"), 400, text="jurisdiction_id")
    assert_error(client.get("/open311/v2/services.xml"), 400, "xml")
    assert_error(client.get("/open311/v2/services.json?jurisdiction_id=NOPE"), 404)
    assert_error(client.get("/open311/v2/requests.xml?jurisdiction_id=NOPE"), 404, "xml")
    assert_error(client.get("/open311/v2/services/nothing.json?jurisdiction_id=AAA"), 404)
    assert_error(client.get("/open311/v2/services.yaml?jurisdiction_id=AAA"), 404)


def test_one_community_needs_no_jurisdiction(client, db):
    from alliance.communities.models import Community, StreetOffice

    office = StreetOffice(code="X", name="某街道")
    db.session.add(office)
    db.session.flush()
    only = Community(code="ONE", name="唯一社区", street_office_id=office.id)
    db.session.add(only)
    db.session.flush()
    services.ensure_catalogue(only)
    db.session.commit()
    assert len(js(client.get("/open311/v2/services.json"))) == 10


def test_requests_get_in_both_formats_anonymised(client, world, setup):
    order = post_need(world, title="王秀英13912345678家漏水", code="repair")
    closed = post_need(world, title="已办结的需求")
    workflow.transition(closed, "cancel", world.users["resident"])
    db.session.commit()
    rows = js(client.get("/open311/v2/requests.json?jurisdiction_id=AAA"))
    assert [r["service_request_id"] for r in rows] == [closed.id, order.id]
    row = rows[1]
    assert list(row) == REQUEST_FIELDS
    assert row["status"] == "open" and rows[0]["status"] == "closed"
    assert row["service_code"] == "repair" and row["address"] == "甲一小区, 甲社区"
    assert "13912345678" not in str(rows) and "3号楼" not in str(rows)
    assert row["requested_datetime"].endswith("+08:00")
    root = xml(client.get("/open311/v2/requests.xml?jurisdiction_id=AAA"))
    assert root.tag == "service_requests" and len(root.findall("request")) == 2
    assert root.find("request/status").text == "closed"
    assert [e.tag for e in root.find("request")] == REQUEST_FIELDS
    # Filters.
    one = js(client.get("/open311/v2/requests.json?jurisdiction_id=AAA&status=open"))
    assert [r["service_request_id"] for r in one] == [order.id]
    one = js(client.get("/open311/v2/requests.json?jurisdiction_id=AAA&service_code=repair"))
    assert [r["service_request_id"] for r in one] == [order.id]
    one = js(
        client.get(
            f"/open311/v2/requests.json?jurisdiction_id=AAA"
            f"&service_request_id={order.id},{closed.id}&status=open"
        )
    )
    assert len(one) == 2  # service_request_id overrides the other arguments
    past = (utcnow() - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    earlier = (utcnow() - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ")
    none = js(
        client.get(
            f"/open311/v2/requests.json?jurisdiction_id=AAA&start_date={earlier}&end_date={past}"
        )
    )
    assert none == []
    # Single request and tokens.
    single = js(client.get(f"/open311/v2/requests/{order.id}.json?jurisdiction_id=AAA"))
    assert single[0]["service_request_id"] == order.id
    root = xml(client.get(f"/open311/v2/requests/{order.id}.xml?jurisdiction_id=AAA"))
    assert root.find("request/service_request_id").text == str(order.id)
    token = js(client.get(f"/open311/v2/tokens/{order.token}.json?jurisdiction_id=AAA"))
    assert token == [{"service_request_id": order.id, "token": order.token}]
    root = xml(client.get(f"/open311/v2/tokens/{order.token}.xml?jurisdiction_id=AAA"))
    assert root.find("request/token").text == order.token


def test_requests_get_errors(client, world, setup):
    order_b = post_need(world, "resident_b", community=world.b)
    base = "/open311/v2/requests.json?jurisdiction_id=AAA"
    assert_error(client.get(base + "&start_date=yesterday"), 400, text="start_date")
    assert_error(client.get(base + "&start_date=2026-01-01T00:00:00"), 400)  # no zone
    assert_error(
        client.get(base + "&start_date=2026-03-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"), 400
    )
    assert_error(
        client.get(base + "&start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"),
        400,
        text="90",
    )
    assert_error(client.get(base + "&status=pending"), 400)
    assert_error(client.get(base + "&service_request_id=abc"), 400)
    # Another community's request is not found under this jurisdiction.
    assert_error(client.get(f"/open311/v2/requests/{order_b.id}.json?jurisdiction_id=AAA"), 404)
    assert_error(
        client.get(f"/open311/v2/requests/{order_b.id}.xml?jurisdiction_id=AAA"), 404, "xml"
    )
    assert_error(client.get("/open311/v2/requests/abc.json?jurisdiction_id=AAA"), 404)
    assert_error(client.get(f"/open311/v2/tokens/{order_b.token}.json?jurisdiction_id=AAA"), 404)
    assert_error(client.get("/open311/v2/tokens/nope.xml?jurisdiction_id=AAA"), 404, "xml")


def test_post_a_request_with_a_secretary_key(client, world, setup, key):
    response = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "jurisdiction_id": "AAA",
            "service_code": "repair",
            "address_id": str(world.estate_a.id),
            "description": "路灯不亮了",
            "first_name": "明",
            "last_name": "王",
            "phone": "13900000002",
            "attribute[urgency]": "urgent",
            "attribute[building]": "5号楼",
        },
    )
    assert response.status_code == 200
    body = js(response)
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    order = db.session.get(HelpRequest, body[0]["service_request_id"])
    assert order.source == "open311" and order.urgency == "urgent" and order.requester_id is None
    assert order.contact_name == "王 明" and order.building == "5号楼"
    response = client.post(
        "/open311/v2/requests.xml",
        data={
            "api_key": key,
            "jurisdiction_id": "AAA",
            "service_code": "legal",
            "lat": "37.85",
            "long": "112.55",
            "description": "合同纠纷",
        },
    )
    root = xml(response)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text


def test_post_a_request_with_a_cards_api_token(client, world, setup):
    from alliance.api.tokens import create_token

    _token, raw = create_token(world.users["merchant"], setup.firm, "收银")
    db.session.commit()
    response = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": raw,
            "jurisdiction_id": "AAA",
            "service_code": "enterprise",
            "address_string": "诚信会计师事务所门口",
            "description": "想找合作伙伴",
        },
    )
    assert response.status_code == 200
    order = db.session.get(HelpRequest, js(response)[0]["service_request_id"])
    assert order.requester_id == world.users["merchant"].id


def test_post_errors_change_nothing(client, world, setup, key):
    def post(fmt="json", **data):
        base = {
            "api_key": key,
            "jurisdiction_id": "AAA",
            "service_code": "repair",
            "address_string": "甲一小区3号楼",
            "description": "漏水",
        }
        base.update(data)
        return client.post(
            f"/open311/v2/requests.{fmt}", data={k: v for k, v in base.items() if v is not None}
        )

    assert_error(post(api_key=None), 403)
    assert_error(post(api_key="wrong"), 403, text="api_key")
    assert_error(post("xml", api_key="wrong"), 403, "xml")
    assert_error(post(jurisdiction_id="BBB"), 403)  # A's key cannot post to B
    assert_error(post(service_code=None), 400, text="service_code")
    assert_error(post(service_code="nothing"), 404)
    assert_error(post(jurisdiction_id="NOPE"), 404)
    assert_error(post(address_string=None), 400)
    assert_error(post(address_string=None, lat="37.8"), 400)
    assert_error(post(lat="999", long="1"), 400)
    assert_error(post(address_id=str(world.estate_b.id)), 400)
    assert_error(post(description="x" * 4001), 400)
    assert_error(post(**{"attribute[urgency]": "panic"}), 400)
    assert_error(post(phone="123"), 400)
    api_tokens.revoke_key(api_tokens.key_for(key))
    db.session.commit()
    assert_error(post(), 403)
    assert db.session.scalar(select(func.count(HelpRequest.id))) == 0


def test_post_works_with_csrf_on(app, client, world, setup, key, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "jurisdiction_id": "AAA",
            "service_code": "repair",
            "address_string": "甲一小区",
            "description": "漏水",
        },
    )
    assert response.status_code == 200


def test_communities_api_lists_codes(client, world):
    body = client.get("/api/v1/communities").get_json()
    assert body == [
        {
            "code": "AAA",
            "name": "甲社区",
            "district": "",
            "street_office": {"code": "WC", "name": "坞城街道"},
        },
        {
            "code": "BBB",
            "name": "乙社区",
            "district": "",
            "street_office": {"code": "WC", "name": "坞城街道"},
        },
    ]


def test_requests_list_uses_a_fixed_number_of_statements(client, world, setup, count_statements):
    def count():
        with count_statements() as counter:
            assert client.get("/open311/v2/requests.xml?jurisdiction_id=AAA").status_code == 200
        return counter.count

    post_need(world)
    few = count()
    for i in range(12):
        post_need(world, title=f"需求{i}")
    assert count() == few


def test_openapi_documents_open311(client):
    doc = client.get("/api/openapi.json").get_json()
    assert "/open311/v2/requests.{fmt}" in doc["paths"]
    assert set(doc["paths"]["/open311/v2/requests.{fmt}"]) == {"get", "post"}
    assert "Open311ServiceRequest" in doc["components"]["schemas"]
    assert "/api/v1/communities" in doc["paths"]

"""Open311 GeoReport v2 at /open311/v2/, and the jurisdiction list at /api/v1/communities.

Follows http://wiki.open311.org/GeoReport_v2: every resource in .json and .xml, the spec's
field names, status open/closed, errors as a list of {code, description} with HTTP 400 (bad
request), 403 (missing or invalid api_key) and 404 (unknown jurisdiction, service or request).

jurisdiction_id is a community's public code; it may be left out only while one community
exists. Service requests are public: descriptions are trimmed titles with digits masked, and the
address is the estate and community only (no building, no names, no phone numbers).
"""

import json
from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import Element, SubElement, tostring

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from alliance import clock
from alliance.accounts.models import Role
from alliance.api import tokens as api_tokens
from alliance.api.openapi import api_schema
from alliance.communities.models import Community, Estate
from alliance.db_types import utcnow
from alliance.extensions import csrf, db, limiter
from alliance.help_requests import catalogue, errors, figures, intake
from alliance.help_requests.models import (
    OPEN_STATES,
    URGENCY_LABELS,
    ContactMethod,
    HelpRequest,
    ServiceCategory,
    State,
    Urgency,
)
from alliance.help_requests.photos import PhotoError
from alliance.inputs import parse_id

bp = Blueprint("open311", __name__)

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-05-01T00:00:00+08:00"
FORMATS = ("json", "xml")
MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
# Filters beyond these years are typing mistakes (and year 1 − 90 days overflows datetime).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2200
CLOSED_STATES = tuple(s for s in State if s not in OPEN_STATES)

# XML element names for the items of each list (the spec's singular forms).
XML_ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "service_requests": "request",
}


# --- documentation schemas ------------------------------------------------------------------


@api_schema("Open311Error")
class Open311ErrorSchema(Schema):
    code = fields.Integer(required=True)
    description = fields.String(required=True)


@api_schema("Open311Service")
class Open311ServiceSchema(Schema):
    service_code = fields.String(required=True)
    service_name = fields.String(required=True)
    description = fields.String()
    metadata = fields.Boolean()
    type = fields.String(metadata={"enum": ["realtime", "batch", "blackbox"]})
    keywords = fields.String()
    group = fields.String()


class Open311ValueSchema(Schema):
    key = fields.String()
    name = fields.String()


@api_schema("Open311Attribute")
class Open311AttributeSchema(Schema):
    variable = fields.Boolean()
    code = fields.String()
    datatype = fields.String()
    required = fields.Boolean()
    datatype_description = fields.String(allow_none=True)
    order = fields.Integer()
    description = fields.String()
    values = fields.List(fields.Nested(Open311ValueSchema))


@api_schema("Open311ServiceDefinition")
class Open311DefinitionSchema(Schema):
    service_code = fields.String()
    attributes = fields.List(fields.Nested(Open311AttributeSchema))


@api_schema("Open311ServiceRequest")
class Open311RequestSchema(Schema):
    service_request_id = fields.Integer()
    status = fields.String(metadata={"enum": ["open", "closed"]})
    status_notes = fields.String(allow_none=True)
    service_name = fields.String()
    service_code = fields.String()
    description = fields.String(allow_none=True)
    agency_responsible = fields.String(allow_none=True)
    service_notice = fields.String(allow_none=True)
    requested_datetime = fields.String()
    updated_datetime = fields.String()
    expected_datetime = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    address_id = fields.String(allow_none=True)
    zipcode = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    long = fields.Float(allow_none=True)
    media_url = fields.String(allow_none=True)


@api_schema("Open311CreatedRequest")
class Open311CreatedSchema(Schema):
    service_request_id = fields.Integer()
    service_notice = fields.String(allow_none=True)
    account_id = fields.String(allow_none=True)


@api_schema("Open311Token")
class Open311TokenSchema(Schema):
    service_request_id = fields.Integer()
    token = fields.String()


@api_schema("CommunityPublic")
class CommunitySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    district = fields.String()
    street_office = fields.Dict()


# --- rendering ------------------------------------------------------------------------------


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def _fmt() -> str:
    fmt = (request.view_args or {}).get("fmt", "json")
    return fmt if fmt in FORMATS else "json"


def _xml_value(parent: Element, tag: str, value) -> None:
    node = SubElement(parent, tag)
    if isinstance(value, list):
        item_tag = XML_ITEMS.get(tag, "item")
        for item in value:
            _xml_value(node, item_tag, item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(node, key, inner)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def render(root: str, payload, status: int = 200) -> Response:
    """JSON as the spec's Spark convention maps it; XML with the root element named `root`."""
    if _fmt() == "xml":
        top = Element(root)
        if isinstance(payload, list):
            for item in payload:
                _xml_value(top, XML_ITEMS.get(root, "item"), item)
        else:
            for key, value in payload.items():
                _xml_value(top, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(
            top, encoding="utf-8", xml_declaration=False
        )
        return Response(body, status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps(payload, ensure_ascii=False)
    return Response(body, status=status, content_type="application/json; charset=utf-8")


def _errors(status: int, description: str) -> Response:
    return render("errors", [{"code": status, "description": description}], status)


@bp.errorhandler(Open311Error)
def open311_error(exc: Open311Error):
    db.session.rollback()
    return _errors(exc.status, exc.description)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    db.session.rollback()
    status = exc.code or 400
    descriptions = {
        404: _("找不到这个资源。"),
        405: _("不支持这种请求方法。"),
        413: _("请求内容太大了。"),
        429: _("请求太频繁了，请稍后再试。"),
    }
    response = _errors(status, descriptions.get(status, _("请求有误。")))
    for name, value in exc.get_headers():
        if name.lower() in ("allow", "retry-after"):
            response.headers[name] = value
    return response


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Open311Error(404, _("不支持的格式：请用 .json 或 .xml。"))


def _jurisdiction() -> Community:
    code = (request.values.get("jurisdiction_id") or "").strip()
    if not code:
        only = db.session.scalars(select(Community).order_by(Community.id).limit(2)).all()
        if len(only) == 1:
            return only[0]
        raise Open311Error(400, _("缺少 jurisdiction_id（社区编码，见 /api/v1/communities）。"))
    community = db.session.scalars(
        select(Community)
        .where(Community.code == code.upper())
        .options(joinedload(Community.street_office))
    ).first()
    if community is None:
        raise Open311Error(404, _("找不到 jurisdiction_id「%(code)s」。", code=code[:40]))
    return community


def w3(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(clock.LOCAL_TZ).isoformat(timespec="seconds")


def _service(category: ServiceCategory) -> dict:
    return Open311ServiceSchema().dump(
        {
            "service_code": category.code,
            "service_name": category.name,
            "description": category.description or category.name,
            "metadata": True,
            "type": "realtime",
            "keywords": category.keywords,
            "group": category.group,
        }
    )


def _request_row(order: HelpRequest) -> dict:
    closed = order.state in CLOSED_STATES
    place = ", ".join(
        p for p in (order.estate.name if order.estate else "", order.community.name) if p
    )
    return {
        "service_request_id": order.id,
        "status": "closed" if closed else "open",
        "status_notes": order.state_label,
        "service_name": order.category.name,
        "service_code": order.category.code,
        "description": figures.public_summary(order) or order.category.name,
        "agency_responsible": order.public_provider_name or order.community.name,
        "service_notice": None,
        "requested_datetime": w3(order.submitted_at),
        "updated_datetime": w3(order.updated_at),
        "expected_datetime": None if closed else w3(order.due_at),
        "address": place,
        "address_id": str(order.estate_id) if order.estate_id else None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _request_query(community: Community):
    return (
        select(HelpRequest)
        .where(HelpRequest.community_id == community.id)
        .options(
            joinedload(HelpRequest.category),
            joinedload(HelpRequest.estate),
            joinedload(HelpRequest.community),
            joinedload(HelpRequest.provider_merchant),
            joinedload(HelpRequest.provider_volunteer),
            joinedload(HelpRequest.provider_unit),
        )
    )


FMT_PARAM = """
      - name: fmt
        in: path
        required: true
        description: response format
        schema: {type: string, enum: [json, xml]}"""
JURISDICTION_PARAM = """
      - name: jurisdiction_id
        in: query
        required: true
        description: "community code (see /api/v1/communities); may be left out only while the
          platform has a single community"
        schema: {type: string, minLength: 1, maxLength: 16, pattern: "^[A-Za-z0-9_-]+$"}"""


def _doc(text: str) -> str:
    return text.replace("{FMT}", FMT_PARAM).replace("{JURISDICTION}", JURISDICTION_PARAM)


# --- endpoints ------------------------------------------------------------------------------


@bp.get("/open311/v2/discovery.<fmt>")
def discovery(fmt: str):
    _check_format(fmt)
    return render(
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": _("请联系所在社区党支部（社区书记）。"),
            "key_service": _(
                "API 密钥由社区书记在「API 密钥」页面签发；持卡人也可使用共富联盟卡 API 令牌。"
            ),
            "endpoints": [
                {
                    "specification": SPEC_URL,
                    "url": url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[
                        0
                    ],
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


discovery.__doc__ = _doc("""Open311 service discovery.
---
get:
  tags: [open311]
  parameters:{FMT}
  responses:
    "200": {description: discovery document (changeset, contact, key_service, endpoints)}
    "404": {description: unknown format, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Open311Error"}}}}}
""")


@bp.get("/open311/v2/services.<fmt>")
def service_list(fmt: str):
    _check_format(fmt)
    community = _jurisdiction()
    return render("services", [_service(c) for c in catalogue.categories_of(community.id)])


service_list.__doc__ = _doc("""GET Service List: the community's active service categories.
---
get:
  tags: [open311]
  parameters:{FMT}{JURISDICTION}
  responses:
    "200":
      description: services
      content:
        application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Open311Service"}}}
    "400": {description: jurisdiction_id missing while several communities exist}
    "404": {description: jurisdiction_id not found}
""")


def _attributes(community: Community) -> list[dict]:
    estates = db.session.scalars(
        select(Estate).where(Estate.community_id == community.id).order_by(Estate.id)
    ).all()
    return [
        {
            "variable": True,
            "code": "urgency",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("默认：一般"),
            "order": 1,
            "description": _("紧急程度"),
            "values": [{"key": u.value, "name": str(URGENCY_LABELS[u])} for u in Urgency],
        },
        {
            "variable": True,
            "code": "estate",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 2,
            "description": _("所在小区（也可用 address_id）"),
            "values": [{"key": str(e.id), "name": e.name} for e in estates],
        },
        {
            "variable": True,
            "code": "building",
            "datatype": "string",
            "required": False,
            "datatype_description": _("例如：3号楼2单元"),
            "order": 3,
            "description": _("楼栋和单元"),
            "values": [],
        },
        {
            "variable": True,
            "code": "title",
            "datatype": "string",
            "required": False,
            "datatype_description": _("最多 80 字；不填则取描述的开头"),
            "order": 4,
            "description": _("一句话说明需求"),
            "values": [],
        },
    ]


@bp.get("/open311/v2/services/<service_code>.<fmt>")
def service_definition(service_code: str, fmt: str):
    _check_format(fmt)
    community = _jurisdiction()
    category = db.session.scalars(
        select(ServiceCategory).where(
            ServiceCategory.community_id == community.id,
            ServiceCategory.code == service_code,
            ServiceCategory.active,
        )
    ).first()
    if category is None:
        raise Open311Error(404, _("找不到 service_code「%(code)s」。", code=service_code[:40]))
    payload = Open311DefinitionSchema().dump(
        {"service_code": category.code, "attributes": _attributes(community)}
    )
    return render("service_definition", payload)


service_definition.__doc__ = _doc("""GET Service Definition: the attributes a request may carry.
---
get:
  tags: [open311]
  parameters:{FMT}{JURISDICTION}
  responses:
    "200":
      description: service definition
      content:
        application/json: {schema: {$ref: "#/components/schemas/Open311ServiceDefinition"}}
    "400": {description: jurisdiction_id missing while several communities exist}
    "404": {description: service_code or jurisdiction_id not found}
""")


def _parse_w3(name: str) -> datetime | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise ValueError(moment.year)
    except ValueError:
        raise Open311Error(
            400, _("%(name)s 须为 W3C 日期时间，例如 2026-05-01T00:00:00Z。", name=name)
        ) from None
    if moment.tzinfo is None:
        raise Open311Error(400, _("%(name)s 须带时区，例如 2026-05-01T00:00:00+08:00。", name=name))
    return moment.astimezone(UTC)


def _csv(name: str) -> list[str]:
    return [p.strip() for p in (request.args.get(name) or "").split(",") if p.strip()]


def _find_requests(community: Community) -> list[HelpRequest]:
    stmt = _request_query(community)
    ids = _csv("service_request_id")
    if ids:
        wanted = [parse_id(i) for i in ids]
        if None in wanted or len(ids) > MAX_RESULTS:
            raise Open311Error(400, _("service_request_id 须为逗号分隔的编号。"))
        stmt = stmt.where(HelpRequest.id.in_(wanted))
        return list(db.session.scalars(stmt.order_by(HelpRequest.id)).unique())
    start, end = _parse_w3("start_date"), _parse_w3("end_date")
    if start and end and end < start:
        raise Open311Error(400, _("end_date 不能早于 start_date。"))
    if start and end and end - start > MAX_SPAN:
        raise Open311Error(400, _("start_date 到 end_date 不能超过 90 天。"))
    if start is None and end is None:
        end = utcnow()
        start = end - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    stmt = stmt.where(HelpRequest.submitted_at >= start, HelpRequest.submitted_at <= end)
    codes = _csv("service_code")
    if codes:
        stmt = stmt.join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id).where(
            ServiceCategory.code.in_(codes)
        )
    statuses = {s.lower() for s in _csv("status")}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status 只能是 open 或 closed。"))
    if statuses == {"open"}:
        stmt = stmt.where(HelpRequest.state.in_(OPEN_STATES))
    elif statuses == {"closed"}:
        stmt = stmt.where(HelpRequest.state.in_(CLOSED_STATES))
    stmt = stmt.order_by(HelpRequest.submitted_at.desc(), HelpRequest.id.desc()).limit(MAX_RESULTS)
    return list(db.session.scalars(stmt).unique())


def _authenticated_poster(community: Community):
    """(key, user) for the api_key: a secretary-issued key or a cards API token; else 403."""
    raw = (request.form.get("api_key") or request.args.get("api_key") or "").strip()
    if not raw:
        raise Open311Error(403, _("缺少 api_key，无法提交。"))
    key = api_tokens.key_for(raw)
    if key is not None:
        if key.community_id != community.id:
            raise Open311Error(403, _("这个 api_key 不能向该社区提交。"))
        key.last_used_at = utcnow()
        return key, None
    user = api_tokens.user_for_token(raw)
    if user is None or not user.is_active:
        raise Open311Error(403, _("api_key 无效，无法提交。"))
    in_office = (
        user.has_role(Role.STREET_OFFICER) and user.street_office_id == community.street_office_id
    )
    if user.community_id != community.id and not in_office:
        raise Open311Error(403, _("这个 api_key 不能向该社区提交。"))
    return None, user


def _float(name: str, low: float, high: float) -> float | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, _("%(name)s 须为数字。", name=name)) from None
    if not low <= value <= high:
        raise Open311Error(400, _("%(name)s 超出范围。", name=name))
    return value


def _create_request(community: Community) -> Response:
    key, user = _authenticated_poster(community)
    code = (request.form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code。"))
    category = db.session.scalars(
        select(ServiceCategory).where(
            ServiceCategory.community_id == community.id,
            ServiceCategory.code == code,
            ServiceCategory.active,
        )
    ).first()
    if category is None:
        raise Open311Error(404, _("找不到 service_code「%(code)s」。", code=code[:40]))
    lat, lon = _float("lat", -90, 90), _float("long", -180, 180)
    address = (request.form.get("address_string") or "").strip()
    address_id = (request.form.get("address_id") or "").strip()
    estate_raw = (request.form.get("attribute[estate]") or "").strip() or address_id
    if (lat is None) != (lon is None):
        raise Open311Error(400, _("lat 和 long 须同时提供。"))
    if lat is None and not address and not estate_raw:
        raise Open311Error(400, _("缺少地点：请提供 lat 和 long、address_string 或 address_id。"))
    estate_id = None
    if estate_raw:
        estate_key = parse_id(estate_raw)
        estate = db.session.get(Estate, estate_key) if estate_key else None
        if estate is None or estate.community_id != community.id:
            raise Open311Error(400, _("address_id 不是本社区的小区编号。"))
        estate_id = estate.id
    if lat is not None:
        address = f"{address} ({lat:.6f},{lon:.6f})".strip()
    description = (request.form.get("description") or "").strip()
    if len(description) > 4000:
        raise Open311Error(400, _("description 不能超过 4000 字。"))
    title = (
        (request.form.get("attribute[title]") or "").strip() or description[:30] or category.name
    )
    urgency = (request.form.get("attribute[urgency]") or Urgency.NORMAL).strip()
    if urgency not in set(Urgency):
        raise Open311Error(400, _("attribute[urgency] 只能是 normal、urgent 或 emergency。"))
    phone = (request.form.get("phone") or "").strip()
    name = " ".join(
        p
        for p in (
            (request.form.get("last_name") or "").strip(),
            (request.form.get("first_name") or "").strip(),
        )
        if p
    )
    data = intake.RequestInput(
        category_id=category.id,
        title=title[:80],
        description=description,
        estate_id=estate_id,
        building=(request.form.get("attribute[building]") or "")[:60],
        address_text=address[:200],
        urgency=urgency,
        contact_method=ContactMethod.PHONE
        if phone or (user and user.phone)
        else ContactMethod.INBOX,
        contact_name=name[:40] or (user.display_name if user else ""),
        contact_phone=phone,
        contact_email=(request.form.get("email") or "")[:120],
    )
    try:
        order = intake.submit_request(community, user, data, source="open311", api_key=key)
    except (errors.HelpRequestError, PhotoError) as exc:
        raise Open311Error(400, str(exc.message)) from exc
    db.session.commit()
    notice = _("社区将在 %(hours)d 小时内派单。", hours=category.limit_hours(urgency))
    return render(
        "service_requests",
        [
            Open311CreatedSchema().dump(
                {
                    "service_request_id": order.id,
                    "service_notice": notice,
                    "account_id": str(user.id) if user else None,
                }
            )
        ],
    )


@bp.route("/open311/v2/requests.<fmt>", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def request_list(fmt: str):
    _check_format(fmt)
    community = _jurisdiction()
    if request.method == "POST":
        return _create_request(community)
    return render("service_requests", [_request_row(o) for o in _find_requests(community)])


csrf.exempt(request_list)

request_list.__doc__ = _doc("""GET Service Requests (public, anonymised) or POST a Service Request (api_key).
---
get:
  tags: [open311]
  parameters:{FMT}{JURISDICTION}
      - {name: service_request_id, in: query, description: comma-separated ids; overrides the rest, schema: {type: string}}
      - {name: service_code, in: query, description: comma-separated codes, schema: {type: string}}
      - {name: start_date, in: query, description: "W3C datetime with zone, e.g. 2026-05-01T00:00:00Z", schema: {type: string}}
      - {name: end_date, in: query, description: "W3C datetime with zone; at most 90 days after start_date", schema: {type: string}}
      - {name: status, in: query, description: "open, closed or both (comma-separated)", schema: {type: string}}
  responses:
    "200":
      description: service requests (at most 1000, default the last 90 days)
      content:
        application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Open311ServiceRequest"}}}
    "400": {description: bad dates, status or ids}
    "404": {description: jurisdiction_id not found}
post:
  tags: [open311]
  parameters:{FMT}
  requestBody:
    required: true
    content:
      application/x-www-form-urlencoded:
        schema:
          type: object
          required: [api_key, service_code, jurisdiction_id]
          properties:
            api_key: {type: string, description: key issued by a secretary, or a cards API token}
            jurisdiction_id: {type: string, minLength: 1, maxLength: 16, pattern: "^[A-Za-z0-9_-]+$"}
            service_code: {type: string}
            lat: {type: number}
            long: {type: number}
            address_string: {type: string}
            address_id: {type: string, description: estate id (see the estate attribute)}
            email: {type: string}
            first_name: {type: string}
            last_name: {type: string}
            phone: {type: string}
            description: {type: string, maxLength: 4000}
            "attribute[urgency]": {type: string, enum: [normal, urgent, emergency]}
            "attribute[building]": {type: string}
            "attribute[title]": {type: string}
  responses:
    "200":
      description: the created request
      content:
        application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Open311CreatedRequest"}}}
    "400": {description: missing service_code or location, bad input}
    "403": {description: missing or invalid api_key}
    "404": {description: service_code or jurisdiction_id not found}
""")


@bp.get("/open311/v2/requests/<service_request_id>.<fmt>")
def request_detail(service_request_id: str, fmt: str):
    _check_format(fmt)
    community = _jurisdiction()
    order = None
    wanted = parse_id(service_request_id)
    if wanted is not None:
        order = (
            db.session.scalars(_request_query(community).where(HelpRequest.id == wanted))
            .unique()
            .first()
        )
    if order is None:
        raise Open311Error(
            404, _("找不到 service_request_id「%(id)s」。", id=service_request_id[:40])
        )
    return render("service_requests", [_request_row(order)])


request_detail.__doc__ = _doc("""GET Service Request: one request's current status.
---
get:
  tags: [open311]
  parameters:{FMT}{JURISDICTION}
  responses:
    "200":
      description: a list holding the request
      content:
        application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Open311ServiceRequest"}}}
    "400": {description: jurisdiction_id missing while several communities exist}
    "404": {description: service_request_id or jurisdiction_id not found}
""")


@bp.get("/open311/v2/tokens/<token>.<fmt>")
def token_detail(token: str, fmt: str):
    _check_format(fmt)
    community = _jurisdiction()
    order_id = db.session.scalar(
        select(HelpRequest.id).where(
            HelpRequest.community_id == community.id, HelpRequest.token == token[:64]
        )
    )
    if order_id is None:
        raise Open311Error(404, _("找不到这个 token。"))
    return render(
        "service_requests",
        [Open311TokenSchema().dump({"service_request_id": order_id, "token": token})],
    )


token_detail.__doc__ = _doc("""GET service_request_id from a token.
---
get:
  tags: [open311]
  parameters:{FMT}{JURISDICTION}
  responses:
    "200":
      description: the request id for the token
      content:
        application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Open311Token"}}}
    "400": {description: jurisdiction_id missing while several communities exist}
    "404": {description: token or jurisdiction_id not found}
""")


@bp.get("/api/v1/communities")
def communities():
    """Communities and their public codes (the Open311 jurisdiction_id).
    ---
    get:
      tags: [communities]
      responses:
        "200":
          description: every community
          content:
            application/json: {schema: {type: array, items: {$ref: "#/components/schemas/CommunityPublic"}}}
    """
    rows = db.session.scalars(
        select(Community).options(joinedload(Community.street_office)).order_by(Community.id)
    ).all()
    payload = CommunitySchema(many=True).dump(
        [
            {
                "code": c.code,
                "name": c.name,
                "district": c.district,
                "street_office": {"code": c.street_office.code, "name": c.street_office.name},
            }
            for c in rows
        ]
    )
    return Response(
        json.dumps(payload, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )

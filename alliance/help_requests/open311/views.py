"""Open311 GeoReport v2 at /open311/v2/, and the jurisdiction list at /api/v1/communities.

Follows http://wiki.open311.org/GeoReport_v2: every resource in .json and .xml, the spec's
field names, status open/closed, errors as a list of {code, description} with HTTP 400 (bad
request), 403 (missing or invalid api_key) and 404 (unknown jurisdiction, service or request).

jurisdiction_id is a community's public code; it may be left out only while one community
exists. Service requests are public: descriptions are trimmed titles with digits masked, and the
address is the estate and community only (no building, no names, no phone numbers).
"""

import json

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from alliance.communities.models import Community, Estate
from alliance.extensions import csrf, db, limiter
from alliance.help_requests import catalogue
from alliance.help_requests.models import URGENCY_LABELS, HelpRequest, ServiceCategory, Urgency
from alliance.help_requests.open311.posting import create_request
from alliance.help_requests.open311.rendering import (
    Open311Error,
    check_format,
    doc,
    error_response,
    jurisdiction,
    render,
)
from alliance.help_requests.open311.schemas import (
    CommunitySchema,
    Open311DefinitionSchema,
    Open311TokenSchema,
)
from alliance.help_requests.open311.search import (
    find_requests,
    request_query,
    request_row,
    service,
)
from alliance.inputs import parse_id

bp = Blueprint("open311", __name__)

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-05-01T00:00:00+08:00"


@bp.errorhandler(Open311Error)
def open311_error(exc: Open311Error):
    db.session.rollback()
    return error_response(exc.status, exc.description)


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
    response = error_response(status, descriptions.get(status, _("请求有误。")))
    for name, value in exc.get_headers():
        if name.lower() in ("allow", "retry-after"):
            response.headers[name] = value
    return response


# --- endpoints ------------------------------------------------------------------------------


@bp.get("/open311/v2/discovery.<fmt>")
def discovery(fmt: str):
    check_format(fmt)
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


discovery.__doc__ = doc("""Open311 service discovery.
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
    check_format(fmt)
    community = jurisdiction()
    return render("services", [service(c) for c in catalogue.categories_of(community.id)])


service_list.__doc__ = doc("""GET Service List: the community's active service categories.
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
    check_format(fmt)
    community = jurisdiction()
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


service_definition.__doc__ = doc("""GET Service Definition: the attributes a request may carry.
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


@bp.route("/open311/v2/requests.<fmt>", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def request_list(fmt: str):
    check_format(fmt)
    community = jurisdiction()
    if request.method == "POST":
        return create_request(community)
    return render("service_requests", [request_row(o) for o in find_requests(community)])


csrf.exempt(request_list)

request_list.__doc__ = doc("""GET Service Requests (public, anonymised) or POST a Service Request (api_key).
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
    check_format(fmt)
    community = jurisdiction()
    order = None
    wanted = parse_id(service_request_id)
    if wanted is not None:
        order = (
            db.session.scalars(request_query(community).where(HelpRequest.id == wanted))
            .unique()
            .first()
        )
    if order is None:
        raise Open311Error(
            404, _("找不到 service_request_id「%(id)s」。", id=service_request_id[:40])
        )
    return render("service_requests", [request_row(order)])


request_detail.__doc__ = doc("""GET Service Request: one request's current status.
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
    check_format(fmt)
    community = jurisdiction()
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


token_detail.__doc__ = doc("""GET service_request_id from a token.
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

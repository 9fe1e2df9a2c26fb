"""GET /api/v1/emergencies: emergency responses, public and read-only; no personal data.

Only what an official response notice says in public: where (community or street office code),
what kind, which level, whether it is a drill, when it started and ended. No reasons, no names.
"""

from decimal import Decimal
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, abort, request, url_for
from marshmallow import Schema, fields
from sqlalchemy.orm import joinedload

from alliance.api.openapi import api_schema
from alliance.api_support import paginated
from alliance.db_types import utcnow
from alliance.emergency import alerts, cap, report, services
from alliance.emergency.alert_models import EmergencyAlert
from alliance.emergency.models import LEVELS, EmergencyResponse, Kind, Scope
from alliance.extensions import db

bp = Blueprint("emergency_api", __name__)

KNOWN_ARGS = {"page", "per_page", "active"}


@api_schema("EmergencyPublic")
class EmergencySchema(Schema):
    id = fields.Integer(required=True)
    scope = fields.String(required=True, metadata={"enum": [s.value for s in Scope]})
    code = fields.String(required=True, metadata={"description": "community or street office code"})
    kind = fields.String(required=True, metadata={"enum": [k.value for k in Kind]})
    level = fields.String(
        required=True, metadata={"enum": list(LEVELS), "description": "IV lowest, I highest"}
    )
    drill = fields.Boolean(required=True)
    started_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(allow_none=True)


@bp.get("/api/v1/emergencies")
def emergencies():
    """Emergency responses (应急响应), newest first; `active=1` lists only the running ones.
    ---
    get:
      tags: [emergency]
      parameters:
        - {name: active, in: query, description: "1: only running responses",
           schema: {type: string, enum: ["0", "1"]}}
        - {name: page, in: query, schema: {type: integer, minimum: 1, maximum: 1000000}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200:
          description: "A page: {items: [EmergencyPublic], page, per_page, total, pages}"
        400:
          $ref: "#/components/responses/Error"
    """
    unknown = set(request.args) - KNOWN_ARGS
    if unknown:
        abort(400, description=f"unknown parameter(s): {', '.join(sorted(unknown))}")
    active = request.args.get("active", "")
    if active not in ("", "0", "1"):
        abort(400, description="'active' must be 0 or 1")
    stmt = services.public_query(active_only=active == "1")
    return paginated(stmt, lambda rows: [services.public_row(r) for r in rows])


@api_schema("EmergencyReport")
class EmergencyReportSchema(Schema):
    id = fields.Integer(required=True)
    drill = fields.Boolean(required=True)
    turnouts = fields.Integer(required=True, metadata={"description": "出动人次: arrivals"})
    hazards_checked = fields.Integer(required=True)
    hazards_found = fields.Integer(required=True)
    hazards_closed = fields.Integer(required=True, metadata={"description": "销号"})
    households_visited = fields.Integer(required=True)
    people_moved = fields.Integer(required=True)
    people_in_shelters = fields.Integer(required=True)
    people_returned = fields.Integer(required=True)
    good_deeds = fields.Integer(required=True, metadata={"description": "help requests resolved"})
    supplies_issued = fields.Dict(
        keys=fields.String(),
        values=fields.Float(),
        required=True,
        metadata={
            "description": "net issued per item name, in the item's unit: a whole number for "
            "pieces, a number with up to two decimals for m³ (砂石料 2.5)"
        },
    )


@bp.get("/api/v1/emergencies/<int:emergency_id>/report")
def emergency_report(emergency_id: int):
    """The figures of one response for reporting up, counted from the records.
    ---
    get:
      tags: [emergency]
      responses:
        200:
          content:
            application/json: {schema: EmergencyReport}
          description: "Aggregates only: no names, no households"
        404:
          $ref: "#/components/responses/Error"
    """
    response = db.session.get(EmergencyResponse, emergency_id)
    if response is None:
        abort(404)
    figures = report.figures(response)
    # Volumes come as Decimal (2.5 m³); JSON numbers, never strings, as the schema says.
    figures["supplies_issued"] = {
        name: float(n) if isinstance(n, Decimal) else n
        for name, n in figures["supplies_issued"].items()
    }
    return {"id": response.id, "drill": response.drill, **figures}


def _alert_row(alert) -> dict:
    return {
        "id": alert.id,
        "identifier": alerts.identifier_of(alert, alert.community),
        "headline": alerts.title_of(alert),
        "severity": alert.severity,
        "sent": cap.cap_datetime(alert.sent_at),
        "expires": cap.cap_datetime(alert.expires_at) if alert.expires_at else None,
        "cap_url": url_for("emergency_api.alert_cap", alert_id=alert.id, _external=True),
    }


@api_schema("AlertPublic")
class AlertSchema(Schema):
    id = fields.Integer(required=True)
    identifier = fields.String(required=True)
    headline = fields.String(required=True, metadata={"description": "drills start with 【演练】"})
    severity = fields.String(
        required=True, metadata={"enum": ["Extreme", "Severe", "Moderate", "Minor", "Unknown"]}
    )
    sent = fields.String(required=True, metadata={"description": "CAP dateTime, +08:00"})
    expires = fields.String(allow_none=True)
    cap_url = fields.String(required=True)


def _relayed():
    return alerts.relayed_query().options(joinedload(EmergencyAlert.community))


@bp.get("/api/v1/alerts")
def alerts_index():
    """Published warnings (预警), newest first; each links its CAP 1.2 document.
    ---
    get:
      tags: [emergency]
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1, maximum: 1000000}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200:
          description: "A page: {items: [AlertPublic], page, per_page, total, pages}"
        400:
          $ref: "#/components/responses/Error"
    """
    unknown = set(request.args) - {"page", "per_page"}
    if unknown:
        abort(400, description=f"unknown parameter(s): {', '.join(sorted(unknown))}")
    return paginated(_relayed(), lambda rows: [_alert_row(a) for a in rows])


@bp.get("/api/v1/alerts/<int:alert_id>.cap")
def alert_cap(alert_id: int):
    """One published warning as an OASIS CAP 1.2 document (application/cap+xml).
    ---
    get:
      tags: [emergency]
      responses:
        200:
          description: "The CAP 1.2 alert; an imported warning names the official one in
            `references`; a drill has status Exercise."
          content:
            application/cap+xml: {schema: {type: string}}
        404:
          $ref: "#/components/responses/Error"
    """
    alert = db.session.scalars(_relayed().where(EmergencyAlert.id == alert_id)).first()
    if alert is None:
        abort(404)
    return Response(cap.build_alert(alerts.outgoing(alert)), mimetype=cap.MEDIA_TYPE)


ATOM = "http://www.w3.org/2005/Atom"


@bp.get("/api/v1/alerts.atom")
def alerts_atom():
    """The published warnings as an Atom feed, each entry linking its CAP 1.2 document.
    ---
    get:
      tags: [emergency]
      responses:
        200:
          description: "Atom 1.0 feed of the latest 50 warnings"
          content:
            application/atom+xml: {schema: {type: string}}
    """
    rows = db.session.scalars(_relayed().limit(50)).all()
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent, name, text=None, **attrs):
        node = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
        if text is not None:
            node.text = text
        return node

    self_url = url_for("emergency_api.alerts_atom", _external=True)
    add(feed, "id", self_url)
    add(feed, "title", "共富联盟 预警")
    add(feed, "updated", cap.cap_datetime(rows[0].sent_at if rows else utcnow()))
    add(feed, "link", rel="self", href=self_url)
    author = add(feed, "author")
    add(author, "name", "共富联盟")
    for alert in rows:
        entry = add(feed, "entry")
        cap_url = url_for("emergency_api.alert_cap", alert_id=alert.id, _external=True)
        add(entry, "id", cap_url)
        add(entry, "title", alerts.title_of(alert))
        add(entry, "updated", cap.cap_datetime(alert.sent_at))
        add(entry, "link", rel="alternate", type=cap.MEDIA_TYPE, href=cap_url)
        add(entry, "summary", alert.instruction or alert.description or alert.event)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")

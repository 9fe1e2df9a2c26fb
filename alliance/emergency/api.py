"""GET /api/v1/emergencies: emergency responses, public and read-only; no personal data.

Only what an official response notice says in public: where (community or street office code),
what kind, which level, whether it is a drill, when it started and ended. No reasons, no names.
"""

from flask import Blueprint, abort, request
from marshmallow import Schema, fields

from alliance.api.openapi import api_schema
from alliance.api_support import paginated
from alliance.emergency import services
from alliance.emergency.models import LEVELS, Kind, Scope

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

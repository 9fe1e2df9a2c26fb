"""GET /api/v1/communities/<code>/decisions: the committee's decisions, public and read-only.

Only what the minutes publish: number, text, meeting date and kind, state, due date and links.
No attendance, no remarks, no names.
"""

from flask import Blueprint, abort
from marshmallow import Schema, fields
from sqlalchemy import select

from alliance.api.openapi import api_schema
from alliance.api_support import paginated
from alliance.committee.services import decisions
from alliance.communities.models import Community
from alliance.extensions import db

bp = Blueprint("committee_api", __name__)


@api_schema("DecisionPublic")
class DecisionSchema(Schema):
    class MeetingPart(Schema):
        date = fields.Date(required=True)
        kind = fields.String(required=True, metadata={"enum": ["liaison", "heads"]})
        kind_label = fields.String(required=True)

    class Links(Schema):
        help_request = fields.Integer()
        project = fields.Integer()
        commitment = fields.Integer()
        rule_version = fields.Integer()

    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"example": "云水明珠〔2026〕3号"})
    text = fields.String(required=True)
    meeting = fields.Nested(MeetingPart, required=True)
    state = fields.String(
        required=True, metadata={"enum": ["open", "in_progress", "done", "dropped"]}
    )
    state_label = fields.String(required=True)
    drop_reason = fields.String(allow_none=True)
    due_date = fields.Date(required=True)
    links = fields.Nested(Links, required=True)
    rule_effective_from = fields.Date(allow_none=True)


@bp.get("/api/v1/communities/<code>/decisions")
def community_decisions(code: str):
    """The coordination committee's decisions (决议) of one community, newest first.
    ---
    get:
      tags: [committee]
      parameters:
        - {name: code, in: path, required: true, description: community code, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer, minimum: 1, maximum: 1000000}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200:
          description: "A page: {items: [DecisionPublic], page, per_page, total, pages}"
        400:
          $ref: "#/components/responses/Error"
        404:
          $ref: "#/components/responses/Error"
    """
    community = db.session.scalars(select(Community).where(Community.code == code[:16])).first()
    if community is None:
        abort(404)
    stmt = decisions.decisions_query(community.id)

    def serialize(rows):
        versions = decisions.rule_versions_by_decision([d.id for d in rows])
        return [decisions.public_row(d, versions.get(d.id)) for d in rows]

    return paginated(stmt, serialize)

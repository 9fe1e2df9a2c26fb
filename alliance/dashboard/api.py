"""GET /api/v1/communities/<code>/figures?month=YYYY-MM: one community's month in figures.

Public and read-only: counts, sums and rates only (see alliance.dashboard.figures for what each
one means), never a person.
"""

from flask import Blueprint, abort, jsonify, request
from marshmallow import Schema, fields
from sqlalchemy import select

from alliance.api.openapi import api_schema
from alliance.communities.models import Community
from alliance.dashboard.figures import BadMonth, figures_for, parse_month
from alliance.extensions import db

bp = Blueprint("dashboard_api", __name__)


@api_schema("CommunityFigures")
class FiguresSchema(Schema):
    class Commitments(Schema):
        integrity = fields.Integer(required=True)
        service = fields.Integer(required=True)
        points = fields.Integer(required=True)

    community = fields.String(required=True, metadata={"example": "YSMZ"})
    month = fields.String(required=True, metadata={"example": "2026-10"})
    members = fields.Integer(required=True)
    volunteers = fields.Integer(required=True)
    cards = fields.Integer(required=True)
    commitments = fields.Nested(Commitments, required=True)
    redemptions = fields.Integer(required=True)
    savings_fen = fields.Integer(required=True)
    orders_received = fields.Integer(required=True)
    response_rate = fields.Float(
        allow_none=True, required=True, metadata={"minimum": 0, "maximum": 100}
    )
    resolution_rate = fields.Float(
        allow_none=True, required=True, metadata={"minimum": 0, "maximum": 100}
    )
    satisfaction_rate = fields.Float(
        allow_none=True, required=True, metadata={"minimum": 0, "maximum": 100}
    )
    volunteer_hours = fields.Float(required=True)
    points_earned = fields.Integer(required=True)
    points_spent = fields.Integer(required=True)


@bp.get("/api/v1/communities/<code>/figures")
def community_figures(code: str):
    """One community's figures for a month (members, orders and their three rates, savings…).
    ---
    get:
      tags: [figures]
      parameters:
        - {name: code, in: path, required: true, description: community code, schema: {type: string}}
        - name: month
          in: query
          description: "YYYY-MM, local (Asia/Shanghai); this month when left out"
          schema: {type: string, pattern: "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"}
      responses:
        200:
          description: "The month's figures. Rates are percent with one decimal, null when there
            is nothing to rate."
          content:
            application/json:
              schema: CommunityFigures
        400:
          $ref: "#/components/responses/Error"
        404:
          $ref: "#/components/responses/Error"
    """
    text = request.args.get("month")
    try:
        if text == "":  # given but empty is not "left out"
            raise BadMonth(text)
        month = parse_month(text)
    except BadMonth:
        abort(400, description="'month' must be YYYY-MM")
    community = db.session.scalars(select(Community).where(Community.code == code[:16])).first()
    if community is None:
        abort(404)
    figures = figures_for([community.id], [month])[community.id][0]
    return jsonify({"community": community.code, **figures.public()})

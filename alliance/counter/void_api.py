"""The cashier API's voids: a redemption or an exchange voided with a reason (作废)."""

from flask import g, jsonify
from marshmallow import Schema, fields, validate

from alliance.api.openapi import api_schema
from alliance.api_support import json_body
from alliance.cards.models import Redemption
from alliance.counter import voids
from alliance.counter.api_base import bp
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.points.ledger import balance_of
from alliance.points.models import Exchange


@api_schema("VoidRequest")
class VoidRequest(Schema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=voids.REASON_MAX),
        metadata={"description": "Why the record is voided (told to the holder)"},
    )


@api_schema("VoidRecord")
class VoidRecord(Schema):
    id = fields.Integer()
    voided = fields.Boolean()
    voided_at = fields.DateTime()
    reason = fields.String()
    points_balance = fields.Integer(
        allow_none=True,
        metadata={"description": "Exchanges: the holder's balance after the points came back"},
    )
    stock = fields.Integer(
        allow_none=True, metadata={"description": "Exchanges: the item's stock now"}
    )


_VOID_REQUEST = VoidRequest()
_VOID_RECORD = VoidRecord()


def _void(model, void, record_id: int, **extras):
    """Void this member's record through `void`, commit once and answer the VoidRecord;
    `extras(record)` gives the exchange's balance and stock afterwards."""
    grant = g.api_token
    body = json_body(_VOID_REQUEST)
    record = db.session.get(model, record_id)
    if record is None or record.merchant_id != grant.merchant.id:
        raise voids.VoidError(_l("找不到这条记录。"), code="not_found", status=404)
    record = void(record.id, actor=grant.token().user, reason=body["reason"])
    payload = _VOID_RECORD.dump(
        {
            "id": record.id,
            "voided": True,
            "voided_at": record.voided_at,
            "reason": record.void_reason,
            "points_balance": None,
            "stock": None,
            **{name: value(record) for name, value in extras.items()},
        }
    )
    db.session.commit()
    return jsonify(payload)


# Both voids answer alike; only the summary, operation id and tag differ.
_VOID_DOC = """{summary}
    ---
    post:
      operationId: {operation}
      tags: [{tag}]
      security: [{{bearer: []}}]
      parameters:
        - {{name: record_id, in: path, required: true, schema: {{type: integer, minimum: 1, maximum: 2147483647}}}}
      requestBody:
        required: true
        content:
          application/json:
            schema: VoidRequest
      responses:
        200:
          description: Voided; out of every figure from now on
          content:
            application/json:
              schema: VoidRecord
        400:
          $ref: "#/components/responses/Error"
        401:
          $ref: "#/components/responses/Error"
        403:
          description: "Past the time this person may void it (staff 30 minutes, owner the
            same day; later only the secretary)"
          content:
            application/json:
              schema: ErrorBody
        404:
          $ref: "#/components/responses/Error"
        409:
          description: Already voided
          content:
            application/json:
              schema: ErrorBody
        422:
          $ref: "#/components/responses/Error"
    """


@bp.post("/redemptions/<int:record_id>/void")
def void_redemption(record_id: int):
    return _void(Redemption, voids.void_redemption, record_id)


void_redemption.__doc__ = _VOID_DOC.format(
    summary="Void a redemption (作废核销) with a reason; the holder is told.",
    operation="cards_api.void_redemption.post",
    tag="cards",
)


@bp.post("/exchanges/<int:record_id>/void")
def void_exchange(record_id: int):
    return _void(
        Exchange,
        voids.void_exchange,
        record_id,
        points_balance=lambda record: balance_of(record.user_id),
        stock=lambda record: record.item.stock,
    )


void_exchange.__doc__ = _VOID_DOC.format(
    summary="Void a points exchange (作废兑换): the points back to the holder, the item back "
    "in stock.",
    operation="points_api.void_exchange.post",
    tag="points",
)

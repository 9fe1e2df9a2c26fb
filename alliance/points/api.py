"""The counter (cashier) API for points: exchange an item. Same bearer tokens as the card API."""

from flask import Blueprint, g, jsonify, request
from marshmallow import Schema, fields, validate

from alliance.api.auth import authenticate
from alliance.api.openapi import api_schema
from alliance.api_support import json_body
from alliance.errors import json_error
from alliance.extensions import csrf, db
from alliance.inputs import IdField
from alliance.points import services
from alliance.points.models import Exchange

bp = Blueprint("points_api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)


@api_schema("ExchangeRequest")
class ExchangeRequest(Schema):
    code = fields.String(
        required=True,
        metadata={
            "description": "The card's static or rotating code (the part after /c/ in the QR URL)"
        },
        validate=validate.Length(min=1),
    )
    item_id = IdField(required=True)


@api_schema("CardExchangeItem")  # sorts before CardVerification, which nests it
class ExchangeItemSummary(Schema):
    id = fields.Integer()
    title = fields.String()
    points = fields.Integer(metadata={"description": "Points one exchange costs"})
    stock = fields.Integer()
    per_person_limit = fields.Integer(allow_none=True)
    affordable = fields.Boolean(metadata={"description": "The holder's balance covers it"})
    within_limit = fields.Boolean(metadata={"description": "The holder has not reached the limit"})


@api_schema("ExchangeRecord")
class ExchangeRecord(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    item_title = fields.String()
    points = fields.Integer()
    points_balance = fields.Integer(metadata={"description": "The holder's balance afterwards"})
    stock = fields.Integer(metadata={"description": "The item's stock now"})
    card_number = fields.String()
    created_at = fields.DateTime()


_ITEM_SUMMARIES = ExchangeItemSummary(many=True)


def verification_extras(result, merchant) -> dict:
    """`points_balance` and `exchange_items` for the card verification answer (valid cards)."""
    if not result.valid or result.card is None or not services.spends_here(result.card, merchant):
        return {"points_balance": None, "exchange_items": []}
    balance = services.balance_of(result.card.holder_id)
    items = services.counter_items(merchant, result.card.holder_id, balance)
    return {
        "points_balance": balance,
        "exchange_items": _ITEM_SUMMARIES.dump(
            [
                {
                    "id": c.item.id,
                    "title": c.item.title,
                    "points": c.item.points,
                    "stock": c.item.stock,
                    "per_person_limit": c.item.per_person_limit,
                    "affordable": c.affordable,
                    "within_limit": c.within_limit,
                }
                for c in items
                if c.item.stock > 0
            ]
        ),
    }


def serialize_exchange(x: Exchange) -> dict:
    return ExchangeRecord().dump(
        {
            "id": x.id,
            "item_id": x.item_id,
            "item_title": x.item_title,
            "points": x.points,
            "points_balance": x.balance_after,
            "stock": x.item.stock,
            "card_number": x.card.number if x.card_id else None,
            "created_at": x.created_at,
        }
    )


@bp.post("/exchanges")
def create_exchange():
    """Exchange points for an item (积分兑换), exactly once per Idempotency-Key.
    ---
    post:
      tags: [points]
      security: [{bearer: []}]
      parameters:
        - name: Idempotency-Key
          in: header
          required: true
          description: "A unique key per exchange (e.g. a UUID, at most 255 ASCII characters).
            The same key with the same body returns the same exchange and balance (200);
            with another body, 422."
          schema: {type: string, minLength: 1, maxLength: 255, pattern: "^[!-~]([ -~]*[!-~])?$"}
      requestBody:
        required: true
        content:
          application/json:
            schema: ExchangeRequest
      responses:
        201:
          description: Exchanged; stock and balance changed in one transaction
          content:
            application/json:
              schema: ExchangeRecord
        200:
          description: "The same key and body again: the exchange made the first time"
          content:
            application/json:
              schema: ExchangeRecord
        400:
          $ref: "#/components/responses/Error"
        401:
          $ref: "#/components/responses/Error"
        403:
          $ref: "#/components/responses/Error"
        409:
          description: "Too few points (insufficient_points), no stock (out_of_stock) or the
            per-person limit is reached (limit_reached); nothing changed"
          content:
            application/json:
              schema: ErrorBody
        422:
          description: "Invalid card, item not offered here, or the key was used with another body"
          content:
            application/json:
              schema: ErrorBody
    """
    key = request.headers.get("Idempotency-Key", "")
    body = json_body(ExchangeRequest())
    grant = g.api_token
    token = grant.token()
    try:
        record, created = services.exchange(
            merchant=grant.merchant,
            staff=token.user,
            token=token,
            raw_code=body["code"],
            item_id=body["item_id"],
            idempotency_key=key,
        )
    except services.PointsError as exc:
        db.session.rollback()
        return json_error(exc.status, exc.code, str(exc.message))
    payload = serialize_exchange(record)
    db.session.commit()
    return jsonify(payload), 201 if created else 200


csrf.exempt(bp)  # bearer tokens, not cookies

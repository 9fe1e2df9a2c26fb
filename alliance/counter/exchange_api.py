"""The cashier API's points exchanges: POST /api/v1/exchanges, and the exchange items a card
verification lists."""

from flask import g, jsonify, request
from marshmallow import Schema, fields

from alliance.api.openapi import api_schema
from alliance.api_support import json_body
from alliance.counter import exchanges, services
from alliance.counter.api_base import CardSource, bp
from alliance.extensions import db
from alliance.inputs import IdField
from alliance.points.models import Exchange


@api_schema("ExchangeRequest")
class ExchangeRequest(CardSource):
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


def points_extras(view: services.CounterView) -> dict:
    """`points_balance` and `exchange_items` for the card verification answer (valid cards)."""
    if view.balance is None:
        return {"points_balance": None, "exchange_items": []}
    # Built as sent, like serialize_verification (held equal to ExchangeItemSummary's dump).
    return {
        "points_balance": view.balance,
        "exchange_items": [
            {
                "id": c.item.id,
                "title": c.item.title,
                "points": c.item.points,
                "stock": c.item.stock,
                "per_person_limit": c.item.per_person_limit,
                "affordable": c.affordable,
                "within_limit": c.within_limit,
            }
            for c in view.exchange_items
            if c.item.stock > 0
        ],
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
      operationId: points_api.create_exchange.post
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
          description: "Too few points (insufficient_points), no stock (out_of_stock), the
            per-person limit is reached (limit_reached) or the verification_id was used already
            (verification_used); nothing changed"
          content:
            application/json:
              schema: ErrorBody
        422:
          description: "Invalid card, item not offered here, the key was used with another body,
            or a verification_id not this member's or past its 5 minutes"
          content:
            application/json:
              schema: ErrorBody
    """
    key = request.headers.get("Idempotency-Key", "")
    body = json_body(ExchangeRequest())
    grant = g.api_token
    token = grant.token()
    record, created = exchanges.exchange(
        merchant=grant.merchant,
        staff=token.user,
        token=token,
        raw_code=body.get("code"),
        verification_id=body.get("verification_id"),
        item_id=body["item_id"],
        idempotency_key=key,
    )
    payload = serialize_exchange(record)
    db.session.commit()
    return jsonify(payload), 201 if created else 200

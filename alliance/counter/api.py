"""The cashier API: verify a card, record a redemption, exchange points. Bearer tokens of member staff."""

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from alliance.api.auth import api_token, authenticate
from alliance.api.openapi import api_schema
from alliance.api_support import json_body
from alliance.cards.models import Redemption
from alliance.counter import checkouts, exchanges, redemptions, services, voids
from alliance.extensions import csrf, db, limiter
from alliance.inputs import IdField
from alliance.points.ledger import balance_of
from alliance.points.models import Exchange

bp = Blueprint("counter_api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)


class CardSource(Schema):
    """Either the card's code or the `verification_id` a verification answered (5 minutes)."""

    code = fields.String(
        validate=validate.Length(min=1),
        metadata={
            "description": "The card's static or rotating code (the part after /c/ in the QR "
            "URL); or send verification_id instead"
        },
    )
    verification_id = fields.String(
        validate=validate.Length(min=1, max=checkouts.MAX_ID_LENGTH),
        metadata={
            "description": "From POST /api/v1/cards/verify, in place of code (when both are "
            "sent, this decides): good for 5 minutes, for that card at this member only, used "
            "up by the operation"
        },
    )

    # At least one of them; with both, the open checkout decides (the code is not read).
    OPENAPI_EXTRA = {"anyOf": [{"required": ["code"]}, {"required": ["verification_id"]}]}

    @validates_schema
    def _a_source(self, data, **_kwargs):
        if "code" not in data and "verification_id" not in data:
            raise ValidationError("send code or verification_id", "code")


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


_ITEM_SUMMARIES = ExchangeItemSummary(many=True)


def points_extras(view: services.CounterView) -> dict:
    """`points_balance` and `exchange_items` for the card verification answer (valid cards)."""
    if view.balance is None:
        return {"points_balance": None, "exchange_items": []}
    items = view.exchange_items
    return {
        "points_balance": view.balance,
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


@api_schema("CardVerifyRequest")
class VerifyRequest(Schema):
    code = fields.String(
        required=True,
        metadata={
            "description": "The static code or the rotating code (the part after /c/ in the QR URL)"
        },
    )


@api_schema("RedemptionRequest")
class RedemptionRequest(CardSource):
    offer_id = IdField(required=True)
    bill_fen = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, redemptions.MAX_BILL_FEN),
        metadata={"description": "The bill in fen (optional)"},
    )
    confirm = fields.Boolean(
        load_default=False,
        metadata={
            "description": "A bill above ¥2,000 (200000 fen) or above ten times the member's "
            "median bill is refused with 422 `confirm_required` unless this is true"
        },
    )


@api_schema("CardSummary")
class CardSummary(Schema):
    number = fields.String()
    kind = fields.String(metadata={"enum": ["volunteer", "alliance"]})
    holder_masked = fields.String(metadata={"example": "王*明"})


@api_schema("CardOffer")
class CardOffer(Schema):
    id = fields.Integer()
    title = fields.String()
    rate_percent = fields.Integer(metadata={"description": "85 = 8.5折: the customer pays 85%"})
    rate_display = fields.String(metadata={"example": "8.5折"})
    qualifies = fields.String(metadata={"enum": ["volunteer", "alliance", "both"]})
    usage_limit = fields.Integer(allow_none=True)
    usage_period = fields.String(metadata={"enum": ["day", "week", "month", "unlimited"]})
    requires_rotating = fields.Boolean()
    min_star_level = fields.Integer(
        allow_none=True,
        metadata={"description": "1–5: volunteer cards need this star level (一星–五星)"},
    )


@api_schema("CardVerification")
class VerifyResponse(Schema):
    valid = fields.Boolean(required=True)
    reason = fields.String(
        allow_none=True,
        metadata={
            "enum": ["unknown", "suspended", "expired", "not_yet_valid", "lost", "revoked", "stale"]
        },
    )
    code_type = fields.String(allow_none=True, metadata={"enum": ["static", "rotating"]})
    card = fields.Nested(CardSummary, allow_none=True)
    offers = fields.List(fields.Nested(CardOffer))
    # Points (alliance.points): the holder's balance and this merchant's exchange items.
    points_balance = fields.Integer(allow_none=True)
    exchange_items = fields.List(fields.Nested("ExchangeItemSummary"))
    # The checkout a valid verification opens (alliance.counter.checkouts).
    verification_id = fields.String(
        allow_none=True,
        metadata={
            "description": "Valid cards: send it in place of code to POST /api/v1/redemptions "
            "or /api/v1/exchanges within 5 minutes (once; this card at this member only)"
        },
    )
    verification_expires_at = fields.DateTime(allow_none=True)


@api_schema("RedemptionRecord")
class RedemptionRecord(Schema):
    id = fields.Integer()
    card_number = fields.String()
    offer_id = fields.Integer()
    offer_title = fields.String()
    rate_percent = fields.Integer()
    bill_fen = fields.Integer(allow_none=True)
    saving_fen = fields.Integer(allow_none=True)
    code_type = fields.String()
    created_at = fields.DateTime()


# Schemas are built once: building one per request cost more than the dump itself.
_VERIFY_REQUEST = VerifyRequest()
_REDEMPTION_REQUEST = RedemptionRequest()
_VERIFY_RESPONSE = VerifyResponse()
_REDEMPTION_RECORD = RedemptionRecord()


def _limit() -> str:
    return current_app.config.get("CARD_VERIFY_RATE_LIMIT", "60/minute")


def _merchant_key() -> str:
    token = api_token()
    return f"merchant:{token.merchant_id}" if token else request.remote_addr or "-"


def serialize_verification(
    result: services.Verification, checkout: checkouts.Opened | None = None
) -> dict:
    body = {
        "valid": result.valid,
        "reason": result.reason,
        "code_type": result.code_type if result.card else None,
        "card": None,
        "offers": [],
        "verification_id": checkout.verification_id if checkout else None,
        "verification_expires_at": checkout.expires_at if checkout else None,
    }
    if result.valid:
        card = result.card
        body["card"] = {
            "number": card.number,
            "kind": card.kind,
            "holder_masked": result.holder_masked,
        }
        body["offers"] = [
            {
                "id": o.id,
                "title": o.commitment.title,
                "rate_percent": o.rate_percent,
                "rate_display": o.rate_label,
                "qualifies": o.qualifies,
                "usage_limit": o.usage_limit,
                "usage_period": o.usage_period,
                "requires_rotating": bool(o.requires_rotating),
                "min_star_level": o.min_star_level,
            }
            for o in result.offers
        ]
    return _VERIFY_RESPONSE.dump(body)


def serialize_redemption(r: Redemption, card_number: str) -> dict:
    return _REDEMPTION_RECORD.dump(
        {
            "id": r.id,
            "card_number": card_number,
            "offer_id": r.offer_id,
            "offer_title": r.offer_title,
            "rate_percent": r.rate_percent,
            "bill_fen": r.bill_fen,
            "saving_fen": r.saving_fen,
            "code_type": r.code_type,
            "created_at": r.created_at,
        }
    )


@bp.post("/cards/verify")
@limiter.limit(_limit)
@limiter.limit(_limit, key_func=_merchant_key)
def verify():
    """Verify a card code at the counter.
    ---
    post:
      operationId: cards_api.verify.post
      tags: [cards]
      security: [{bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: CardVerifyRequest
      responses:
        200:
          description: "Valid or not, with the reason; card and this merchant's offers when valid,
            and a verification_id (with verification_expires_at, 5 minutes on) to redeem or
            exchange with in place of the code. Garbage, unknown, forged or stale codes answer
            200 with valid false."
          content:
            application/json:
              schema: CardVerification
        400:
          $ref: "#/components/responses/Error"
        401:
          $ref: "#/components/responses/Error"
        429:
          $ref: "#/components/responses/Error"
    """
    body = json_body(_VERIFY_REQUEST)
    merchant = g.api_token.merchant
    view = services.counter_view(body["code"], merchant)
    result = view.verification
    checkout = (
        checkouts.open_checkout(result.card.id, merchant.id, result.code_type)
        if result.valid
        else None
    )
    payload = serialize_verification(result, checkout)
    payload.update(points_extras(view))
    if g.get("api_token_touched"):
        # last_used_at, written by an UPDATE statement that leaves nothing dirty in the session.
        db.session.commit()
    return jsonify(payload)


@bp.post("/redemptions")
def create_redemption():
    """Record a redemption (核销), exactly once per Idempotency-Key.
    ---
    post:
      operationId: cards_api.create_redemption.post
      tags: [cards]
      security: [{bearer: []}]
      parameters:
        - name: Idempotency-Key
          in: header
          required: true
          description: "A unique key per redemption (e.g. a UUID, at most 255 ASCII characters).
            The same key with the same body returns the same record; with another body, 422."
          schema: {type: string, minLength: 1, maxLength: 255, pattern: "^[!-~]([ -~]*[!-~])?$"}
      requestBody:
        required: true
        content:
          application/json:
            schema: RedemptionRequest
      responses:
        201:
          description: Recorded
          content:
            application/json:
              schema: RedemptionRecord
        200:
          description: "The same key and body again: the record made the first time"
          content:
            application/json:
              schema: RedemptionRecord
        400:
          $ref: "#/components/responses/Error"
        401:
          $ref: "#/components/responses/Error"
        403:
          $ref: "#/components/responses/Error"
        409:
          description: "The offer's usage limit for this card is reached (limit_reached), or
            the verification_id was used already (verification_used)"
          content:
            application/json:
              schema: ErrorBody
        422:
          description: "Invalid card, offer not applicable, rotating code required,
            the key was used with a different body, or a bill far above the member's usual
            without `confirm: true` (confirm_required), or a verification_id that is not
            this member's or is past its 5 minutes (verification_invalid, verification_expired)"
          content:
            application/json:
              schema: ErrorBody
    """
    key = request.headers.get("Idempotency-Key", "")
    body = json_body(_REDEMPTION_REQUEST)
    grant = g.api_token
    token = grant.token()
    record, created = redemptions.redeem(
        merchant=grant.merchant,
        staff=token.user,
        token=token,
        raw_code=body.get("code"),
        verification_id=body.get("verification_id"),
        offer_id=body["offer_id"],
        bill_fen=body["bill_fen"],
        idempotency_key=key,
        confirmed=body["confirm"],
    )
    payload = serialize_redemption(record, record.card.number)
    db.session.commit()
    return jsonify(payload), 201 if created else 200


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


def _void(model, void, record_id: int) -> dict:
    grant = g.api_token
    body = json_body(_VOID_REQUEST)
    record = db.session.get(model, record_id)
    if record is None or record.merchant_id != grant.merchant.id:
        raise voids.VoidError(_l("找不到这条记录。"), code="not_found", status=404)
    return void(record.id, actor=grant.token().user, reason=body["reason"])


@bp.post("/redemptions/<int:record_id>/void")
def void_redemption(record_id: int):
    """Void a redemption (作废核销) with a reason; the holder is told.
    ---
    post:
      operationId: cards_api.void_redemption.post
      tags: [cards]
      security: [{bearer: []}]
      parameters:
        - {name: record_id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
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
    record = _void(Redemption, voids.void_redemption, record_id)
    payload = _VOID_RECORD.dump(
        {
            "id": record.id,
            "voided": True,
            "voided_at": record.voided_at,
            "reason": record.void_reason,
            "points_balance": None,
            "stock": None,
        }
    )
    db.session.commit()
    return jsonify(payload)


@bp.post("/exchanges/<int:record_id>/void")
def void_exchange(record_id: int):
    """Void a points exchange (作废兑换): the points back to the holder, the item back in stock.
    ---
    post:
      operationId: points_api.void_exchange.post
      tags: [points]
      security: [{bearer: []}]
      parameters:
        - {name: record_id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
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
    record = _void(Exchange, voids.void_exchange, record_id)
    payload = _VOID_RECORD.dump(
        {
            "id": record.id,
            "voided": True,
            "voided_at": record.voided_at,
            "reason": record.void_reason,
            "points_balance": balance_of(record.user_id),
            "stock": record.item.stock,
        }
    )
    db.session.commit()
    return jsonify(payload)


csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry one

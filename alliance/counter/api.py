"""The cashier API: verify a card and record a redemption. Exchanges are in exchange_api.py,
voids in void_api.py, the blueprint in api_base.py. Bearer tokens of member staff."""

from flask import current_app, g, jsonify, request
from marshmallow import Schema, fields, validate

from alliance.api.auth import api_token
from alliance.api.openapi import api_schema
from alliance.api_support import json_body
from alliance.cards.models import Redemption
from alliance.counter import checkouts, redemptions, services
from alliance.counter.api_base import CardSource, bp
from alliance.counter.exchange_api import points_extras
from alliance.extensions import db, limiter
from alliance.inputs import IdField


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
_REDEMPTION_RECORD = RedemptionRecord()


def _limit() -> str:
    return current_app.config.get("CARD_VERIFY_RATE_LIMIT", "60/minute")


def _merchant_key() -> str:
    token = api_token()
    return f"merchant:{token.merchant_id}" if token else request.remote_addr or "-"


def serialize_verification(
    result: services.Verification, checkout: checkouts.Opened | None = None
) -> dict:
    """The CardVerification document (VerifyResponse), built as it is sent: the counter asks
    for it all day, and marshmallow's dump of values already in their JSON types cost more
    than building them (tests/points/test_exchange.py holds the two equal)."""
    body = {
        "valid": result.valid,
        "reason": result.reason,
        "code_type": result.code_type if result.card else None,
        "card": None,
        "offers": [],
        "verification_id": checkout.verification_id if checkout else None,
        "verification_expires_at": checkout.expires_at.isoformat() if checkout else None,
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
                "title": o.title,
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
    return body


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
    view = services.counter_view(body["code"], merchant, as_ref=True)
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


from alliance.counter import void_api as _voids  # noqa: E402,F401  (same blueprint)

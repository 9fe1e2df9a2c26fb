"""The cashier API's blueprint (/api/v1, bearer tokens of member staff) and the card source its
requests share: the card's code or a verification_id."""

from flask import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from alliance.api.auth import authenticate
from alliance.counter import checkouts
from alliance.extensions import csrf

bp = Blueprint("counter_api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)
csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry one


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

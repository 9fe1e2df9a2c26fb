"""GET /api/v1/commitments: the public, read-only list of published commitments."""

from flask import Blueprint, abort, request

from alliance.api_support import paginated
from alliance.commitments import board
from alliance.commitments.models import CardKind, Commitment, CommitmentKind

api_bp = Blueprint("commitments_api", __name__, url_prefix="/api/v1/commitments")

ALLOWED_ARGS = {"page", "per_page", "kind", "category", "card", "community", "q"}


def _choice_arg(name: str, allowed) -> str | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw not in allowed:  # "" too: the document lists the values, an empty one is none of them
        abort(400, description=f"'{name}' must be one of: {', '.join(sorted(allowed))}")
    return raw


def _text_arg(name: str, limit: int) -> str | None:
    raw = (request.args.get(name) or "").strip()
    if len(raw) > limit:
        abort(400, description=f"'{name}' must be at most {limit} characters")
    return raw or None


def _filters() -> board.BoardFilters:
    unknown = sorted(set(request.args) - ALLOWED_ARGS)
    if unknown:
        abort(400, description=f"unknown parameter(s): {', '.join(unknown)}")
    return board.BoardFilters(
        kind=_choice_arg("kind", {str(k) for k in CommitmentKind}),
        card=_choice_arg("card", {str(c) for c in CardKind}),
        category=_choice_arg("category", board.known_categories()),
        community=_text_arg("community", 16),
        q=_text_arg("q", 100),
    )


def serialize_commitment(c: Commitment) -> dict:
    offer = None
    if c.offer is not None:
        o = c.offer
        offer = {
            "rate_percent": o.rate_percent,
            "rate": o.rate_label,
            "qualifies": o.qualifies,
            "conditions": o.conditions,
            "exclusions": o.exclusions,
            "valid_from": o.valid_from.isoformat() if o.valid_from else None,
            "valid_until": o.valid_until.isoformat() if o.valid_until else None,
            "usage_limit": {
                "count": o.usage_limit,
                "period": o.usage_period,
            },
            # True: the cashier must scan the rotating code on the phone (no printed cards).
            "requires_rotating": bool(o.requires_rotating),
            # False: only cards of the member's community; True: every community of the office.
            "open_to_street_office": bool(o.open_to_street_office),
            "min_star_level": o.min_star_level,
        }
    service = None
    if c.service is not None:
        s = c.service
        service = {"what": s.what, "when": s.when_text, "where": s.where, "for_whom": s.for_whom}
    return {
        "id": c.id,
        "kind": c.kind,
        "title": c.title,
        "body": c.body,
        "version": c.version,
        "merchant": {
            "id": c.merchant.id,
            "number": c.merchant.number,
            "name": c.merchant.name,
            "category": c.merchant.category,
            "category_label": c.merchant.category_label,
        },
        "offer": offer,
        "service": service,
        "published_at": c.published_at.isoformat() if c.published_at else None,
    }


@api_bp.get("")
def index():
    """Published commitments (公示), newest first, with their offer or service.
    ---
    get:
      tags: [commitments]
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1, maximum: 1000000}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: kind, in: query, schema: {type: string, enum: [integrity, service, points]}}
        - {name: category, in: query, description: merchant category code,
           schema: {type: string, enum: [catering, bakery, pharmacy, cinema, finance, retail,
                                         living, other]}}
        - {name: card, in: query, schema: {type: string, enum: [volunteer, alliance]}}
        - {name: community, in: query, description: community code,
           schema: {type: string, maxLength: 16}}
        - {name: q, in: query, description: search terms (space-separated),
           schema: {type: string, maxLength: 100}}
      responses:
        200:
          description: "A page: {items, page, per_page, total, pages}"
        400:
          $ref: "#/components/responses/Error"
    """
    filters = _filters()
    stmt = (
        board.board_query(filters)
        .params(board.board_params(filters))
        .options(*board.board_options())
        .order_by(Commitment.published_at.desc(), Commitment.id.desc())
    )
    return paginated(stmt, lambda rows: [serialize_commitment(c) for c in rows])

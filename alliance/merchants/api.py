"""GET /api/v1/merchants: the public, read-only member list. No phone or licence numbers."""

from flask import Blueprint, abort, request
from sqlalchemy import false, select

from alliance.api_support import int_arg, paginated
from alliance.commitments.published import published_for_merchants
from alliance.communities.models import Community
from alliance.extensions import db
from alliance.merchants import status as merchant_status
from alliance.merchants.directory import directory_query
from alliance.merchants.models import CATEGORIES, MerchantStatus

bp = Blueprint("merchants_api", __name__, url_prefix="/api/v1/merchants")

KNOWN_ARGS = {"page", "per_page", "community", "category", "estate", "q", "status"}


def _commitment(c) -> dict:
    item = {"id": c.id, "kind": c.kind, "title": c.title}
    if c.offer is not None:
        item["rate_percent"] = c.offer.rate_percent
        item["qualifies"] = c.offer.qualifies
    return item


def serialize(merchants) -> list[dict]:
    published = published_for_merchants([m.id for m in merchants if merchant_status.is_active(m)])
    return [
        {
            "id": m.id,
            "number": m.number,
            "name": m.name,
            "category": m.category,
            "estate": m.estate.name if m.estate else None,
            "community": m.community.code,
            "address": m.address,
            "status": m.status,
            "commitments": [_commitment(c) for c in published.get(m.id, [])],
        }
        for m in merchants
    ]


@bp.get("")
def index():
    """Alliance members (联盟商户) with their published commitments; no phone or licence numbers.
    ---
    get:
      tags: [merchants]
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1, maximum: 1000000}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: community, in: query, description: "community code; an unknown code lists nothing",
           schema: {type: string, maxLength: 16}}
        - {name: category, in: query, description: merchant category code,
           schema: {type: string, enum: [catering, bakery, pharmacy, cinema, finance, retail,
                                         living, other]}}
        - {name: estate, in: query, description: estate id,
           schema: {type: integer, minimum: 1, maximum: 2147483647}}
        - {name: q, in: query, description: part of the name, schema: {type: string, maxLength: 40}}
        - {name: status, in: query, schema: {type: string, enum: [active, suspended, left]}}
      responses:
        200:
          description: "A page: {items, page, per_page, total, pages}; each item has id, number,
            name, category, estate, community, address, status and commitments (id, kind, title,
            and for offers rate_percent and qualifies). A member that is not active lists no
            commitments: its offers do not apply."
        400:
          $ref: "#/components/responses/Error"
    """
    unknown = set(request.args) - KNOWN_ARGS
    if unknown:
        abort(400, description=f"unknown parameter(s): {', '.join(sorted(unknown))}")
    community = None
    code = (request.args.get("community") or "").strip()
    if len(code) > 16:
        abort(400, description="'community' must be at most 16 characters")
    if code:
        community = db.session.scalars(select(Community).where(Community.code == code)).first()
    category = request.args.get("category")
    if category is not None and category not in CATEGORIES:
        abort(400, description=f"'category' must be one of: {', '.join(CATEGORIES)}")
    # Bounded like every id (a 20-digit estate overflowed PostgreSQL's INTEGER: fuzzing).
    estate_id = int_arg("estate", None)
    status = request.args.get("status")
    if status is not None and status not in {str(s) for s in MerchantStatus}:
        abort(400, description="'status' must be one of: active, suspended, left")
    q = request.args.get("q") or ""
    if len(q) > 40:
        abort(400, description="'q' must be at most 40 characters")
    stmt = directory_query(
        q=q.strip(),
        category=category or "",
        community=community,
        estate_id=estate_id,
        status=status,
    )
    if code and community is None:  # a filter on a community that does not exist: nothing in it
        stmt = stmt.where(false())
    return paginated(stmt, serialize)

"""The members directory's filters and query, shared by the directory page, the secretary's
members page and the API."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance.communities.models import Community, Estate
from alliance.extensions import db
from alliance.inputs import parse_id
from alliance.merchants.models import CATEGORIES, Merchant


def directory_filters(args) -> dict:
    """Clean directory filters from the query string; unknown values are dropped."""
    q = (args.get("q") or "").strip()[:40]
    category = args.get("category") or ""
    if category not in CATEGORIES:
        category = ""
    community = None
    code = (args.get("community") or "").strip()
    if code:
        community = db.session.scalars(select(Community).where(Community.code == code)).first()
    estate_id = parse_id(args.get("estate") or "")
    return {"q": q, "category": category, "community": community, "estate_id": estate_id}


def directory_query(*, q="", category="", community=None, estate_id=None, status=None):
    # Both are many-to-one: joined into the page's own statement, not two more.
    stmt = select(Merchant).options(joinedload(Merchant.estate), joinedload(Merchant.community))
    return _filtered(stmt, q, category, community, estate_id, status)


def directory_rows(*, q="", category="", community=None, estate_id=None, status=None):
    """The public directory's statement: the columns an entry shows, no entities."""
    stmt = (
        select(
            Merchant.id,
            Merchant.name,
            Merchant.number,
            Merchant.category,
            Community.name.label("community_name"),
            Estate.name.label("estate_name"),
        )
        .join(Community, Community.id == Merchant.community_id)
        .outerjoin(Estate, Estate.id == Merchant.estate_id)
    )
    return _filtered(stmt, q, category, community, estate_id, status)


def _filtered(stmt, q, category, community, estate_id, status):
    if status is not None:
        stmt = stmt.where(Merchant.status == status)
    if q:
        stmt = stmt.where(Merchant.name.contains(q, autoescape=True))
    if category:
        stmt = stmt.where(Merchant.category == category)
    if community is not None:
        stmt = stmt.where(Merchant.community_id == community.id)
    if estate_id:
        stmt = stmt.where(Merchant.estate_id == estate_id)
    return stmt.order_by(Merchant.community_id, Merchant.number)

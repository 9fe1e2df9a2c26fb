"""The members directory's filters and query, shared by the directory page, the secretary's
members page and the API."""

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from alliance.communities.models import Community, Estate
from alliance.database import LIKE_ESCAPE, contains_pattern, read_rows
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
    """Members (entities) matching the filters, for the members page and the API."""
    # Both are many-to-one: joined into the page's own statement, not two more.
    stmt = select(Merchant).options(joinedload(Merchant.estate), joinedload(Merchant.community))
    shape, params = _shape_and_params(q, category, community, estate_id, status)
    return _filtered(stmt, *shape).params(params)


def directory_rows(*, q="", category="", community=None, estate_id=None, status=None):
    """The public directory's statement, the columns an entry shows, and its parameters."""
    shape, params = _shape_and_params(q, category, community, estate_id, status)
    return _directory_rows_statement(*shape), params


def _shape_and_params(q, category, community, estate_id, status) -> tuple[tuple, dict]:
    params = {
        "q": contains_pattern(q) if q else None,
        "category": category or None,
        "community_id": community.id if community is not None else None,
        "estate_id": estate_id or None,
        "status": status,
    }
    shape = tuple(params[name] is not None for name in params)
    return shape, {k: v for k, v in params.items() if v is not None}


@cache
def _directory_rows_statement(*shape):
    # Built once per combination of filters: every visit to the directory runs one.
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
    return _filtered(stmt, *shape)


def _filtered(stmt, q: bool, category: bool, community: bool, estate: bool, status: bool):
    """The filters present, as bind parameters (see _shape_and_params)."""
    if status:
        stmt = stmt.where(Merchant.status == bindparam("status"))
    if q:
        stmt = stmt.where(Merchant.name.like(bindparam("q"), escape=LIKE_ESCAPE))
    if category:
        stmt = stmt.where(Merchant.category == bindparam("category"))
    if community:
        stmt = stmt.where(Merchant.community_id == bindparam("community_id"))
    if estate:
        stmt = stmt.where(Merchant.estate_id == bindparam("estate_id"))
    return stmt.order_by(Merchant.community_id, Merchant.number)


# Built once: every visit to the directory shows the communities and estates to filter by.
_PLACES = (
    select(Community.id, Community.code, Community.name, Estate.id, Estate.name)
    .outerjoin(Estate, Estate.community_id == Community.id)
    .order_by(Community.id, Estate.id)
)


def filter_places(community) -> tuple[tuple[tuple, ...], tuple[tuple[int, str], ...]]:
    """The directory's filter choices in one statement: every community (id, code, name), and
    the estates (id, label) of the chosen community, or of all with their community's name.
    Tuples: with the filters' values they are the key the filter form is kept under."""
    communities: dict[int, tuple] = {}
    estates = []
    for c_id, code, name, e_id, e_name in read_rows(_PLACES).all():
        communities.setdefault(c_id, (c_id, code, name))
        if e_id is None:
            continue
        if community is None:
            estates.append((e_id, f"{name} · {e_name}"))
        elif c_id == community.id:
            estates.append((e_id, e_name))
    return tuple(communities.values()), tuple(estates)

"""The public board of published commitments: filters, counts per kind, categories, and the
home page's figure."""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, func, literal, select, text, union_all
from sqlalchemy.orm import joinedload

from alliance.commitments.models import (
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Offer,
    Qualifies,
    ServiceDetail,
)
from alliance.communities.models import Community
from alliance.database import LIKE_ESCAPE, contains_pattern, read_rows
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import CATEGORIES, Merchant, category_label
from alliance.merchants.status import active_clause


@dataclass
class BoardFilters:
    kind: str | None = None
    category: str | None = None
    card: str | None = None
    community: str | None = None  # community code
    q: str | None = None

    def as_args(self) -> dict:
        return {k: v for k, v in vars(self).items() if v}


MAX_TERMS = 8


def _terms(filters: BoardFilters) -> list[str]:
    return (filters.q or "").lower().split()[:MAX_TERMS]


def board_params(filters: BoardFilters) -> dict:
    """The bind parameters of the statements below, for these filters."""
    params = {
        "kind": filters.kind,
        "category": filters.category,
        "community": filters.community,
        "card": filters.card,
    }
    params.update({f"term{i}": contains_pattern(t) for i, t in enumerate(_terms(filters))})
    return {k: v for k, v in params.items() if v is not None}


def _shape(filters: BoardFilters, with_kind: bool) -> tuple:
    return (
        bool(filters.kind) and with_kind,
        bool(filters.category),
        bool(filters.community),
        bool(filters.card),
        len(_terms(filters)),
    )


def board_query(filters: BoardFilters, *, with_kind: bool = True) -> Select:
    """Published commitments matching the filters (no ordering or loading options), with bind
    parameters for the filters' values (board_params). Built once per shape of filters."""
    return _board_statement(*_shape(filters, with_kind))


@cache
def _board_statement(kind: bool, category: bool, community: bool, card: bool, terms: int):
    stmt = (
        select(Commitment)
        .join(Merchant, Merchant.id == Commitment.merchant_id)
        .where(
            Commitment.status == CommitmentStatus.PUBLISHED,
            # A suspended or departed member's commitments stop applying at once.
            active_clause(),
        )
    )
    if kind:
        stmt = stmt.where(Commitment.kind == bindparam("kind"))
    if category:
        stmt = stmt.where(Merchant.category == bindparam("category"))
    if community:
        stmt = stmt.join(Community, Community.id == Commitment.community_id).where(
            Community.code == bindparam("community")
        )
    if card:
        stmt = stmt.where(
            Commitment.id.in_(
                select(Offer.commitment_id).where(
                    Offer.qualifies.in_((bindparam("card"), Qualifies.BOTH))
                )
            )
        )
    for i in range(terms):
        stmt = stmt.where(Commitment.search_text.like(bindparam(f"term{i}"), escape=LIKE_ESCAPE))
    return stmt


# What a card on the board shows (commitments/_card.html), one row per commitment: the row is
# the key its HTML is kept under (alliance.fragments), and a card is built from it only when
# that HTML is not kept yet. A field the card starts showing must be added here.
CARD_COLUMNS = (
    Commitment.id,
    Commitment.kind,
    Commitment.status,
    Commitment.title,
    Merchant.number.label("merchant_number"),
    Merchant.name.label("merchant_name"),
    Merchant.category.label("merchant_category"),
    Offer.rate_percent,
    Offer.qualifies,
    Offer.min_star_level,
    Offer.usage_period,
    Offer.usage_limit,
    Offer.requires_rotating,
    Offer.open_to_street_office,
    ServiceDetail.what,
    ServiceDetail.when_text,
    ServiceDetail.where,
)


@cache
def board_page_statement(*shape) -> Select:
    """A page of the board, newest first, as CARD_COLUMNS rows (limit and offset are the bind
    parameters page_limit and page_offset)."""
    return (
        _board_statement(*shape)
        .with_only_columns(*CARD_COLUMNS)
        .outerjoin(Offer, Offer.commitment_id == Commitment.id)
        .outerjoin(ServiceDetail, ServiceDetail.commitment_id == Commitment.id)
        .order_by(Commitment.published_at.desc(), Commitment.id.desc())
        .limit(bindparam("page_limit"))
        .offset(bindparam("page_offset"))
    )


def board_page(filters: BoardFilters, limit: int, offset: int) -> list:
    """CARD_COLUMNS rows; `card_from_row` makes one a commitment for commitments/_card.html."""
    stmt = board_page_statement(*_shape(filters, True))
    params = board_params(filters) | {"page_limit": limit, "page_offset": offset}
    return read_rows(stmt, params).all()


def card_from_row(row) -> Commitment:
    """A commitment (with merchant, offer and service) that is in no session: what the card
    template reads of it, from one board row."""
    card = Commitment(id=row.id, kind=row.kind, status=row.status, title=row.title)
    card.merchant = Merchant(
        number=row.merchant_number, name=row.merchant_name, category=row.merchant_category
    )
    if row.rate_percent is not None:
        card.offer = Offer(
            rate_percent=row.rate_percent,
            qualifies=row.qualifies,
            min_star_level=row.min_star_level,
            usage_period=row.usage_period,
            usage_limit=row.usage_limit,
            requires_rotating=row.requires_rotating,
            open_to_street_office=row.open_to_street_office,
        )
    if row.what is not None:
        card.service = ServiceDetail(what=row.what, when_text=row.when_text, where=row.where)
    return card


def board_options():
    # All three are one row per commitment: joined into the page's statement, not three more.
    return (
        joinedload(Commitment.merchant),
        joinedload(Commitment.offer),
        joinedload(Commitment.service),
    )


def card_key(c) -> tuple:
    """Everything commitments/_card.html shows of a commitment (with its merchant, offer and
    service loaded): the key its HTML is kept under (alliance.fragments). A field the card
    starts showing must be added here."""
    m, o, s = c.merchant, c.offer, c.service
    return (
        c.id,
        c.kind,
        c.status,
        c.title,
        m.number,
        m.name,
        m.category,
        o
        and (
            o.rate_percent,
            o.qualifies,
            o.min_star_level,
            o.usage_period,
            o.usage_limit,
            o.requires_rotating,
            o.open_to_street_office,
        ),
        s and (s.what, s.when_text, s.where),
    )


@cache
def _totals_statement(*shape) -> Select:
    sub = _board_statement(*shape).with_only_columns(Commitment.kind).subquery()
    return select(sub.c.kind, func.count()).group_by(sub.c.kind)


def totals_by_kind(filters: BoardFilters) -> dict[str, int]:
    """Published commitments per kind under the other filters; one query."""
    stmt = _totals_statement(*_shape(filters, False))
    rows = read_rows(stmt, board_params(filters)).all()
    totals = dict.fromkeys((str(k) for k in CommitmentKind), 0)
    totals.update({kind: n for kind, n in rows})
    return totals


# The categories of members with published commitments and every community, in one
# statement (the board's two filter lists); built once.
_CHOICES = union_all(
    select(literal("category").label("list"), Merchant.category, Merchant.category)
    .where(
        select(Commitment.id)
        .where(
            Commitment.merchant_id == Merchant.id, Commitment.status == CommitmentStatus.PUBLISHED
        )
        .exists()
    )
    .distinct(),
    select(literal("community"), Community.code, Community.name),
).order_by(text("1, 2"))


def filter_choices() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(code, label) of the categories that have published commitments, and (code, name) of
    every community. Tuples: with the filters' values they are the key the board's filter
    form is kept under."""
    categories, communities = [], []
    for which, code, name in read_rows(_CHOICES).all():
        if which == "category":
            categories.append((code, category_label(code)))
        else:
            communities.append((code, name))
    return tuple(categories), tuple(communities)


def known_categories() -> set[str]:
    return set(CATEGORIES)


def home_figures(community_ids) -> list[tuple[str, int]]:
    """The home page's figures (see alliance.hooks)."""
    stmt = select(func.count(Commitment.id)).where(Commitment.status == CommitmentStatus.PUBLISHED)
    if community_ids is not None:
        stmt = stmt.where(Commitment.community_id.in_(community_ids))
    return [(_l("公示承诺"), db.session.scalar(stmt) or 0)]

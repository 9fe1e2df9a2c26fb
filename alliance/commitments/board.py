"""The public board of published commitments: filters, counts per kind, categories, and the
home page's figure."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from alliance.commitments.models import (
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Offer,
    Qualifies,
)
from alliance.communities.models import Community
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


def board_query(filters: BoardFilters, *, with_kind: bool = True) -> Select:
    """Published commitments matching the filters (no ordering or loading options)."""
    stmt = (
        select(Commitment)
        .join(Merchant, Merchant.id == Commitment.merchant_id)
        .where(
            Commitment.status == CommitmentStatus.PUBLISHED,
            # A suspended or departed member's commitments stop applying at once.
            active_clause(),
        )
    )
    if filters.kind and with_kind:
        stmt = stmt.where(Commitment.kind == filters.kind)
    if filters.category:
        stmt = stmt.where(Merchant.category == filters.category)
    if filters.community:
        stmt = stmt.join(Community, Community.id == Commitment.community_id).where(
            Community.code == filters.community
        )
    if filters.card:
        stmt = stmt.where(
            Commitment.id.in_(
                select(Offer.commitment_id).where(
                    Offer.qualifies.in_((filters.card, Qualifies.BOTH))
                )
            )
        )
    for term in (filters.q or "").lower().split()[:8]:
        stmt = stmt.where(Commitment.search_text.contains(term, autoescape=True))
    return stmt


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


def totals_by_kind(filters: BoardFilters) -> dict[str, int]:
    """Published commitments per kind under the other filters; one query."""
    sub = board_query(filters, with_kind=False).with_only_columns(Commitment.kind).subquery()
    rows = db.session.execute(select(sub.c.kind, func.count()).group_by(sub.c.kind)).all()
    totals = dict.fromkeys((str(k) for k in CommitmentKind), 0)
    totals.update({kind: n for kind, n in rows})
    return totals


def merchant_categories() -> list[tuple[str, str]]:
    """(code, label) of the categories that have published commitments."""
    published = (
        select(Commitment.id)
        .where(
            Commitment.merchant_id == Merchant.id, Commitment.status == CommitmentStatus.PUBLISHED
        )
        .exists()
    )
    codes = list(
        db.session.scalars(
            select(Merchant.category).where(published).distinct().order_by(Merchant.category)
        )
    )
    return [(code, category_label(code)) for code in codes]


def known_categories() -> set[str]:
    return set(CATEGORIES)


def home_figures(community_ids) -> list[tuple[str, int]]:
    """The home page's figures (see alliance.hooks)."""
    stmt = select(func.count(Commitment.id)).where(Commitment.status == CommitmentStatus.PUBLISHED)
    if community_ids is not None:
        stmt = stmt.where(Commitment.community_id.in_(community_ids))
    return [(_l("公示承诺"), db.session.scalar(stmt) or 0)]

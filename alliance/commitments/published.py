"""Each member's published commitments, for the members' directory and a member's page."""

from typing import NamedTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import selectinload

from alliance.commitments.models import (
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Offer,
    kind_label,
)
from alliance.extensions import db
from alliance.sql_constructs import one_of, rows_of_slots

KIND_ORDER = {CommitmentKind.INTEGRITY: 0, CommitmentKind.SERVICE: 1, CommitmentKind.POINTS: 2}


def _by_merchant(merchant_ids, fetch) -> dict[int, list]:
    """Every merchant id given is a key, with the published commitments `fetch(ids)` reads,
    in kind then publication order (an empty list when it has none)."""
    ids = list(dict.fromkeys(int(i) for i in merchant_ids))
    result: dict[int, list] = {i: [] for i in ids}
    if ids:
        for row in sorted(fetch(ids), key=lambda r: KIND_ORDER.get(r.kind, 9)):
            result[row.merchant_id].append(row)
    return result


def _published_of_merchants(stmt: Select) -> Select:
    """`stmt` cut to the published commitments of the bound `merchant_ids`, in publication
    order; built once per statement (every directory visit runs one)."""
    return stmt.where(
        Commitment.merchant_id.in_(bindparam("merchant_ids", expanding=True)),
        Commitment.status == CommitmentStatus.PUBLISHED,
    ).order_by(Commitment.published_at, Commitment.id)


_COMMITMENTS = _published_of_merchants(
    select(Commitment).options(selectinload(Commitment.offer), selectinload(Commitment.service))
)


def published_for_merchants(merchant_ids) -> dict[int, list[Commitment]]:
    """Published commitments of each merchant, kind then publication order; three queries.

    Offers and services are loaded with them, so rendering `_merchant_commitments.html` adds
    no queries.
    """
    return _by_merchant(
        merchant_ids,
        lambda ids: db.session.scalars(_COMMITMENTS, {"merchant_ids": ids}).all(),
    )


class CommitmentLine(NamedTuple):
    """One line of a directory entry: the kind, the title and the offer's rate, if any. A
    tuple: its lines are part of the key a directory entry is kept under, and a tuple is
    built, hashed and compared in C (a frozen dataclass did it in Python, 69 times a page)."""

    merchant_id: int
    kind: str
    title: str
    rate_percent: int | None

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


# The members the lines' statement takes at once: a page of the directory (merchants.web).
MEMBERS_AT_ONCE = 20

_LINES = (
    select(Commitment.merchant_id, Commitment.kind, Commitment.title, Offer.rate_percent)
    .outerjoin(Offer, Offer.commitment_id == Commitment.id)
    .where(
        one_of(Commitment.merchant_id, MEMBERS_AT_ONCE, "merchant"),
        Commitment.status == CommitmentStatus.PUBLISHED,
    )
    .order_by(Commitment.published_at, Commitment.id)
)


def commitment_lines(merchant_ids) -> dict[int, list[CommitmentLine]]:
    """Published commitments of each merchant as directory lines, kind then publication order.

    One statement of four columns: the directory shows twenty members with about five
    commitments each, and loading them as entities with their offers and services (three
    statements, some 300 objects) was most of the page's time.
    """
    return _by_merchant(
        merchant_ids,
        lambda ids: [
            CommitmentLine(*row) for row in rows_of_slots(_LINES, ids, MEMBERS_AT_ONCE, "merchant")
        ],
    )

"""Rules for commitments: drafting, approval, publication, versions, offers and reports.

Services add and flush, never commit; views (and the CLI/demo) commit once.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alliance.commitments.models import Commitment, CommitmentKind, CommitmentStatus
from alliance.extensions import db

KIND_ORDER = {CommitmentKind.INTEGRITY: 0, CommitmentKind.SERVICE: 1, CommitmentKind.POINTS: 2}


def published_for_merchants(merchant_ids) -> dict[int, list[Commitment]]:
    """Published commitments of each merchant, kind then publication order; two queries.

    Every merchant id given is a key (with an empty list when it has none). Offers and
    services are loaded with them, so rendering `_merchant_commitments.html` adds no queries.
    """
    ids = list(dict.fromkeys(int(i) for i in merchant_ids))
    result: dict[int, list[Commitment]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = db.session.scalars(
        select(Commitment)
        .where(Commitment.merchant_id.in_(ids), Commitment.status == CommitmentStatus.PUBLISHED)
        .options(selectinload(Commitment.offer), selectinload(Commitment.service))
        .order_by(Commitment.published_at, Commitment.id)
    ).all()
    for row in sorted(rows, key=lambda c: KIND_ORDER.get(c.kind, 9)):
        result[row.merchant_id].append(row)
    return result


def refresh_search_text(commitment: Commitment) -> None:
    """Rebuild the denormalised search column from the commitment, its merchant and offer."""
    merchant = commitment.merchant
    parts = [commitment.title, commitment.body]
    if merchant is not None:
        parts += [merchant.name, merchant.category]
    if commitment.offer is not None:
        parts += [commitment.offer.conditions, commitment.offer.exclusions]
    if commitment.service is not None:
        s = commitment.service
        parts += [s.what, s.when_text, s.where, s.for_whom]
    commitment.search_text = " ".join(p for p in parts if p).lower()

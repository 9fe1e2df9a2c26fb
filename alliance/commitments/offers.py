"""The offers a card gets at a member on a day (what the counter and card pages ask)."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import contains_eager

from alliance.commitments.models import CardKind, Commitment, CommitmentStatus, Offer, Qualifies
from alliance.communities.models import Community
from alliance.database import read_rows
from alliance.extensions import db
from alliance.merchants.models import Merchant
from alliance.merchants.status import active_clause


def applicable_offers(
    merchant: Merchant,
    card_kind: str,
    on_date: date,
    *,
    card_community_id: int | None = None,
    card_street_office_id: int | None = None,
) -> list[Offer]:
    """Offers a card holder gets at `merchant` on `on_date` (for the cards issue).

    Only published commitments of an active merchant, offers covering the card and valid that
    day. A suspended or departed merchant's offers stop applying at once.

    Communities (README, "Cards across communities"): an offer applies to cards of the
    member's own community; a card of another community gets it only when the member opened
    the offer to the whole street office and the card's community is in that office.
    `card_community_id` None: no card yet (the demo, previews), the member's own cards.
    """
    across, params = _case(merchant, card_kind, on_date, card_community_id, card_street_office_id)
    return list(db.session.scalars(_offers_statement(across), params))


@dataclass(frozen=True)
class OfferTerms:
    """An offer as the counter shows and applies it, with its commitment's title: read as
    columns (offer_terms) on every verification, not as offers with their commitments. The
    labels are the Offer model's own."""

    id: int
    commitment_id: int
    title: str
    qualifies: str
    rate_percent: int
    usage_limit: int | None
    usage_period: str
    requires_rotating: bool
    open_to_street_office: bool
    min_star_level: int | None

    rate_label = Offer.rate_label
    rate_text = Offer.rate_text
    qualifies_label = Offer.qualifies_label
    usage_label = Offer.usage_label


def offer_terms(
    merchant,
    card_kind: str,
    on_date: date,
    *,
    card_community_id: int | None = None,
    card_street_office_id: int | None = None,
) -> list[OfferTerms]:
    """`applicable_offers` as OfferTerms: the same offers, in the same order."""
    across, params = _case(merchant, card_kind, on_date, card_community_id, card_street_office_id)
    return [OfferTerms(*row) for row in read_rows(_terms_statement(across), params).all()]


def _case(merchant, card_kind, on_date, card_community_id, card_street_office_id):
    if card_kind not in set(CardKind):
        raise ValueError(f"unknown card kind {card_kind!r}")
    params = {"merchant_id": merchant.id, "card_kind": card_kind, "on_date": on_date}
    across = card_community_id is not None and card_community_id != merchant.community_id
    if across:
        params |= {
            "merchant_community_id": merchant.community_id,
            "card_street_office_id": card_street_office_id,
        }
    return across, params


@cache
def _offers_statement(across: bool):
    return _applicable(across).options(contains_eager(Offer.commitment))


@cache
def _terms_statement(across: bool):
    return _applicable(across).with_only_columns(
        Offer.id,
        Offer.commitment_id,
        Commitment.title,
        Offer.qualifies,
        Offer.rate_percent,
        Offer.usage_limit,
        Offer.usage_period,
        Offer.requires_rotating,
        Offer.open_to_street_office,
        Offer.min_star_level,
    )


def _applicable(across: bool):
    """Built once per case (every verification runs it): assembling and keying it cost more
    than the query. `across`: a card of another community, only offers opened to the street
    office, and only when the card's community is in the member's office."""
    on_date = bindparam("on_date")
    conditions = [
        Commitment.merchant_id == bindparam("merchant_id"),
        Commitment.status == CommitmentStatus.PUBLISHED,
        active_clause(),
        Offer.qualifies.in_([bindparam("card_kind"), Qualifies.BOTH]),
        (Offer.valid_from.is_(None)) | (Offer.valid_from <= on_date),
        (Offer.valid_until.is_(None)) | (Offer.valid_until >= on_date),
    ]
    if across:
        same_office = (
            select(Community.id)
            .where(
                Community.id == bindparam("merchant_community_id"),
                Community.street_office_id == bindparam("card_street_office_id"),
            )
            .exists()
        )
        conditions.insert(0, and_(Offer.open_to_street_office.is_(True), same_office))
    return (
        select(Offer)
        .join(Commitment, Commitment.id == Offer.commitment_id)
        .join(Merchant, Merchant.id == Commitment.merchant_id)
        .where(*conditions)
        .order_by(Offer.rate_percent, Offer.id)
    )

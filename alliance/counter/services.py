"""What the counter shows: the verification of a card and, for a member, the holder's points.

Services add and flush, never commit; views and the API commit once.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from alliance.accounts.models import User
from alliance.cards import codes
from alliance.cards.models import Card, CardStatus, CodeType
from alliance.clock import local_today
from alliance.commitments.models import CardKind
from alliance.commitments.offers import OfferTerms, offer_terms
from alliance.communities.models import Community
from alliance.database import read_rows
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant, MerchantStatus
from alliance.points.models import Exchange, ExchangeItem, PointsAccount
from alliance.validators import mask_name
from alliance.volunteers.models import VolunteerProfile, VolunteerStatus

REASON_LABELS = {
    "unknown": _l("无法识别的卡"),
    "suspended": _l("卡已暂停"),
    "expired": _l("卡已过期"),
    "not_yet_valid": _l("卡尚未生效"),
    "lost": _l("卡已挂失"),
    "revoked": _l("卡已注销"),
    "stale": _l("动态码已过期，请让持卡人刷新后重新出示"),
}


class CardRef(NamedTuple):
    """What a verification reads of a card, as columns: the verification API only reads the
    card, and loading it as an entity was a tenth of the request (bench/RESULTS.md, seventh
    session). Pages that show or change the card take the entity."""

    id: int
    number: str
    community_id: int
    kind: str
    holder_id: int
    status: str
    valid_from: date
    valid_until: date
    code: str
    rotating_id: str
    totp_secret: str


@dataclass
class Verification:
    valid: bool
    reason: str | None
    code_type: str | None
    card: Card | CardRef | None = None
    holder_masked: str = ""
    offers: list[OfferTerms] = field(default_factory=list)
    # The holder's points balance, read with the card (0 without an account).
    balance: int = 0

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS.get(self.reason, "")) if self.reason else ""


_Holder = aliased(User)


@cache
def _card_statement(by: str, as_ref: bool = False):
    """Built once per key column: building and keying a statement per request cost more than
    running it (bench/RESULTS.md)."""
    column = {"code": Card.code, "rotating": Card.rotating_id, "id": Card.id}[by]
    card = [getattr(Card, name) for name in CardRef._fields] if as_ref else [Card]
    return (
        select(
            *card,
            _Holder.display_name,
            VolunteerProfile.name,
            VolunteerProfile.status,
            Merchant.status,
            Community.street_office_id,
            PointsAccount.balance,
        )
        .join(_Holder, _Holder.id == Card.holder_id)
        .join(Community, Community.id == Card.community_id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == Card.holder_id)
        .outerjoin(Merchant, Merchant.id == Card.merchant_id)
        .outerjoin(PointsAccount, PointsAccount.user_id == Card.holder_id)
        .where(column == bindparam("key"))
    )


def _card_row(by: str, key, as_ref: bool = False):
    """One indexed query: the card (the entity, or a CardRef), its holder's name, volunteer
    and member status, and the holder's points balance."""
    if not as_ref:
        return db.session.execute(_card_statement(by), {"key": key}).first()
    row = read_rows(_card_statement(by, True), {"key": key}).first()
    if row is None:
        return None
    width = len(CardRef._fields)
    return (CardRef(*row[:width]), *row[width:])


def verify(
    raw_code,
    merchant: Merchant | None = None,
    *,
    now: datetime | None = None,
    with_offers: bool = True,
    as_ref: bool = False,
) -> Verification:
    """Is this a valid card right now, and what does it get at `merchant`?

    Never raises for bad input: anything that is not a current card is NOT VALID with a reason.
    Statements: one for the card, plus two for the merchant's offers when it is valid.
    `as_ref`: the card as a CardRef (columns), for callers that only read it.
    """
    parsed = codes.parse_code(raw_code)
    if parsed is None:
        return Verification(False, "unknown", None)
    row = _card_row("code" if parsed.kind == CodeType.STATIC else "rotating", parsed.key, as_ref)
    if row is None:
        return Verification(False, "unknown", None)
    now = now or utcnow()
    stale = parsed.kind == CodeType.ROTATING and not codes.rotating_matches(
        row[0].totp_secret, parsed.otp, now.timestamp()
    )
    return _judge(row, parsed.kind, merchant, now=now, stale=stale, with_offers=with_offers)


def verify_checkout(
    card_id: int,
    code_type: str,
    merchant: Merchant,
    *,
    now: datetime | None = None,
    with_offers: bool = True,
) -> Verification:
    """The card of an open checkout (alliance.counter.checkouts), judged again now: the same
    verdict as `verify`, except that the rotating code's time step has already been checked."""
    row = _card_row("id", card_id)
    if row is None:
        return Verification(False, "unknown", None)
    return _judge(row, code_type, merchant, now=now or utcnow(), with_offers=with_offers)


def _judge(row, code_type, merchant, *, now, stale=False, with_offers=True) -> Verification:
    card, display_name, volunteer_name, volunteer_status, merchant_status, office_id, points = row
    result = Verification(False, None, code_type, card, mask_name(volunteer_name or display_name))
    result.balance = points or 0
    today = local_today(now)
    if stale:
        result.reason = "stale"
    elif card.status != CardStatus.ACTIVE:
        result.reason = card.status
    elif today > card.valid_until:
        result.reason = "expired"
    elif today < card.valid_from:
        result.reason = "not_yet_valid"
    elif card.kind == CardKind.VOLUNTEER and volunteer_status != VolunteerStatus.ACTIVE:
        result.reason = "suspended"
    elif card.kind == CardKind.ALLIANCE and merchant_status != MerchantStatus.ACTIVE:
        result.reason = "revoked" if merchant_status == MerchantStatus.LEFT else "suspended"
    else:
        result.valid = True
    if result.valid and merchant is not None and with_offers:
        result.offers = offer_terms(
            merchant,
            card.kind,
            today,
            card_community_id=card.community_id,
            card_street_office_id=office_id,
        )
    return result


@dataclass(frozen=True)
class ItemOnOffer:
    """What the counter shows of an exchange item (read as columns with each verification)."""

    id: int
    title: str
    points: int
    stock: int
    per_person_limit: int | None


@dataclass
class CounterItem:
    item: ItemOnOffer
    used: int
    affordable: bool
    within_limit: bool

    @property
    def available(self) -> bool:
        return self.item.stock > 0 and self.affordable and self.within_limit


@cache
def _counter_items_statement():
    used = (
        select(Exchange.item_id, func.count(Exchange.id).label("n"))
        .where(
            Exchange.user_id == bindparam("user_id"),
            Exchange.merchant_id == bindparam("merchant_id"),
            Exchange.voided_at.is_(None),
        )
        .group_by(Exchange.item_id)
        .subquery()
    )
    return (
        select(
            ExchangeItem.id,
            ExchangeItem.title,
            ExchangeItem.points,
            ExchangeItem.stock,
            ExchangeItem.per_person_limit,
            func.coalesce(used.c.n, 0),
        )
        .outerjoin(used, used.c.item_id == ExchangeItem.id)
        .where(ExchangeItem.merchant_id == bindparam("merchant_id"), ExchangeItem.active)
        .order_by(ExchangeItem.points, ExchangeItem.id)
    )


def counter_items(merchant: Merchant, user_id: int, balance: int) -> list[CounterItem]:
    """The member's active items for this holder, with what they may exchange now (1 query)."""
    rows = read_rows(
        _counter_items_statement(), {"user_id": user_id, "merchant_id": merchant.id}
    ).all()
    items = []
    for *columns, n in rows:
        item = ItemOnOffer(*columns)
        items.append(
            CounterItem(
                item,
                n,
                item.points <= balance,
                item.per_person_limit is None or n < item.per_person_limit,
            )
        )
    return items


@dataclass(frozen=True)
class CounterView:
    """Everything the counter page (and the API's verification answer) shows, read up front.

    `balance` and `exchange_items` are None and [] unless the card is valid and a member asks.
    """

    verification: Verification
    merchant: Merchant | None
    balance: int | None = None
    exchange_items: list[CounterItem] = field(default_factory=list)

    @property
    def offers(self) -> list[OfferTerms]:
        return self.verification.offers


def spends_here(card: Card, merchant: Merchant) -> bool:
    """Points are spent only in the holder's community: its members give what its rules
    earned (README, "Cards across communities"). A card of another community sees no items."""
    return card.community_id == merchant.community_id


def counter_view(
    code, merchant: Merchant | None, result: Verification | None = None, *, as_ref=False
) -> CounterView:
    """The card's verdict (or the one given, an open checkout's), the member's offers for it,
    the holder's balance and the member's exchange items: a fixed number of statements.
    `as_ref`: the card as columns (see `verify`)."""
    result = result or verify(code, merchant, as_ref=as_ref)
    if (
        not result.valid
        or result.card is None
        or merchant is None
        or not spends_here(result.card, merchant)
    ):
        return CounterView(result, merchant)
    items = counter_items(merchant, result.card.holder_id, result.balance)
    return CounterView(result, merchant, result.balance, items)

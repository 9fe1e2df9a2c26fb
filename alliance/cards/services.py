"""Rules for cards: issue, status, verification, redemptions (核销) and reports.

Services add and flush, never commit; views, the API and the CLI commit once.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from alliance.accounts.models import User
from alliance.cards import codes
from alliance.cards.models import (
    Card,
    CardSequence,
    CardStatus,
    Redemption,
)
from alliance.clock import local_date, local_today, month_bounds
from alliance.commitments.models import CardKind
from alliance.communities.models import Community
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant, MerchantStaff, MerchantStatus
from alliance.notifications.services import notify
from alliance.volunteers.models import VolunteerProfile, VolunteerStatus

CARD_YEARS = 3


class CardError(DomainError):
    """A card rule said no."""

    code = "card_refused"


def scanned_card(text: str) -> tuple[Card | None, str]:
    """What a cashier or organiser scanned or typed: a card number, a code or a /c/<code> URL.

    Returns the card when the text is its printed number (else None) and the code to verify.
    """
    value = (text or "").strip()
    card = None
    if value and len(value) <= 24:
        card = db.session.scalars(select(Card).where(Card.number == value.upper())).first()
    return card, card.code if card is not None else codes.code_from_text(value)


# --- issue -------------------------------------------------------------------------------


def allocate_numbers(community: Community, count: int = 1) -> list[str]:
    """`count` new card numbers of the community, e.g. YSMZ-000123; safe under concurrency.

    One conditional UPDATE moves the counter (PostgreSQL holds the row lock to the commit;
    SQLite takes the write lock first); the first card of a community inserts the row, and
    the unique primary key sends a concurrent first insert back to the UPDATE.
    """
    lock_for_write()
    for _attempt in range(3):
        last = db.session.execute(
            update(CardSequence)
            .where(CardSequence.community_id == community.id)
            .values(last_value=CardSequence.last_value + count)
            .returning(CardSequence.last_value)
        ).scalar()
        if last is not None:
            break
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(CardSequence).values(community_id=community.id, last_value=count)
                )
            last = count
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - needs three lost races in a row
        raise CardError(_l("系统繁忙，请重试。"), code="busy", status=503)
    return [f"{community.code}-{n:06d}" for n in range(last - count + 1, last + 1)]


def _new_card(
    number: str,
    *,
    holder_id: int,
    community_id: int,
    kind: str,
    merchant_id: int | None,
    issued_by_id: int | None,
    today: date,
    replaces_id: int | None = None,
) -> Card:
    return Card(
        number=number,
        community_id=community_id,
        kind=kind,
        holder_id=holder_id,
        merchant_id=merchant_id,
        status=CardStatus.ACTIVE,
        valid_from=today,
        valid_until=today + timedelta(days=365 * CARD_YEARS),
        code=codes.new_static_code(),
        rotating_id=codes.new_rotating_id(),
        totp_secret=codes.new_totp_secret(),
        issued_by_id=issued_by_id,
        replaces_id=replaces_id,
    )


def current_card(holder_id: int, kind: str, merchant_id: int | None = None) -> Card | None:
    stmt = select(Card).where(
        Card.holder_id == holder_id,
        Card.kind == kind,
        Card.status.in_((CardStatus.ACTIVE, CardStatus.SUSPENDED)),
    )
    if merchant_id is not None:
        stmt = stmt.where(Card.merchant_id == merchant_id)
    return db.session.scalars(stmt.order_by(Card.id.desc())).first()


def issue_card(
    holder: User, kind: str, *, issued_by: User | None = None, merchant: Merchant | None = None
) -> Card:
    """A volunteer card for an active volunteer, or an alliance card for a member's staff."""
    if kind == CardKind.VOLUNTEER:
        profile = db.session.scalars(
            select(VolunteerProfile).where(VolunteerProfile.user_id == holder.id)
        ).first()
        if profile is None or profile.status != VolunteerStatus.ACTIVE:
            raise CardError(_l("只有在岗的志愿者可以领取志愿者卡。"), code="not_volunteer")
        community_id, merchant_id = profile.community_id, None
    elif kind == CardKind.ALLIANCE:
        if merchant is None:
            link = db.session.scalars(
                select(MerchantStaff)
                .where(MerchantStaff.user_id == holder.id)
                .order_by(MerchantStaff.id)
            ).first()
            merchant = link.merchant if link else None
        elif (
            db.session.scalar(
                select(MerchantStaff.id).where(
                    MerchantStaff.user_id == holder.id, MerchantStaff.merchant_id == merchant.id
                )
            )
            is None
        ):
            merchant = None
        if merchant is None:
            raise CardError(_l("只有联盟商户的员工可以领取共富联盟卡。"), code="not_staff")
        if merchant.status != MerchantStatus.ACTIVE:
            raise CardError(_l("该商户已暂停或退出联盟，不能发卡。"), code="merchant_inactive")
        community_id, merchant_id = merchant.community_id, merchant.id
    else:
        raise CardError(_l("请选择卡的种类。"), code="bad_kind")
    if current_card(holder.id, kind) is not None:
        raise CardError(_l("这个人已经有一张这种卡了。"), code="already_has_card", status=409)
    community = db.session.get(Community, community_id)
    number = allocate_numbers(community)[0]
    card = _new_card(
        number,
        holder_id=holder.id,
        community_id=community_id,
        kind=kind,
        merchant_id=merchant_id,
        issued_by_id=issued_by.id if issued_by else None,
        today=local_today(),
    )
    _add_current(card)
    notify(
        [holder.id], "card.issued", {"number": number}, link="/me/card", community_id=community_id
    )
    return card


def _add_current(card: Card) -> Card:
    """Insert a current card; the partial unique index refuses a second one of the holder's
    kind (a concurrent issue or reissue that passed the check above at the same moment)."""
    try:
        with db.session.begin_nested():
            db.session.add(card)
            db.session.flush()
    except IntegrityError:
        raise CardError(
            _l("这个人已经有一张这种卡了。"), code="already_has_card", status=409
        ) from None
    return card


def issue_on_volunteer_approval(profile: VolunteerProfile, reviewer: User | None) -> Card | None:
    """Called by the volunteers service when an application is approved."""
    if current_card(profile.user_id, CardKind.VOLUNTEER) is not None:
        return None
    holder = db.session.get(User, profile.user_id)
    return issue_card(holder, CardKind.VOLUNTEER, issued_by=reviewer)


def issue_cards_bulk(
    rows: list[tuple[int, int, str, int | None]],
    issued_by_id: int | None,
    today: date | None = None,
    issued_at: list[datetime] | None = None,
) -> int:
    """Demo and imports: (holder_id, community_id, kind, merchant_id) rows, numbers in blocks.
    `issued_at` (one aware moment per row): each card issued then, in force from that local
    day (the demo's cards were issued as their holders joined), numbered in that order."""
    now = utcnow()
    moments = issued_at or [now] * len(rows)
    by_community: dict[int, list] = {}
    for row, at in sorted(zip(rows, moments, strict=True), key=lambda pair: pair[1]):
        by_community.setdefault(row[1], []).append((row, at))
    made = 0
    for community_id, group in by_community.items():
        numbers = allocate_numbers(db.session.get(Community, community_id), len(group))
        values = []
        for number, ((holder_id, _c, kind, merchant_id), at) in zip(numbers, group, strict=True):
            card = _new_card(
                number,
                holder_id=holder_id,
                community_id=community_id,
                kind=kind,
                merchant_id=merchant_id,
                issued_by_id=issued_by_id,
                today=local_date(at) if issued_at else (today or local_today()),
            )
            values.append(
                {c.key: getattr(card, c.key) for c in Card.__table__.columns if c.key != "id"}
                | {"created_at": at}
            )
        db.session.execute(insert(Card), values)
        made += len(values)
    return made


# --- status ------------------------------------------------------------------------------

STATUS_ACTIONS = {
    "suspend": ((CardStatus.ACTIVE,), CardStatus.SUSPENDED),
    "reinstate": ((CardStatus.SUSPENDED,), CardStatus.ACTIVE),
    "lost": ((CardStatus.ACTIVE, CardStatus.SUSPENDED), CardStatus.LOST),
    "revoke": ((CardStatus.ACTIVE, CardStatus.SUSPENDED), CardStatus.REVOKED),
}


def change_status(card: Card, action: str, reason: str = "") -> Card:
    if action not in STATUS_ACTIONS:
        raise CardError(_l("请选择操作。"), code="bad_action")
    allowed, to_status = STATUS_ACTIONS[action]
    if card.status not in allowed:
        raise CardError(
            _l("这张卡当前为「%(status)s」，不能进行这个操作。", status=card.status_label),
            code="bad_transition",
            status=409,
        )
    card.status = to_status
    card.status_reason = (reason or "").strip()[:200]
    card.status_changed_at = utcnow()
    db.session.flush()
    if to_status == CardStatus.LOST:
        _tell_lost(card)
    return card


def _tell_lost(card: Card) -> None:
    notify(
        [card.holder_id],
        "card.lost",
        {"number": card.number},
        link="/me/card",
        community_id=card.community_id,
    )


def reissue(card: Card, actor: User | None, reason: str = "") -> Card:
    """Lost or damaged: the old card stops working now; a new number and new codes."""
    if card.status not in (
        CardStatus.ACTIVE,
        CardStatus.SUSPENDED,
        CardStatus.LOST,
        CardStatus.EXPIRED,
    ):
        raise CardError(_l("已注销的卡不能补办。"), code="bad_transition", status=409)
    if card.status != CardStatus.LOST:
        card.status = CardStatus.LOST
        card.status_reason = (reason or "").strip()[:200] or str(_l("补办新卡"))
        card.status_changed_at = utcnow()
    db.session.flush()  # the old card leaves "current" before the new one arrives
    community = db.session.get(Community, card.community_id)
    number = allocate_numbers(community)[0]
    new = _new_card(
        number,
        holder_id=card.holder_id,
        community_id=card.community_id,
        kind=card.kind,
        merchant_id=card.merchant_id,
        issued_by_id=actor.id if actor else None,
        today=local_today(),
        replaces_id=card.id,
    )
    _add_current(new)
    notify(
        [card.holder_id],
        "card.reissued",
        {"number": number},
        link="/me/card",
        community_id=card.community_id,
    )
    return new


# --- verification ------------------------------------------------------------------------


# --- redemptions -------------------------------------------------------------------------


# --- history and reports -----------------------------------------------------------------


def holder_history(user: User, limit: int = 100) -> tuple[list[Redemption], int, int]:
    """The holder's latest uses (with merchants; voided ones marked), how many in all and the
    total saved (voided uses counted in neither)."""
    rows = list(
        db.session.scalars(
            select(Redemption)
            .where(Redemption.holder_id == user.id)
            .join(Redemption.merchant)
            .join(Redemption.card)
            .options(contains_eager(Redemption.merchant), contains_eager(Redemption.card))
            .order_by(Redemption.created_at.desc(), Redemption.id.desc())
            .limit(limit)
        )
    )
    count, saved = db.session.execute(
        select(func.count(Redemption.id), func.coalesce(func.sum(Redemption.saving_fen), 0)).where(
            Redemption.holder_id == user.id, Redemption.voided_at.is_(None)
        )
    ).one()
    return rows, count, int(saved)


# --- the home page figure ----------------------------------------------------------------


def home_figures(community_ids) -> list[tuple[str, int]]:
    """The home page's figures (see alliance.hooks)."""
    cards = select(func.count(Card.id)).where(Card.status == CardStatus.ACTIVE)
    _label, start, end = month_bounds(None)
    month = select(
        func.count(Redemption.id), func.coalesce(func.sum(Redemption.saving_fen), 0)
    ).where(
        Redemption.local_day >= start, Redemption.local_day < end, Redemption.voided_at.is_(None)
    )
    if community_ids is not None:
        cards = cards.where(Card.community_id.in_(community_ids))
        month = month.where(Redemption.community_id.in_(community_ids))
    count, saved = db.session.execute(month).one()
    return [
        (_l("已发卡"), db.session.scalar(cards) or 0),
        (_l("本月核销"), count or 0),
        (_l("本月节省（元）"), int(saved or 0) // 100),
    ]

"""Rules for cards: issue, status, verification, redemptions (核销), reports and API tokens.

Services add and flush, never commit; views, the API and the CLI commit once.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager, joinedload

from alliance.accounts.models import User
from alliance.cards import codes
from alliance.cards.models import (
    ApiToken,
    Card,
    CardSequence,
    CardStatus,
    CodeType,
    Redemption,
)
from alliance.clock import local_today, month_bounds
from alliance.commitments.models import CardKind, Offer, UsagePeriod
from alliance.commitments.services import applicable_offers
from alliance.communities.models import Community
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.idempotency import clean_key, request_fingerprint
from alliance.merchants import services as merchant_services
from alliance.merchants.models import Merchant, MerchantStaff, MerchantStatus
from alliance.stars import services as stars
from alliance.validators import mask_name
from alliance.volunteers.models import VolunteerProfile, VolunteerStatus

CARD_YEARS = 3
MAX_BILL_FEN = 10_000_000  # 10万元: beyond this a bill is a typing mistake


class CardError(DomainError):
    """A card rule said no. `code` is stable (API), `message` is for people, `status` HTTP."""

    def __init__(self, code: str, message, status: int = 422):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.status = status


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
        raise CardError("busy", _l("系统繁忙，请重试。"), 503)
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
            raise CardError("not_volunteer", _l("只有在岗的志愿者可以领取志愿者卡。"))
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
            raise CardError("not_staff", _l("只有联盟商户的员工可以领取共富联盟卡。"))
        if merchant.status != MerchantStatus.ACTIVE:
            raise CardError("merchant_inactive", _l("该商户已暂停或退出联盟，不能发卡。"))
        community_id, merchant_id = merchant.community_id, merchant.id
    else:
        raise CardError("bad_kind", _l("请选择卡的种类。"))
    if current_card(holder.id, kind, merchant_id) is not None:
        raise CardError("already_has_card", _l("这个人已经有一张这种卡了。"), 409)
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
    db.session.add(card)
    db.session.flush()
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
) -> int:
    """Demo and imports: (holder_id, community_id, kind, merchant_id) rows, numbers in blocks."""
    today = today or local_today()
    by_community: dict[int, list] = {}
    for row in rows:
        by_community.setdefault(row[1], []).append(row)
    made = 0
    for community_id, group in by_community.items():
        numbers = allocate_numbers(db.session.get(Community, community_id), len(group))
        values = []
        for number, (holder_id, _c, kind, merchant_id) in zip(numbers, group, strict=True):
            card = _new_card(
                number,
                holder_id=holder_id,
                community_id=community_id,
                kind=kind,
                merchant_id=merchant_id,
                issued_by_id=issued_by_id,
                today=today,
            )
            values.append(
                {c.key: getattr(card, c.key) for c in Card.__table__.columns if c.key != "id"}
                | {"created_at": utcnow()}
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
        raise CardError("bad_action", _l("请选择操作。"))
    allowed, to_status = STATUS_ACTIONS[action]
    if card.status not in allowed:
        raise CardError(
            "bad_transition",
            _l("这张卡当前为「%(status)s」，不能进行这个操作。", status=card.status_label),
            409,
        )
    card.status = to_status
    card.status_reason = (reason or "").strip()[:200]
    card.status_changed_at = utcnow()
    db.session.flush()
    return card


def reissue(card: Card, actor: User | None, reason: str = "") -> Card:
    """Lost or damaged: the old card stops working now; a new number and new codes."""
    if card.status not in (
        CardStatus.ACTIVE,
        CardStatus.SUSPENDED,
        CardStatus.LOST,
        CardStatus.EXPIRED,
    ):
        raise CardError("bad_transition", _l("已注销的卡不能补办。"), 409)
    if card.status != CardStatus.LOST:
        card.status = CardStatus.LOST
        card.status_reason = (reason or "").strip()[:200] or str(_l("补办新卡"))
        card.status_changed_at = utcnow()
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
    db.session.add(new)
    db.session.flush()
    return new


# --- verification ------------------------------------------------------------------------

REASON_LABELS = {
    "unknown": _l("无法识别的卡"),
    "suspended": _l("卡已暂停"),
    "expired": _l("卡已过期"),
    "not_yet_valid": _l("卡尚未生效"),
    "lost": _l("卡已挂失"),
    "revoked": _l("卡已注销"),
    "stale": _l("动态码已过期，请让持卡人刷新后重新出示"),
}


@dataclass
class Verification:
    valid: bool
    reason: str | None
    code_type: str | None
    card: Card | None = None
    holder_masked: str = ""
    offers: list[Offer] = field(default_factory=list)

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS.get(self.reason, "")) if self.reason else ""


_Holder = aliased(User)


@cache
def _card_statement(static: bool):
    column = Card.code if static else Card.rotating_id
    return (
        select(
            Card,
            _Holder.display_name,
            VolunteerProfile.name,
            VolunteerProfile.status,
            Merchant.status,
        )
        .join(_Holder, _Holder.id == Card.holder_id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == Card.holder_id)
        .outerjoin(Merchant, Merchant.id == Card.merchant_id)
        .where(column == bindparam("key"))
    )


def _card_row(parsed: codes.ParsedCode):
    """One indexed query: the card, its holder's name, volunteer and member status."""
    statement = _card_statement(parsed.kind == CodeType.STATIC)
    return db.session.execute(statement, {"key": parsed.key}).first()


def verify(
    raw_code,
    merchant: Merchant | None = None,
    *,
    now: datetime | None = None,
    with_offers: bool = True,
) -> Verification:
    """Is this a valid card right now, and what does it get at `merchant`?

    Never raises for bad input: anything that is not a current card is NOT VALID with a reason.
    Statements: one for the card, plus two for the merchant's offers when it is valid.
    """
    parsed = codes.parse_code(raw_code)
    if parsed is None:
        return Verification(False, "unknown", None)
    row = _card_row(parsed)
    if row is None:
        return Verification(False, "unknown", None)
    card, display_name, volunteer_name, volunteer_status, merchant_status = row
    code_type = parsed.kind
    result = Verification(False, None, code_type, card, mask_name(volunteer_name or display_name))
    now = now or utcnow()
    today = local_today(now)
    if code_type == CodeType.ROTATING and not codes.rotating_matches(
        card.totp_secret, parsed.otp, now.timestamp()
    ):
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
        result.offers = applicable_offers(merchant, card.kind, today)
    return result


# --- redemptions -------------------------------------------------------------------------


def saving_fen(bill_fen: int | None, rate_percent: int) -> int | None:
    """bill − round_half_up(bill × rate / 100), all in fen.

    The customer pays the rate's share of the bill, rounded to the nearest fen with halves
    going up (¥12.34 at 8.5折: 1048.9 → pays 1049 fen, saves 185 fen). Decimal, never floats.
    """
    if bill_fen is None:
        return None
    pays = (Decimal(bill_fen) * Decimal(rate_percent) / Decimal(100)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return bill_fen - int(pays)


def period_key(period: str, day: date) -> str:
    if period == UsagePeriod.DAY:
        return day.isoformat()
    if period == UsagePeriod.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period == UsagePeriod.MONTH:
        return day.strftime("%Y-%m")
    return "-"


def _existing(merchant_id: int, key: str) -> Redemption | None:
    return db.session.scalars(
        select(Redemption).where(
            Redemption.merchant_id == merchant_id, Redemption.idempotency_key == key
        )
    ).first()


def _replay(existing: Redemption, print_: str) -> tuple[Redemption, bool]:
    if existing.fingerprint != print_:
        raise CardError("key_reused", _l("这个请求编号已用于另一次核销。"), 422)
    return existing, False


def redeem(
    *,
    merchant: Merchant,
    staff: User,
    raw_code: str,
    offer_id: int,
    bill_fen: int | None,
    idempotency_key: str,
    token: ApiToken | None = None,
    now: datetime | None = None,
) -> tuple[Redemption, bool]:
    """Record one use of an offer; returns (record, created). Same key again → same record.

    Exactly-once under concurrency: SQLite takes the write lock first; on PostgreSQL the
    unique constraints decide (a usage slot per (offer, card, period, n) and one row per
    (merchant, key)), and a loser re-reads the winner's row.
    """
    key = clean_key(idempotency_key)
    if key is None:
        raise CardError("bad_key", _l("缺少有效的请求编号（Idempotency-Key）。"), 400)
    if bill_fen is not None and (
        not isinstance(bill_fen, int) or not 0 <= bill_fen <= MAX_BILL_FEN
    ):
        raise CardError("bad_bill", _l("消费金额应在0到10万元之间。"), 422)
    print_ = request_fingerprint(raw_code, int(offer_id), bill_fen)
    lock_for_write()
    existing = _existing(merchant.id, key)
    if existing is not None:
        return _replay(existing, print_)
    if merchant.status != MerchantStatus.ACTIVE:
        raise CardError("merchant_inactive", _l("本店已暂停或退出联盟，不能核销。"), 403)
    now = now or utcnow()
    check = verify(raw_code, merchant, now=now)
    if not check.valid:
        raise CardError("invalid_card", check.reason_label or _l("无效的卡"), 422)
    offer = next((o for o in check.offers if o.id == offer_id), None)
    if offer is None:
        raise CardError("offer_not_applicable", _l("这张卡不能使用这项优惠。"), 422)
    if offer.requires_rotating and check.code_type != CodeType.ROTATING:
        raise CardError(
            "rotating_required", _l("这项优惠需要出示手机上的动态码，打印卡或截图不能使用。"), 422
        )
    below_level = stars.offer_level_refusal(offer, check.card)
    if below_level:
        raise CardError("star_level_required", below_level, 422)
    today = local_today(now)
    limited = offer.usage_period != UsagePeriod.UNLIMITED and offer.usage_limit
    pkey = period_key(offer.usage_period, today)
    card = check.card
    slots = range(1, offer.usage_limit + 1) if limited else [None]
    for slot in slots:
        record = Redemption(
            card_id=card.id,
            holder_id=card.holder_id,
            offer_id=offer.id,
            merchant_id=merchant.id,
            community_id=merchant.community_id,
            staff_id=staff.id,
            token_id=token.id if token else None,
            code_type=check.code_type,
            offer_title=offer.commitment.title[:120],
            rate_percent=offer.rate_percent,
            bill_fen=bill_fen,
            saving_fen=saving_fen(bill_fen, offer.rate_percent),
            period_key=pkey,
            local_day=today,
            slot=slot,
            idempotency_key=key,
            fingerprint=print_,
            created_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(record)
                db.session.flush()
        except IntegrityError:
            existing = _existing(merchant.id, key)
            if existing is not None:
                return _replay(existing, print_)
            continue
        return record, True
    raise CardError(
        "limit_reached",
        _l("这张卡的这项优惠已达到使用次数上限（%(usage)s）。", usage=offer.usage_label),
        409,
    )


# --- history and reports -----------------------------------------------------------------


def holder_history(user: User, limit: int = 100) -> tuple[list[Redemption], int, int]:
    """The holder's latest uses (with merchants), how many in all and the total saved."""
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
            Redemption.holder_id == user.id
        )
    ).one()
    return rows, count, int(saved)


def redemptions_between(where, start: date, end: date, limit: int | None = None):
    stmt = (
        select(Redemption)
        .where(where, Redemption.local_day >= start, Redemption.local_day < end)
        .join(Redemption.card)
        .join(Redemption.merchant)
        .options(contains_eager(Redemption.card), contains_eager(Redemption.merchant))
        .order_by(Redemption.created_at, Redemption.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt)


def daily_totals(where, first_day: date, end_day: date) -> list[dict]:
    """Per local day from first_day (inclusive) to end_day (exclusive): one grouped query."""
    rows = db.session.execute(
        select(
            Redemption.local_day,
            func.count(Redemption.id),
            func.coalesce(func.sum(Redemption.bill_fen), 0),
            func.coalesce(func.sum(Redemption.saving_fen), 0),
        )
        .where(where, Redemption.local_day >= first_day, Redemption.local_day < end_day)
        .group_by(Redemption.local_day)
        .order_by(Redemption.local_day.desc())
    )
    return [{"day": d, "count": c, "bill": int(b), "saving": int(s)} for d, c, b, s in rows]


def monthly_totals(where, months: int = 12, today: date | None = None) -> list[dict]:
    """The last `months` months, newest first (from the daily groups: at most 366 rows)."""
    today = today or local_today()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    result: dict[str, dict] = {}
    for row in daily_totals(where, first, today + timedelta(days=1)):
        m = result.setdefault(row["day"].strftime("%Y-%m"), {"count": 0, "bill": 0, "saving": 0})
        for k in ("count", "bill", "saving"):
            m[k] += row[k]
    return [{"month": k, **v} for k, v in sorted(result.items(), reverse=True)]


def totals(where, start: date, end: date) -> dict:
    count, bill, saving = db.session.execute(
        select(
            func.count(Redemption.id),
            func.coalesce(func.sum(Redemption.bill_fen), 0),
            func.coalesce(func.sum(Redemption.saving_fen), 0),
        ).where(where, Redemption.local_day >= start, Redemption.local_day < end)
    ).one()
    return {"count": count, "bill": int(bill), "saving": int(saving)}


def totals_by_member(community_ids, start: date, end: date) -> list[dict]:
    rows = db.session.execute(
        select(
            Merchant.id,
            Merchant.number,
            Merchant.name,
            Community.name,
            func.count(Redemption.id),
            func.coalesce(func.sum(Redemption.bill_fen), 0),
            func.coalesce(func.sum(Redemption.saving_fen), 0),
        )
        .join(Redemption, Redemption.merchant_id == Merchant.id)
        .join(Community, Community.id == Merchant.community_id)
        .where(
            Redemption.community_id.in_(community_ids),
            Redemption.local_day >= start,
            Redemption.local_day < end,
        )
        .group_by(Merchant.id, Merchant.number, Merchant.name, Community.name)
        .order_by(Community.name, Merchant.number)
    )
    return [
        {
            "merchant_id": r[0],
            "number": r[1],
            "name": r[2],
            "community": r[3],
            "count": r[4],
            "bill": int(r[5]),
            "saving": int(r[6]),
        }
        for r in rows
    ]


# --- API tokens --------------------------------------------------------------------------

TOKEN_PREFIX = "alc_"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, merchant: Merchant, name: str) -> tuple[ApiToken, str]:
    """A new cashier token; the raw value is returned once and never stored."""
    if not merchant_services.is_active_staff(user, merchant):
        raise CardError("not_staff", _l("只有正常营业的联盟商户员工可以创建接口密钥。"), 403)
    name = (name or "").strip()[:60] or str(_l("收银系统"))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        merchant_id=merchant.id,
        name=name,
        token_hash=_hash_token(raw),
        prefix=raw[:10],
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def _token_hash_or_none(raw) -> str | None:
    if not raw or not isinstance(raw, str) or len(raw) > 100 or not raw.startswith(TOKEN_PREFIX):
        return None
    return _hash_token(raw)


@dataclass(frozen=True)
class TokenGrant:
    """What a cashier token may do, read in one statement: the counter API's hot path."""

    id: int
    user_id: int
    user_active: bool
    is_staff: bool
    last_used_at: datetime | None
    merchant: Merchant

    @property
    def merchant_id(self) -> int:
        return self.merchant.id

    @property
    def allowed(self) -> bool:
        return self.user_active and self.is_staff and self.merchant.is_active

    def token(self) -> ApiToken:
        """The token with its user, for the write paths (redemptions, exchanges)."""
        return db.session.get(ApiToken, self.id, options=[joinedload(ApiToken.user)])


@cache
def _grant_statement():
    # Built once: a statement built per call costs more to assemble and key than to run.
    staff = (
        select(MerchantStaff.id)
        .where(
            MerchantStaff.user_id == ApiToken.user_id,
            MerchantStaff.merchant_id == ApiToken.merchant_id,
        )
        .exists()
    )
    return (
        select(ApiToken.id, ApiToken.user_id, User.active, staff, ApiToken.last_used_at, Merchant)
        .join(User, User.id == ApiToken.user_id)
        .join(Merchant, Merchant.id == ApiToken.merchant_id)
        .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
    )


def grant_for(raw: str | None) -> TokenGrant | None:
    """The active token's user, staff link and merchant, or None; one statement."""
    token_hash = _token_hash_or_none(raw)
    if token_hash is None:
        return None
    row = db.session.execute(_grant_statement(), {"token_hash": token_hash}).first()
    return TokenGrant(*row) if row else None


def touch_token(token_id: int, now: datetime) -> None:
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def user_for_token(raw: str | None) -> User | None:
    """For other APIs (e.g. Open311 api_key): the user a cashier token acts for, or None."""
    grant = grant_for(raw)
    if grant is None or not grant.user_active:
        return None
    return db.session.get(User, grant.user_id)


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .options(joinedload(ApiToken.merchant))
            .order_by(ApiToken.id.desc())
        )
    )


# --- the home page figure ----------------------------------------------------------------


def home_figures(community_ids) -> list[tuple[str, int]]:
    """The home page's figures (see alliance.hooks)."""
    cards = select(func.count(Card.id)).where(Card.status == CardStatus.ACTIVE)
    _label, start, end = month_bounds(None)
    month = select(
        func.count(Redemption.id), func.coalesce(func.sum(Redemption.saving_fen), 0)
    ).where(Redemption.local_day >= start, Redemption.local_day < end)
    if community_ids is not None:
        cards = cards.where(Card.community_id.in_(community_ids))
        month = month.where(Redemption.community_id.in_(community_ids))
    count, saved = db.session.execute(month).one()
    return [
        (_l("已发卡"), db.session.scalar(cards) or 0),
        (_l("本月核销"), count or 0),
        (_l("本月节省（元）"), int(saved or 0) // 100),
    ]

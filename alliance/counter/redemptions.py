"""Redemptions (核销): one use of a member's offer on a valid card, exactly once per key."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from alliance.accounts.models import User
from alliance.api.models import ApiToken
from alliance.cards.models import CodeType, Redemption
from alliance.cards.services import CardError
from alliance.clock import local_today
from alliance.commitments.models import UsagePeriod
from alliance.counter import checkouts
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.idempotency import clean_key, request_fingerprint
from alliance.merchants.models import Merchant, MerchantStatus
from alliance.stars import services as stars

MAX_BILL_FEN = 10_000_000  # 10万元: beyond this a bill is a typing mistake
CONFIRM_ABOVE_FEN = 200_000  # ¥2,000: a larger bill is recorded only when confirmed
CONFIRM_TIMES_MEDIAN = 10  # … and so is one above ten times the member's median bill
MEDIAN_SAMPLE = 200  # the member's latest bills the median is taken over


def median_bill(merchant_id: int) -> int | None:
    """The member's median bill over its latest counted redemptions with a bill (one query)."""
    bills = sorted(
        db.session.scalars(
            select(Redemption.bill_fen)
            .where(
                Redemption.merchant_id == merchant_id,
                Redemption.bill_fen.is_not(None),
                Redemption.voided_at.is_(None),
            )
            .order_by(Redemption.id.desc())
            .limit(MEDIAN_SAMPLE)
        )
    )
    if not bills:
        return None
    middle = len(bills) // 2
    return bills[middle] if len(bills) % 2 else (bills[middle - 1] + bills[middle]) // 2


def needs_confirmation(merchant_id: int, bill_fen: int | None) -> bool:
    """More than ¥2,000, or more than ten times the member's median bill."""
    if not bill_fen:
        return False
    if bill_fen > CONFIRM_ABOVE_FEN:
        return True
    median = median_bill(merchant_id)
    return bool(median) and bill_fen > CONFIRM_TIMES_MEDIAN * median


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
        raise CardError(_l("这个请求编号已用于另一次核销。"), code="key_reused", status=422)
    return existing, False


def redeem(
    *,
    merchant: Merchant,
    staff: User,
    raw_code: str | None,
    offer_id: int,
    bill_fen: int | None,
    idempotency_key: str,
    token: ApiToken | None = None,
    now: datetime | None = None,
    confirmed: bool = False,
    verification_id: str | None = None,
) -> tuple[Redemption, bool]:
    """Record one use of an offer; returns (record, created). Same key again → same record.

    Exactly-once under concurrency: SQLite takes the write lock first; on PostgreSQL the
    unique constraints decide (a usage slot per (offer, card, period, n) and one row per
    (merchant, key)), and a loser re-reads the winner's row.

    A bill far above the member's usual (`needs_confirmation`) is refused with the code
    `confirm_required` unless `confirmed`: a slip of the decimal point costs a second look.
    With `verification_id` (alliance.counter.checkouts) in place of the code, the open checkout
    names the card; the redemption uses it up.
    """
    key = clean_key(idempotency_key)
    if key is None:
        raise CardError(_l("缺少有效的请求编号（Idempotency-Key）。"), code="bad_key", status=400)
    if bill_fen is not None and (
        not isinstance(bill_fen, int) or not 0 <= bill_fen <= MAX_BILL_FEN
    ):
        raise CardError(_l("消费金额应在0到10万元之间。"), code="bad_bill", status=422)
    print_ = request_fingerprint(
        checkouts.source_fingerprint(raw_code, verification_id), int(offer_id), bill_fen
    )
    lock_for_write()
    existing = _existing(merchant.id, key)
    if existing is not None:
        return _replay(existing, print_)
    if merchant.status != MerchantStatus.ACTIVE:
        raise CardError(
            _l("本店已暂停或退出联盟，不能核销。"), code="merchant_inactive", status=403
        )
    now = now or utcnow()
    check, claim = checkouts.verify_for_operation(
        merchant, raw_code=raw_code, verification_id=verification_id, now=now
    )
    if not check.valid:
        raise CardError(check.reason_label or _l("无效的卡"), code="invalid_card", status=422)
    offer = next((o for o in check.offers if o.id == offer_id), None)
    if offer is None:
        raise CardError(_l("这张卡不能使用这项优惠。"), code="offer_not_applicable", status=422)
    if offer.requires_rotating and check.code_type != CodeType.ROTATING:
        raise CardError(
            _l("这项优惠需要出示手机上的动态码，打印卡或截图不能使用。"),
            code="rotating_required",
            status=422,
        )
    below_level = stars.offer_level_refusal(offer, check.card)
    if below_level:
        raise CardError(below_level, code="star_level_required", status=422)
    if not confirmed and needs_confirmation(merchant.id, bill_fen):
        raise CardError(
            _l(
                "消费金额 ¥%(bill)s 远高于本店平常的金额，请核对；无误请勾选确认后再提交。",
                bill=f"{bill_fen // 100:,}.{bill_fen % 100:02d}",
            ),
            code="confirm_required",
            status=422,
            field="confirm",
        )
    if claim is not None:
        try:
            checkouts.use_up(claim, now)
        except checkouts.CheckoutError:
            existing = _existing(merchant.id, key)  # the same request, racing itself
            if existing is not None:
                return _replay(existing, print_)
            raise
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
            offer_title=offer.title[:120],
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
        _l("这张卡的这项优惠已达到使用次数上限（%(usage)s）。", usage=offer.usage_label),
        code="limit_reached",
        status=409,
    )

"""Exchanges (积分兑换): one item for points at the counter, exactly once per key."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from alliance.accounts.models import User
from alliance.counter import checkouts
from alliance.counter.services import spends_here
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.idempotency import clean_key, request_fingerprint
from alliance.merchants.models import Merchant, MerchantStatus
from alliance.points.errors import PointsError
from alliance.points.ledger import balance_of, post_entry
from alliance.points.models import EntryKind, Exchange, ExchangeItem


def _existing_exchange(merchant_id: int, key: str) -> Exchange | None:
    return db.session.scalars(
        select(Exchange).where(Exchange.merchant_id == merchant_id, Exchange.idempotency_key == key)
    ).first()


def _replay(existing: Exchange, print_: str) -> tuple[Exchange, bool]:
    if existing.fingerprint != print_:
        raise PointsError(_l("这个请求编号已用于另一次兑换。"), code="key_reused", status=422)
    return existing, False


def exchange(
    *,
    merchant: Merchant,
    staff: User,
    raw_code,
    item_id,
    idempotency_key: str,
    token=None,
    now: datetime | None = None,
    verification_id: str | None = None,
) -> tuple[Exchange, bool]:
    """Exchange one item for points; returns (exchange, created). Same key again → same record.

    One transaction: the exchange row (its unique key and per-person slot decide races), stock
    −1 and balance −points by conditional UPDATEs, and the spend entry. Any refusal raises and
    the caller rolls back, so nothing is half-saved. With `verification_id` in place of the
    code, the open checkout names the card (alliance.counter.checkouts) and is used up.
    """
    key = clean_key(idempotency_key)
    if key is None:
        raise PointsError(_l("缺少有效的请求编号（Idempotency-Key）。"), code="bad_key", status=400)
    if isinstance(item_id, bool) or not isinstance(item_id, int):
        raise PointsError(_l("请选择兑换项目。"), code="bad_item", status=422)
    print_ = request_fingerprint(checkouts.source_fingerprint(raw_code, verification_id), item_id)
    lock_for_write()
    existing = _existing_exchange(merchant.id, key)
    if existing is not None:
        return _replay(existing, print_)
    if merchant.status != MerchantStatus.ACTIVE:
        raise PointsError(
            _l("本店已暂停或退出联盟，不能兑换。"), code="merchant_inactive", status=403
        )
    now = now or utcnow()
    check, claim = checkouts.verify_for_operation(
        merchant, raw_code=raw_code, verification_id=verification_id, now=now, with_offers=False
    )
    if not check.valid:
        raise PointsError(check.reason_label or _l("无效的卡"), code="invalid_card", status=422)
    item = db.session.get(ExchangeItem, item_id)
    if item is None or item.merchant_id != merchant.id or not item.active:
        raise PointsError(_l("本店没有这个兑换项目。"), code="item_not_available", status=422)
    card = check.card
    if not spends_here(card, merchant):
        raise PointsError(_l("积分只能在持卡人所在社区的联盟商户兑换。"), code="other_community")
    if claim is not None:
        try:
            checkouts.use_up(claim, now)
        except checkouts.CheckoutError:
            existing = _existing_exchange(merchant.id, key)  # the same request, racing itself
            if existing is not None:
                return _replay(existing, print_)
            raise
    holder_id = card.holder_id
    cost, title = item.points, item.title
    slots = range(1, item.per_person_limit + 1) if item.per_person_limit else [None]
    record = None
    for slot in slots:
        candidate = Exchange(
            item_id=item.id,
            merchant_id=merchant.id,
            community_id=merchant.community_id,
            user_id=holder_id,
            card_id=card.id,
            staff_id=staff.id if staff else None,
            token_id=token.id if token else None,
            item_title=title,
            points=cost,
            balance_after=0,
            slot=slot,
            idempotency_key=key,
            fingerprint=print_,
            created_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(candidate)
                db.session.flush()
        except IntegrityError:
            existing = _existing_exchange(merchant.id, key)
            if existing is not None:
                return _replay(existing, print_)
            continue
        record = candidate
        break
    if record is None:
        raise PointsError(
            _l("每人限兑%(n)d次，这位持卡人已经兑完了。", n=item.per_person_limit),
            code="limit_reached",
            status=409,
        )
    took = db.session.execute(
        update(ExchangeItem)
        .where(ExchangeItem.id == item.id, ExchangeItem.stock >= 1)
        .values(stock=ExchangeItem.stock - 1)
    ).rowcount
    if took != 1:
        raise PointsError(
            _l("「%(t)s」已经兑完了，没有库存。", t=title), code="out_of_stock", status=409
        )
    holder = db.session.get(User, holder_id)
    try:
        entry = post_entry(
            user_id=holder_id,
            community_id=holder.community_id or card.community_id,
            kind=EntryKind.SPEND,
            delta=-cost,
            reason=f"{merchant.name}：{title}"[:200],
            actor_id=staff.id if staff else None,
            exchange_id=record.id,
            now=now,
        )
    except PointsError as exc:
        if exc.code == "insufficient_points":
            raise PointsError(
                _l(
                    "积分不足：需要%(need)d分，余额%(have)d分。",
                    need=cost,
                    have=balance_of(holder_id),
                ),
                code="insufficient_points",
                status=409,
            ) from exc
        raise
    record.balance_after = entry.balance_after
    db.session.flush()
    return record, True

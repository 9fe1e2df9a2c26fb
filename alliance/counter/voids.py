"""Voids (作废): taking back a mistaken redemption or points exchange, with a reason.

Who may void, and until when:
- the member's staff: within 30 minutes of the record;
- the member's owner: the same local day (Asia/Shanghai);
- the community's secretary: at any time.

A void is one conditional UPDATE (`voided_at IS NULL`), so a second void, or two at once, finds
nothing to change and answers 409; the points and the stock are given back only by the one
that won. The row stays (who, when, why); every figure and report leaves it out, and its usage
or per-person slot is freed. The holder is told; the void is audited whoever makes it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from alliance.accounts.models import Role, User
from alliance.audit.services import record_action
from alliance.cards.models import Redemption
from alliance.clock import local_date
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant, MerchantStaff
from alliance.notifications.kinds import register_kind
from alliance.notifications.services import notify
from alliance.points.ledger import post_entry
from alliance.points.models import EntryKind, Exchange, ExchangeItem

STAFF_WINDOW = timedelta(minutes=30)
REASON_MAX = 200

register_kind(
    "counter.redemption_voided",
    label=_l("核销作废"),
    title=_l("您在%(merchant)s的一次核销（%(offer)s）已作废"),
    body=_l("原因：%(reason)s"),
)
register_kind(
    "counter.exchange_voided",
    label=_l("兑换作废"),
    title=_l("您在%(merchant)s兑换的“%(item)s”已作废，%(points)s 积分已退回"),
    body=_l("原因：%(reason)s"),
)


class VoidError(DomainError):
    code = "void_refused"
    status = 422


@dataclass(frozen=True)
class VoidRight:
    """What a person may do with one record: see it (else 404) and void it now (else why not)."""

    visible: bool
    allowed: bool
    refusal: str = ""


def _staff_link(user: User, merchant_id: int) -> MerchantStaff | None:
    if not user.has_role(Role.MERCHANT_STAFF):
        return None
    return db.session.scalars(
        select(MerchantStaff).where(
            MerchantStaff.user_id == user.id, MerchantStaff.merchant_id == merchant_id
        )
    ).first()


def void_right(record: Redemption | Exchange, user: User, now: datetime | None = None) -> VoidRight:
    """The rule above, for `user` and `record` at `now`."""
    if user is None or not user.is_authenticated:
        return VoidRight(False, False)
    now = now or utcnow()
    if record.voided_at is not None:
        visible = user.has_role(Role.SECRETARY) and user.community_id == record.community_id
        visible = visible or _staff_link(user, record.merchant_id) is not None
        return VoidRight(visible, False, str(_l("这条记录已经作废了。")))
    if user.has_role(Role.SECRETARY) and user.community_id == record.community_id:
        return VoidRight(True, True)
    link = _staff_link(user, record.merchant_id)
    if link is None:
        return VoidRight(False, False)
    if link.is_owner and local_date(now) == local_date(record.created_at):
        return VoidRight(True, True)
    if now - record.created_at <= STAFF_WINDOW:
        return VoidRight(True, True)
    if link.is_owner:
        return VoidRight(True, False, str(_l("当天的记录店主可以作废；已过当天，请联系社区书记。")))
    return VoidRight(True, False, str(_l("店员只能在30分钟内作废；请联系店主（当天）或社区书记。")))


def clean_reason(reason) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise VoidError(_l("请写明作废的原因。"), code="reason_required", field="reason")
    if len(text) > REASON_MAX:
        raise VoidError(
            _l("原因最多%(n)d个字。", n=REASON_MAX), code="reason_too_long", field="reason"
        )
    return text


def _check(record, actor: User, now: datetime) -> None:
    right = void_right(record, actor, now)
    if not right.visible:
        raise VoidError(_l("找不到这条记录。"), code="not_found", status=404)
    if record.voided_at is not None:
        raise VoidError(_l("这条记录已经作废了。"), code="already_voided", status=409)
    if not right.allowed:
        raise VoidError(right.refusal, code="void_too_late", status=403)


def _mark(model, record_id: int, actor: User, reason: str, now: datetime) -> bool:
    """The one conditional UPDATE: True for the one void that takes the record."""
    return (
        db.session.execute(
            update(model)
            .where(model.id == record_id, model.voided_at.is_(None))
            .values(voided_at=now, voided_by_id=actor.id, void_reason=reason, slot=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _already() -> VoidError:
    return VoidError(_l("这条记录已经作废了。"), code="already_voided", status=409)


def _merchant_name(merchant_id: int) -> str:
    return db.session.scalar(select(Merchant.name).where(Merchant.id == merchant_id)) or ""


def void_redemption(
    record_id: int, *, actor: User, reason, now: datetime | None = None
) -> Redemption:
    """Void one redemption (see the module's rule). Raises VoidError: 404, 403, 409 or 422."""
    text = clean_reason(reason)
    now = now or utcnow()
    lock_for_write()
    record = db.session.get(Redemption, record_id)
    if record is None:
        raise VoidError(_l("找不到这条记录。"), code="not_found", status=404)
    _check(record, actor, now)
    if not _mark(Redemption, record.id, actor, text, now):
        raise _already()
    db.session.refresh(record)
    record_action(
        record,
        actor=actor,
        action="void",
        before={"voided_at": None, "saving_fen": record.saving_fen, "bill_fen": record.bill_fen},
        after={"voided_at": now, "void_reason": text},
    )
    notify(
        [record.holder_id],
        "counter.redemption_voided",
        {
            "merchant": _merchant_name(record.merchant_id),
            "offer": record.offer_title,
            "reason": text,
        },
        link="/me/card/history",
        community_id=record.community_id,
    )
    return record


def void_exchange(record_id: int, *, actor: User, reason, now: datetime | None = None) -> Exchange:
    """Void one exchange: its points back to the holder (a correcting ledger entry) and one
    back to the item's stock, both only by the void that took the record."""
    text = clean_reason(reason)
    now = now or utcnow()
    lock_for_write()
    record = db.session.get(Exchange, record_id)
    if record is None:
        raise VoidError(_l("找不到这条记录。"), code="not_found", status=404)
    _check(record, actor, now)
    if not _mark(Exchange, record.id, actor, text, now):
        raise _already()
    db.session.execute(
        update(ExchangeItem)
        .where(ExchangeItem.id == record.item_id)
        .values(stock=ExchangeItem.stock + 1)
        .execution_options(synchronize_session=False)
    )
    holder = db.session.get(User, record.user_id)
    merchant = _merchant_name(record.merchant_id)
    post_entry(
        user_id=record.user_id,
        community_id=holder.community_id or record.community_id,
        kind=EntryKind.ADJUST,
        delta=record.points,
        reason=f"{merchant}：{record.item_title}"[:200],
        actor_id=actor.id,
        idempotency_key=f"void-exchange-{record.id}",
        now=now,
    )
    db.session.refresh(record)
    record_action(
        record,
        actor=actor,
        action="void",
        before={"voided_at": None, "points": record.points},
        after={"voided_at": now, "void_reason": text},
    )
    notify(
        [record.user_id],
        "counter.exchange_voided",
        {"merchant": merchant, "item": record.item_title, "points": record.points, "reason": text},
        link="/me/points",
        community_id=record.community_id,
    )
    return record

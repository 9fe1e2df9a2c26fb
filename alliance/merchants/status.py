"""A member's status (active, suspended, left): the rule other domains use (only an active
member's commitments and offers apply), changing it, and the home page's figure.

Services flush and never commit; the view (or the CLI, or the demo) commits once.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select

from alliance.accounts.models import User
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.errors import MembershipError
from alliance.merchants.models import Merchant, MerchantStatus, MerchantStatusChange


def is_active(merchant: Merchant | None) -> bool:
    """Only an active member's commitments and offers apply; suspended or departed ones don't."""
    return merchant is not None and merchant.status == MerchantStatus.ACTIVE


def active_clause():
    """SQL condition for joins: `.join(Merchant).where(active_clause())`."""
    return Merchant.status == MerchantStatus.ACTIVE


def active_merchant_ids():
    """A subquery of active members' ids, for `.where(X.merchant_id.in_(active_merchant_ids()))`."""
    return select(Merchant.id).where(active_clause())


# action → (allowed from, to)
STATUS_ACTIONS = {
    "suspend": ((MerchantStatus.ACTIVE,), MerchantStatus.SUSPENDED),
    "reinstate": ((MerchantStatus.SUSPENDED,), MerchantStatus.ACTIVE),
    "leave": ((MerchantStatus.ACTIVE, MerchantStatus.SUSPENDED), MerchantStatus.LEFT),
}


def change_status(
    merchant: Merchant, actor: User, action: str, reason: str
) -> MerchantStatusChange:
    if action not in STATUS_ACTIONS:
        raise MembershipError(_("请选择操作。"), code="bad_action")
    reason = (reason or "").strip()
    if not reason:
        raise MembershipError(_("请填写原因。"), code="reason_required")
    allowed_from, to_status = STATUS_ACTIONS[action]
    if merchant.status not in allowed_from:
        raise MembershipError(
            _("商户当前状态为「%(status)s」，不能进行这个操作。", status=merchant.status_label),
            code="bad_transition",
        )
    change = MerchantStatusChange(
        merchant_id=merchant.id,
        community_id=merchant.community_id,
        from_status=merchant.status,
        to_status=to_status,
        reason=reason[:200],
        actor_id=actor.id if actor else None,
    )
    merchant.status = to_status
    merchant.status_reason = reason[:200]
    merchant.status_changed_at = utcnow()
    db.session.add(change)
    db.session.flush()
    return change


def home_figures(community_ids) -> list[tuple[str, int]]:
    """The home page's figures (see alliance.hooks)."""
    stmt = select(func.count(Merchant.id)).where(active_clause())
    if community_ids is not None:
        stmt = stmt.where(Merchant.community_id.in_(community_ids))
    return [(_l("联盟商户"), db.session.scalar(stmt) or 0)]

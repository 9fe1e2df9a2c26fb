"""A commitment's life after drafting: submission, approval (公示), rejection, withdrawal,
corrections (new versions of a lineage) and its history.

Services add and flush, never commit; views (and the CLI/demo) commit once.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from alliance.accounts.models import User
from alliance.commitments.drafting import TEXT_MAX, refresh_search_text
from alliance.commitments.errors import CommitmentError, WrongState, require_status
from alliance.commitments.models import Commitment, CommitmentStatus, Offer, ServiceDetail
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import MerchantStaff, MerchantStatus
from alliance.notifications.services import notify


def submit_commitment(commitment: Commitment) -> None:
    require_status(
        commitment,
        CommitmentStatus.DRAFT,
        CommitmentStatus.REJECTED,
        message=_l("这条承诺已经提交过了。"),
    )
    if commitment.merchant.status != MerchantStatus.ACTIVE:
        raise WrongState(_l("该商户已暂停或退出联盟，不能提交承诺。"))
    commitment.status = CommitmentStatus.PENDING
    commitment.submitted_at = utcnow()
    commitment.reason = ""
    db.session.flush()


def approve_commitment(commitment: Commitment, secretary: User) -> None:
    """Publish (公示). A correction supersedes the published version of its lineage."""
    require_status(commitment, CommitmentStatus.PENDING, message=_l("只有待审核的承诺可以审核。"))
    if commitment.merchant.status != MerchantStatus.ACTIVE:
        raise WrongState(_l("该商户已暂停或退出联盟，不能公示承诺。"))
    now = utcnow()
    previous = db.session.scalars(
        select(Commitment).where(
            Commitment.lineage == commitment.lineage,
            Commitment.id != commitment.id,
            Commitment.status == CommitmentStatus.PUBLISHED,
        )
    ).all()
    for old in previous:
        old.status = CommitmentStatus.SUPERSEDED
        old.superseded_at = now
    commitment.status = CommitmentStatus.PUBLISHED
    commitment.published_at = now
    commitment.decided_at = now
    commitment.decided_by_id = secretary.id
    commitment.reason = ""
    db.session.flush()
    tell_staff(commitment, "commitment.approved")


def _reason(text) -> str:
    reason = (text or "").strip()
    if not reason:
        raise CommitmentError(_l("请填写原因。"), field="reason")
    if len(reason) > TEXT_MAX:
        raise CommitmentError(_l("原因不能超过%(n)d个字。", n=TEXT_MAX), field="reason")
    return reason


def reject_commitment(commitment: Commitment, secretary: User, reason: str) -> None:
    require_status(commitment, CommitmentStatus.PENDING, message=_l("只有待审核的承诺可以退回。"))
    commitment.reason = _reason(reason)
    commitment.status = CommitmentStatus.REJECTED
    commitment.decided_at = utcnow()
    commitment.decided_by_id = secretary.id
    db.session.flush()
    tell_staff(commitment, "commitment.rejected", reason=commitment.reason[:200])


def tell_staff(commitment: Commitment, kind: str, **params) -> None:
    """The member's staff hear what happened to their commitment."""
    staff = db.session.scalars(
        select(MerchantStaff.user_id).where(MerchantStaff.merchant_id == commitment.merchant_id)
    ).all()
    notify(
        staff,
        kind,
        {"title": commitment.title, **params},
        link="/commitments/mine",
        community_id=commitment.community_id,
    )


def withdraw_commitment(commitment: Commitment, user: User, reason: str) -> None:
    require_status(commitment, CommitmentStatus.PUBLISHED, message=_l("只有已公示的承诺可以撤回。"))
    commitment.reason = _reason(reason)
    commitment.status = CommitmentStatus.WITHDRAWN
    commitment.withdrawn_at = utcnow()
    commitment.withdrawn_by_id = user.id
    db.session.flush()


def open_correction(commitment: Commitment) -> Commitment | None:
    """A newer version of the same lineage still being drafted or reviewed, if any."""
    return db.session.scalars(
        select(Commitment).where(
            Commitment.lineage == commitment.lineage,
            Commitment.version > commitment.version,
            Commitment.status.in_(
                (CommitmentStatus.DRAFT, CommitmentStatus.PENDING, CommitmentStatus.REJECTED)
            ),
        )
    ).first()


def start_correction(commitment: Commitment, author: User) -> Commitment:
    """A new draft version copied from a published commitment (or the one already open)."""
    require_status(commitment, CommitmentStatus.PUBLISHED, message=_l("只有已公示的承诺可以更正。"))
    existing = open_correction(commitment)
    if existing is not None:
        return existing
    if commitment.merchant.status != MerchantStatus.ACTIVE:
        raise WrongState(_l("该商户已暂停或退出联盟，不能更正承诺。"))
    latest = db.session.scalar(
        select(func.max(Commitment.version)).where(Commitment.lineage == commitment.lineage)
    )
    copy = Commitment(
        community_id=commitment.community_id,
        merchant=commitment.merchant,
        lineage=commitment.lineage,
        version=(latest or commitment.version) + 1,
        kind=commitment.kind,
        title=commitment.title,
        body=commitment.body,
        status=CommitmentStatus.DRAFT,
        created_by_id=author.id,
    )
    if commitment.offer is not None:
        o = commitment.offer
        copy.offer = Offer(
            rate_percent=o.rate_percent,
            qualifies=o.qualifies,
            conditions=o.conditions,
            exclusions=o.exclusions,
            valid_from=o.valid_from,
            valid_until=o.valid_until,
            usage_limit=o.usage_limit,
            usage_period=o.usage_period,
            requires_rotating=o.requires_rotating,
            open_to_street_office=o.open_to_street_office,
            min_star_level=o.min_star_level,
        )
    if commitment.service is not None:
        s = commitment.service
        copy.service = ServiceDetail(
            what=s.what, when_text=s.when_text, where=s.where, for_whom=s.for_whom
        )
    refresh_search_text(copy)
    db.session.add(copy)
    db.session.flush()
    return copy


def history(commitment: Commitment) -> list[Commitment]:
    """Every version of the commitment's lineage, newest first, with notes loaded."""
    return list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.lineage == commitment.lineage)
            .options(
                selectinload(Commitment.offer),
                selectinload(Commitment.service),
                selectinload(Commitment.notes),
            )
            .order_by(Commitment.version.desc())
        )
    )

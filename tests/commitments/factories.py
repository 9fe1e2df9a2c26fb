"""Factories for merchants and commitments (used by the commitments tests and the authz table)."""

from datetime import UTC, datetime

from alliance.commitments.drafting import refresh_search_text
from alliance.commitments.models import (
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Offer,
    Qualifies,
    ServiceDetail,
    UsagePeriod,
)
from alliance.extensions import db
from alliance.merchants.models import Merchant, MerchantStaff


def create_merchant(community, number, name=None, category="catering", status="active", staff=()):
    merchant = Merchant(
        community_id=community.id,
        number=number,
        name=name or f"商户{number}",
        category=category,
        status=status,
    )
    db.session.add(merchant)
    db.session.flush()
    for user in staff:
        db.session.add(MerchantStaff(merchant_id=merchant.id, user_id=user.id, is_owner=True))
    db.session.flush()
    return merchant


def create_commitment(
    merchant,
    *,
    kind=CommitmentKind.INTEGRITY,
    title="诚信经营",
    body="明码标价",
    status=CommitmentStatus.PUBLISHED,
    rate=None,
    qualifies=Qualifies.BOTH,
    service=None,
    conditions="",
    valid_from=None,
    valid_until=None,
    usage_limit=None,
    usage_period=UsagePeriod.UNLIMITED,
):
    c = Commitment(
        community_id=merchant.community_id,
        merchant=merchant,
        kind=kind,
        title=title,
        body=body,
        status=status,
    )
    if status == CommitmentStatus.PUBLISHED:
        c.published_at = datetime.now(UTC)
    if rate is not None:
        c.offer = Offer(
            rate_percent=rate,
            qualifies=qualifies,
            conditions=conditions,
            valid_from=valid_from,
            valid_until=valid_until,
            usage_limit=usage_limit,
            usage_period=usage_period,
        )
    if service is not None:
        c.service = ServiceDetail(**service)
    refresh_search_text(c)
    db.session.add(c)
    db.session.flush()
    return c

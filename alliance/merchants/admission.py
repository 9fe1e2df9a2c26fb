"""Admitting a member: the agreement's terms, the member's number in its community, the
default agreement text.

Services flush and never commit; the view (or the CLI, or the demo) commits once.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from alliance.accounts.models import User
from alliance.communities.models import Community
from alliance.extensions import db
from alliance.merchants.errors import MembershipError
from alliance.merchants.models import Agreement, Merchant, MerchantStatus
from alliance.merchants.staff import add_staff_link


@dataclass
class AgreementTerms:
    signed_on: date
    starts_on: date
    ends_on: date
    signatories: str
    text: str


def check_terms(terms: AgreementTerms) -> None:
    if terms.ends_on <= terms.starts_on:
        raise MembershipError(_("协议结束日期必须晚于开始日期。"), code="bad_term")
    if not (terms.signatories or "").strip():
        raise MembershipError(_("请填写签约人。"), code="signatories_required")
    if not (terms.text or "").strip():
        raise MembershipError(_("请填写协议内容。"), code="text_required")


def next_number(community_id: int) -> int:
    current = db.session.scalar(
        select(func.max(Merchant.number)).where(Merchant.community_id == community_id)
    )
    return (current or 0) + 1


def admit_member(
    *,
    community: Community,
    name: str,
    category: str,
    estate_id: int | None,
    address: str,
    terms: AgreementTerms,
    contact_name: str = "",
    contact_phone: str | None = None,
    licence_no: str | None = None,
    owner: User | None = None,
    attempts: int = 5,
) -> Merchant:
    """Create the member with the next number in its community, its agreement and owner link.

    The number is computed inside the transaction; the unique (community_id, number)
    constraint catches a concurrent admission, and we retry in a savepoint.
    """
    check_terms(terms)
    for attempt in range(attempts):
        number = next_number(community.id)
        try:
            with db.session.begin_nested():
                merchant = Merchant(
                    community_id=community.id,
                    number=number,
                    name=name,
                    category=category,
                    estate_id=estate_id,
                    address=address,
                    contact_name=contact_name,
                    contact_phone=contact_phone,
                    licence_no=licence_no,
                    status=MerchantStatus.ACTIVE,
                )
                db.session.add(merchant)
                db.session.flush()
                db.session.add(
                    Agreement(
                        merchant_id=merchant.id,
                        community_id=community.id,
                        number=number,
                        signed_on=terms.signed_on,
                        starts_on=terms.starts_on,
                        ends_on=terms.ends_on,
                        signatories=terms.signatories.strip()[:200],
                        text=terms.text.strip(),
                    )
                )
                db.session.flush()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            continue
        break
    if owner is not None:
        add_staff_link(merchant, owner, is_owner=True)
    return merchant


def default_agreement_text(name: str, offer_text: str, community_name: str) -> str:
    text = _(
        "%(name)s自愿加入%(community)s共富联盟，遵守联盟章程，作出信誉、服务、积分兑换三项公开承诺，"
        "接受社区和居民监督；社区为联盟商户提供宣传、协调和服务支持。",
        name=name,
        community=community_name,
    )
    if offer_text:
        text += "\n" + _("商户拟提供：%(offer)s", offer=offer_text)
    return text

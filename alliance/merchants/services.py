"""Membership rules: applications, review, admission with an agreement, staff, status.

Services flush and never commit; the view (or the CLI, or the demo) commits once.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from alliance.accounts import services as accounts
from alliance.accounts.models import Role, User
from alliance.communities.models import Community, Estate
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.merchants.models import (
    CATEGORIES,
    OPEN_APPLICATION_STATUSES,
    Agreement,
    ApplicationStatus,
    Merchant,
    MerchantApplication,
    MerchantStaff,
    MerchantStatus,
    MerchantStatusChange,
)
from alliance.notifications.services import notify
from alliance.validators import normalize_phone


class MembershipError(DomainError):
    """A membership rule said no."""

    code = "membership_refused"


# --- rules other domains use --------------------------------------------------------------


def is_active(merchant: Merchant | None) -> bool:
    """Only an active member's commitments and offers apply; suspended or departed ones don't."""
    return merchant is not None and merchant.status == MerchantStatus.ACTIVE


def active_clause():
    """SQL condition for joins: `.join(Merchant).where(active_clause())`."""
    return Merchant.status == MerchantStatus.ACTIVE


def active_merchant_ids():
    """A subquery of active members' ids, for `.where(X.merchant_id.in_(active_merchant_ids()))`."""
    return select(Merchant.id).where(active_clause())


# The one answer to "which members does this person work for": every domain asks here.


def merchants_of(user: User) -> list[Merchant]:
    """The members this person works for (owner or staff), oldest link first.

    Nobody without the staff role: a role the street office revoked ends the counter, even
    where a staff link was left behind.
    """
    if not user.is_authenticated or not user.has_role(Role.MERCHANT_STAFF):
        return []
    return list(
        db.session.scalars(
            select(Merchant)
            .join(MerchantStaff, MerchantStaff.merchant_id == Merchant.id)
            .where(MerchantStaff.user_id == user.id)
            .order_by(MerchantStaff.id)
        )
    )


def staff_links_of(user: User, *options) -> list[MerchantStaff]:
    """The person's staff links, oldest first, loaded with `options`."""
    return list(
        db.session.scalars(
            select(MerchantStaff)
            .where(MerchantStaff.user_id == user.id)
            .options(*options)
            .order_by(MerchantStaff.id)
        )
    )


def staffed_merchant_ids(user: User):
    """A subquery of the ids of the members the person works for."""
    return select(MerchantStaff.merchant_id).where(MerchantStaff.user_id == user.id)


def is_staff(user: User, merchant: Merchant | int) -> bool:
    return staff_link(user, merchant) is not None


def is_active_staff(user: User, merchant: Merchant) -> bool:
    return merchant.status == MerchantStatus.ACTIVE and is_staff(user, merchant)


def staff_link(user: User, merchant: Merchant | int) -> MerchantStaff | None:
    if not user.is_authenticated:
        return None
    merchant_id = merchant if isinstance(merchant, int) else merchant.id
    return db.session.scalars(
        select(MerchantStaff).where(
            MerchantStaff.merchant_id == merchant_id, MerchantStaff.user_id == user.id
        )
    ).first()


# --- applications -------------------------------------------------------------------------


@dataclass
class ApplicationData:
    name: str
    category: str
    estate_id: int | None
    address: str
    contact_name: str
    contact_phone: str
    licence_no: str | None
    offer_text: str


def _clean(data: ApplicationData, community_id: int) -> ApplicationData:
    name = (data.name or "").strip()
    if not name or len(name) > 80:
        raise MembershipError(_("请填写商户名称（不超过80字）。"), code="bad_name")
    if data.category not in CATEGORIES:
        raise MembershipError(_("请选择经营类别。"), code="bad_category")
    phone = normalize_phone(data.contact_phone)
    if phone is None:
        raise MembershipError(_("请输入有效的中国大陆手机号码（11位）。"), code="bad_phone")
    if data.estate_id is not None:
        estate = db.session.get(Estate, data.estate_id)
        if estate is None or estate.community_id != community_id:
            raise MembershipError(_("请选择本社区的小区。"), code="bad_estate")
    address = (data.address or "").strip()
    if not address:
        raise MembershipError(_("请填写店铺地址。"), code="bad_address")
    contact = (data.contact_name or "").strip()
    if not contact:
        raise MembershipError(_("请填写联系人。"), code="bad_contact")
    licence = (data.licence_no or "").strip().upper() or None
    return ApplicationData(
        name=name,
        category=data.category,
        estate_id=data.estate_id,
        address=address[:200],
        contact_name=contact[:40],
        contact_phone=phone,
        licence_no=licence,
        offer_text=(data.offer_text or "").strip(),
    )


def _duplicate(community_id: int, name: str, *, applicant_id: int, exclude_id: int | None = None):
    open_apps = select(MerchantApplication).where(
        MerchantApplication.community_id == community_id,
        MerchantApplication.status.in_(OPEN_APPLICATION_STATUSES),
        or_(
            MerchantApplication.applicant_id == applicant_id,
            func.lower(MerchantApplication.name) == name.lower(),
        ),
    )
    if exclude_id is not None:
        open_apps = open_apps.where(MerchantApplication.id != exclude_id)
    existing = db.session.scalars(open_apps.limit(1)).first()
    if existing is not None:
        if existing.applicant_id == applicant_id:
            raise MembershipError(
                _("您已有一份正在审核的入盟申请，请等待审核结果或修改原申请。"),
                code="duplicate_application",
            )
        raise MembershipError(
            _("「%(name)s」已经提交过入盟申请，正在审核中。", name=name),
            code="duplicate_application",
        )
    member = db.session.scalars(
        select(Merchant.id).where(
            Merchant.community_id == community_id,
            func.lower(Merchant.name) == name.lower(),
            Merchant.status != MerchantStatus.LEFT,
        )
    ).first()
    if member is not None:
        raise MembershipError(
            _("「%(name)s」已经是本社区的联盟商户。", name=name), code="already_member"
        )


def submit_application(applicant: User, data: ApplicationData) -> MerchantApplication:
    if not applicant.community_id:
        raise MembershipError(_("您的账号没有所属社区，不能申请加入联盟。"), code="no_community")
    clean = _clean(data, applicant.community_id)
    _duplicate(applicant.community_id, clean.name, applicant_id=applicant.id)
    application = MerchantApplication(
        community_id=applicant.community_id,
        applicant_id=applicant.id,
        status=ApplicationStatus.PENDING,
        **clean.__dict__,
    )
    db.session.add(application)
    db.session.flush()
    return application


def update_application(
    application: MerchantApplication, applicant: User, data: ApplicationData
) -> MerchantApplication:
    """The applicant edits and (re)submits; only while the application is still open."""
    if application.applicant_id != applicant.id:
        raise MembershipError(_("这不是您的申请。"), code="not_yours")
    if not application.is_open:
        raise MembershipError(
            _("申请已经审核完毕（%(status)s），不能再修改。", status=application.status_label),
            code="locked",
        )
    clean = _clean(data, application.community_id)
    _duplicate(application.community_id, clean.name, applicant_id=-1, exclude_id=application.id)
    for key, value in clean.__dict__.items():
        setattr(application, key, value)
    application.status = ApplicationStatus.PENDING
    db.session.flush()
    return application


def lock_application(application: MerchantApplication) -> None:
    """Read the application again under a lock: of two reviewers deciding at once, the second
    sees the first one's decision (and is refused) instead of admitting the member twice."""
    lock_for_write()
    db.session.refresh(application, with_for_update=True)


def _review(application: MerchantApplication, reviewer: User, status: str, note: str) -> None:
    lock_application(application)
    if not application.is_open:
        raise MembershipError(
            _("这份申请已经审核过了（%(status)s）。", status=application.status_label),
            code="already_reviewed",
        )
    application.status = status
    application.review_note = note
    application.reviewed_by_id = reviewer.id
    application.reviewed_at = utcnow()


def request_changes(application: MerchantApplication, reviewer: User, note: str) -> None:
    note = (note or "").strip()
    if not note:
        raise MembershipError(_("请写明需要申请人修改的地方。"), code="note_required")
    _review(application, reviewer, ApplicationStatus.CHANGES_REQUESTED, note[:500])
    db.session.flush()
    _tell_applicant(application, "member.returned", reason=note[:200])


def reject_application(application: MerchantApplication, reviewer: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise MembershipError(_("请填写不通过的原因。"), code="reason_required")
    _review(application, reviewer, ApplicationStatus.REJECTED, reason[:500])
    db.session.flush()
    _tell_applicant(application, "member.rejected", reason=reason[:200])


@dataclass
class AgreementTerms:
    signed_on: date
    starts_on: date
    ends_on: date
    signatories: str
    text: str


def _check_terms(terms: AgreementTerms) -> None:
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
    _check_terms(terms)
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


def approve_application(
    application: MerchantApplication, reviewer: User, terms: AgreementTerms
) -> Merchant:
    lock_application(application)
    if not application.is_open:
        raise MembershipError(
            _("这份申请已经审核过了（%(status)s）。", status=application.status_label),
            code="already_reviewed",
        )
    _check_terms(terms)
    member = db.session.scalars(
        select(Merchant.id).where(
            Merchant.community_id == application.community_id,
            func.lower(Merchant.name) == application.name.lower(),
            Merchant.status != MerchantStatus.LEFT,
        )
    ).first()
    if member is not None:
        raise MembershipError(
            _("「%(name)s」已经是本社区的联盟商户。", name=application.name), code="already_member"
        )
    merchant = admit_member(
        community=db.session.get(Community, application.community_id),
        name=application.name,
        category=application.category,
        estate_id=application.estate_id,
        address=application.address,
        contact_name=application.contact_name,
        contact_phone=application.contact_phone,
        licence_no=application.licence_no,
        terms=terms,
        owner=application.applicant,
    )
    _review(application, reviewer, ApplicationStatus.APPROVED, "")
    application.merchant_id = merchant.id
    db.session.flush()
    _tell_applicant(application, "member.approved", number=merchant.number, link="/merchants/mine")
    return merchant


def _tell_applicant(application: MerchantApplication, kind: str, *, link="", **params) -> None:
    notify(
        [application.applicant_id],
        kind,
        {"name": application.name, **params},
        link=link or "/merchants/apply",
        community_id=application.community_id,
    )


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


# --- staff --------------------------------------------------------------------------------


def add_staff_link(merchant: Merchant, user: User, *, is_owner: bool = False) -> MerchantStaff:
    link = staff_link(user, merchant)
    if link is None:
        link = MerchantStaff(merchant_id=merchant.id, user_id=user.id, is_owner=is_owner)
        db.session.add(link)
    elif is_owner:
        link.is_owner = True
    accounts.grant_role(user, Role.MERCHANT_STAFF)
    db.session.flush()
    return link


def find_person(community_id: int, identifier: str) -> User | None:
    user = accounts.find_by_identifier(identifier)
    if user is None or user.community_id != community_id:
        return None
    return user


def add_staff(merchant: Merchant, owner: User, identifier: str) -> MerchantStaff:
    require_owner(merchant, owner)
    person = find_person(merchant.community_id, identifier)
    if person is None:
        raise MembershipError(
            _("本社区没有这个手机号或用户名的账号，请对方先注册。"), code="no_such_person"
        )
    if staff_link(person, merchant) is not None:
        raise MembershipError(
            _("%(name)s已经是本店店员。", name=person.display_name), code="already_staff"
        )
    return add_staff_link(merchant, person)


def remove_staff(merchant: Merchant, owner: User, link: MerchantStaff) -> None:
    require_owner(merchant, owner)
    if link.merchant_id != merchant.id:
        raise MembershipError(_("找不到这位店员。"), code="not_found")
    if link.is_owner:
        raise MembershipError(_("不能移除店主。"), code="owner")
    person = link.user
    db.session.delete(link)
    db.session.flush()
    others = db.session.scalar(
        select(func.count(MerchantStaff.id)).where(MerchantStaff.user_id == person.id)
    )
    if not others:
        accounts.revoke_role(person, Role.MERCHANT_STAFF, by=owner)


def require_owner(merchant: Merchant, user: User) -> None:
    link = staff_link(user, merchant)
    if link is None or not link.is_owner:
        raise MembershipError(_("只有店主可以管理店员。"), code="not_owner")


# --- status -------------------------------------------------------------------------------

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


# --- home page figure ---------------------------------------------------------------------


def home_figures(community_ids) -> list[tuple[str, int]]:
    """The home page's figures (see alliance.hooks)."""
    stmt = select(func.count(Merchant.id)).where(active_clause())
    if community_ids is not None:
        stmt = stmt.where(Merchant.community_id.in_(community_ids))
    return [(_l("联盟商户"), db.session.scalar(stmt) or 0)]

"""Applications to join the alliance: submitting, editing, review (changes requested,
rejected, approved with an agreement).

Services flush and never commit; the view (or the CLI, or the demo) commits once.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from alliance.accounts.models import User
from alliance.communities.models import Community, Estate
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.merchants.admission import AgreementTerms, admit_member, check_terms
from alliance.merchants.errors import MembershipError
from alliance.merchants.models import (
    CATEGORIES,
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    Merchant,
    MerchantApplication,
    MerchantStatus,
)
from alliance.notifications.services import notify
from alliance.validators import normalize_phone


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


def approve_application(
    application: MerchantApplication, reviewer: User, terms: AgreementTerms
) -> Merchant:
    lock_application(application)
    if not application.is_open:
        raise MembershipError(
            _("这份申请已经审核过了（%(status)s）。", status=application.status_label),
            code="already_reviewed",
        )
    check_terms(terms)
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

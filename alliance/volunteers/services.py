"""Volunteer rules: apply, review, suspend and reinstate. Services flush, never commit."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from alliance.accounts import services as accounts
from alliance.accounts.models import Role, User
from alliance.communities.models import Community, Estate
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.notifications.services import notify
from alliance.validators import normalize_phone
from alliance.volunteers.models import (
    VolunteerApplication,
    VolunteerApplicationStatus,
    VolunteerProfile,
    VolunteerStatus,
    VolunteerStatusChange,
)


class VolunteerError(DomainError):
    """A volunteer rule said no."""

    code = "volunteer_refused"


def profile_of(user: User) -> VolunteerProfile | None:
    if not user.is_authenticated:
        return None
    return db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)
    ).first()


def is_active_volunteer(user: User) -> bool:
    """An approved volunteer whose profile is not suspended (what a volunteer card needs)."""
    profile = profile_of(user)
    return profile is not None and profile.is_active


def pending_application(user: User) -> VolunteerApplication | None:
    return db.session.scalars(
        select(VolunteerApplication).where(
            VolunteerApplication.user_id == user.id,
            VolunteerApplication.status == VolunteerApplicationStatus.PENDING,
        )
    ).first()


@dataclass
class VolunteerData:
    name: str
    phone: str
    estate_id: int | None
    building: str
    skills: str
    availability: str


def apply(user: User, data: VolunteerData) -> VolunteerApplication:
    if not user.community_id:
        raise VolunteerError(_("您的账号没有所属社区，不能申请成为志愿者。"), code="no_community")
    if profile_of(user) is not None:
        raise VolunteerError(_("您已经是志愿者了。"), code="already_volunteer")
    if pending_application(user) is not None:
        raise VolunteerError(
            _("您已有一份志愿者申请在审核中，请耐心等待。"), code="duplicate_application"
        )
    name = (data.name or "").strip()
    if not name or len(name) > 40:
        raise VolunteerError(_("请填写姓名（不超过40字）。"), code="bad_name")
    phone = normalize_phone(data.phone)
    if phone is None:
        raise VolunteerError(_("请输入有效的中国大陆手机号码（11位）。"), code="bad_phone")
    if data.estate_id is not None:
        estate = db.session.get(Estate, data.estate_id)
        if estate is None or estate.community_id != user.community_id:
            raise VolunteerError(_("请选择本社区的小区。"), code="bad_estate")
    application = VolunteerApplication(
        community_id=user.community_id,
        user_id=user.id,
        name=name,
        phone=phone,
        estate_id=data.estate_id,
        building=(data.building or "").strip()[:40],
        skills=(data.skills or "").strip()[:300],
        availability=(data.availability or "").strip()[:200],
        status=VolunteerApplicationStatus.PENDING,
    )
    db.session.add(application)
    db.session.flush()
    return application


def lock_application(application: VolunteerApplication) -> None:
    """Read the application again under a lock: of two reviewers deciding at once, the second
    sees the first one's decision (and is refused) instead of deciding again."""
    lock_for_write()
    db.session.refresh(application, with_for_update=True)


def _decide(application: VolunteerApplication, reviewer: User, status: str, note: str) -> None:
    lock_application(application)
    if application.status != VolunteerApplicationStatus.PENDING:
        raise VolunteerError(
            _("这份申请已经审核过了（%(status)s）。", status=application.status_label),
            code="already_reviewed",
        )
    application.status = status
    application.review_note = note
    application.reviewed_by_id = reviewer.id
    application.reviewed_at = utcnow()


def approve(application: VolunteerApplication, reviewer: User) -> VolunteerProfile:
    lock_application(application)
    user = application.user
    if application.status == VolunteerApplicationStatus.PENDING and profile_of(user) is not None:
        raise VolunteerError(_("这位居民已经是志愿者了。"), code="already_volunteer")
    _decide(application, reviewer, VolunteerApplicationStatus.APPROVED, "")
    profile = VolunteerProfile(
        user_id=user.id,
        community_id=application.community_id,
        application_id=application.id,
        name=application.name,
        phone=application.phone,
        estate_id=application.estate_id,
        building=application.building,
        skills=application.skills,
        availability=application.availability,
        status=VolunteerStatus.ACTIVE,
    )
    db.session.add(profile)
    accounts.grant_role(user, Role.VOLUNTEER)
    db.session.flush()
    from alliance.cards.services import issue_on_volunteer_approval  # the volunteer card

    issue_on_volunteer_approval(profile, reviewer)
    notify(
        [user.id],
        "volunteer.approved",
        {"community": db.session.get(Community, application.community_id).name},
        link="/me/card",
        community_id=application.community_id,
    )
    return profile


def reject(application: VolunteerApplication, reviewer: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise VolunteerError(_("请填写不通过的原因。"), code="reason_required")
    _decide(application, reviewer, VolunteerApplicationStatus.REJECTED, reason[:500])
    db.session.flush()
    notify(
        [application.user_id],
        "volunteer.rejected",
        {"reason": reason[:200]},
        link="/volunteers/apply",
        community_id=application.community_id,
    )


def change_status(profile: VolunteerProfile, actor: User, action: str, reason: str):
    """Suspend or reinstate; history is kept and nothing earlier is revoked."""
    targets = {
        "suspend": (VolunteerStatus.ACTIVE, VolunteerStatus.SUSPENDED),
        "reinstate": (VolunteerStatus.SUSPENDED, VolunteerStatus.ACTIVE),
    }
    if action not in targets:
        raise VolunteerError(_("请选择操作。"), code="bad_action")
    reason = (reason or "").strip()
    if not reason:
        raise VolunteerError(_("请填写原因。"), code="reason_required")
    from_status, to_status = targets[action]
    if profile.status != from_status:
        raise VolunteerError(
            _("志愿者当前状态为「%(status)s」，不能进行这个操作。", status=profile.status_label),
            code="bad_transition",
        )
    change = VolunteerStatusChange(
        profile_id=profile.id,
        community_id=profile.community_id,
        from_status=profile.status,
        to_status=to_status,
        reason=reason[:200],
        actor_id=actor.id,
    )
    profile.status = to_status
    profile.status_reason = reason[:200]
    db.session.add(change)
    db.session.flush()
    return change


def home_figures(community_ids) -> list[tuple[str, int]]:
    """The home page's figures (see alliance.hooks)."""
    stmt = select(func.count(VolunteerProfile.id)).where(
        VolunteerProfile.status == VolunteerStatus.ACTIVE
    )
    if community_ids is not None:
        stmt = stmt.where(VolunteerProfile.community_id.in_(community_ids))
    return [(_l("志愿者"), db.session.scalar(stmt) or 0)]

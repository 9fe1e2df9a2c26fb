"""Volunteers: apply, my profile, the secretary's queue and list, suspend and reinstate."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.communities.models import Community, Estate
from alliance.communities.services import can_administer, in_scope_or_404, scoped
from alliance.extensions import db
from alliance.formkit import conflict_page, rollback_and_report
from alliance.volunteers import services
from alliance.volunteers.forms import ReasonForm, StatusForm, VolunteerApplicationForm
from alliance.volunteers.models import (
    VolunteerApplication,
    VolunteerApplicationStatus,
    VolunteerProfile,
    VolunteerStatus,
)

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

PAGE_SIZE = 30
ADMINS = (Role.SECRETARY, Role.STREET_OFFICER)


def _estates(community_id):
    if not community_id:
        return []
    return db.session.scalars(
        select(Estate).where(Estate.community_id == community_id).order_by(Estate.id)
    ).all()


@bp.route("/apply", methods=["GET", "POST"])
@login_required
def apply():
    if not current_user.community_id:
        flash(_("您的账号没有所属社区，不能申请成为志愿者。"), "warning")
        return redirect(url_for("main.index"))
    if services.profile_of(current_user) is not None:
        flash(_("您已经是志愿者了。"), "info")
        return redirect(url_for(".me"))
    form = VolunteerApplicationForm(estates=_estates(current_user.community_id))
    if request.method == "GET":
        form.name.data = current_user.display_name
        form.phone.data = current_user.phone
    if form.validate_on_submit():
        data = services.VolunteerData(
            name=form.name.data,
            phone=form.phone.data,
            estate_id=form.estate_id.data,
            building=form.building.data,
            skills=form.skills.data,
            availability=form.availability.data,
        )
        try:
            services.apply(current_user, data)
        except services.VolunteerError as exc:
            rollback_and_report(exc)
        else:
            db.session.commit()
            flash(_("志愿者申请已提交，社区审核后会在这里告诉您结果。"), "success")
            return redirect(url_for(".me"))
    return render_template("volunteers/apply.html", form=form)


@bp.get("/me")
@login_required
def me():
    profile = services.profile_of(current_user)
    applications = db.session.scalars(
        select(VolunteerApplication)
        .where(VolunteerApplication.user_id == current_user.id)
        .options(selectinload(VolunteerApplication.estate))
        .order_by(VolunteerApplication.id.desc())
    ).all()
    return render_template(
        "volunteers/me.html",
        profile=profile,
        applications=applications,
        can_apply=profile is None
        and bool(current_user.community_id)
        and not any(a.status == VolunteerApplicationStatus.PENDING for a in applications),
    )


# --- secretary side -----------------------------------------------------------------------


@bp.get("/applications")
@roles_required(*ADMINS)
def queue():
    status = request.args.get("status") or VolunteerApplicationStatus.PENDING
    if status not in {str(s) for s in VolunteerApplicationStatus}:
        status = VolunteerApplicationStatus.PENDING
    stmt = scoped(
        select(VolunteerApplication)
        .where(VolunteerApplication.status == status)
        .options(selectinload(VolunteerApplication.estate))
        .order_by(VolunteerApplication.id.desc()),
        VolunteerApplication.community_id,
        current_user,
    )
    page = db.paginate(stmt, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "volunteers/queue.html",
        page=page,
        status=status,
        statuses=list(VolunteerApplicationStatus),
        reject_form=ReasonForm(formdata=None),
    )


def _application_or_404(application_id: int) -> VolunteerApplication:
    application = in_scope_or_404(current_user, VolunteerApplication, application_id)
    if not can_administer(current_user, db.session.get(Community, application.community_id)):
        abort(404)
    return application


@bp.post("/applications/<int:application_id>/approve")
@roles_required(*ADMINS)
def approve(application_id: int):
    application = _application_or_404(application_id)
    try:
        services.approve(application, current_user)
    except services.VolunteerError as exc:
        if exc.code == "already_reviewed":
            return conflict_page(exc)
        rollback_and_report(exc)
        return redirect(url_for(".queue"))
    db.session.commit()
    flash(_("已批准%(name)s成为志愿者。", name=application.name), "success")
    return redirect(url_for(".queue"))


@bp.post("/applications/<int:application_id>/reject")
@roles_required(*ADMINS)
def reject(application_id: int):
    application = _application_or_404(application_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("请填写不通过的原因。"), "danger")
        return redirect(url_for(".queue"))
    try:
        services.reject(application, current_user, form.reason.data)
    except services.VolunteerError as exc:
        if exc.code == "already_reviewed":
            return conflict_page(exc)
        rollback_and_report(exc)
        return redirect(url_for(".queue"))
    db.session.commit()
    flash(_("已驳回%(name)s的申请。", name=application.name), "success")
    return redirect(url_for(".queue"))


@bp.get("/")
@roles_required(*ADMINS)
def index():
    q = (request.args.get("q") or "").strip()[:40]
    status = request.args.get("status") or ""
    if status not in {str(s) for s in VolunteerStatus}:
        status = ""
    stmt = scoped(
        select(VolunteerProfile).options(selectinload(VolunteerProfile.estate)),
        VolunteerProfile.community_id,
        current_user,
    )
    if q:
        stmt = stmt.where(
            or_(
                VolunteerProfile.name.contains(q, autoescape=True),
                VolunteerProfile.skills.contains(q, autoescape=True),
                VolunteerProfile.phone == q,
            )
        )
    if status:
        stmt = stmt.where(VolunteerProfile.status == status)
    page = db.paginate(stmt.order_by(VolunteerProfile.id), per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "volunteers/index.html", page=page, q=q, status=status, statuses=list(VolunteerStatus)
    )


def _profile_or_404(profile_id: int) -> VolunteerProfile:
    profile = in_scope_or_404(current_user, VolunteerProfile, profile_id)
    if not can_administer(current_user, db.session.get(Community, profile.community_id)):
        abort(404)
    return profile


def _render_detail(profile, form=None, code=200):
    return (
        render_template(
            "volunteers/detail.html",
            profile=profile,
            form=form
            or StatusForm(formdata=None, suspended=profile.status == VolunteerStatus.SUSPENDED),
        ),
        code,
    )


@bp.get("/<int:profile_id>")
@roles_required(*ADMINS)
def detail(profile_id: int):
    return _render_detail(_profile_or_404(profile_id))


@bp.post("/<int:profile_id>/status")
@roles_required(*ADMINS)
def change_status(profile_id: int):
    profile = _profile_or_404(profile_id)
    form = StatusForm(suspended=profile.status == VolunteerStatus.SUSPENDED)
    if not form.validate_on_submit():
        return _render_detail(profile, form=form, code=422)
    try:
        change = services.change_status(profile, current_user, form.action.data, form.reason.data)
    except services.VolunteerError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".detail", profile_id=profile.id))
    db.session.commit()
    flash(
        _("%(name)s现在的状态：%(status)s。", name=profile.name, status=change.to_label), "success"
    )
    return redirect(url_for(".detail", profile_id=profile.id))

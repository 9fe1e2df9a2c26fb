"""Merchants' applications: applying and editing one (the applicant), the review queue and the
review (the secretary): approve with an agreement, ask for changes, reject."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.communities.models import Estate
from alliance.communities.services import can_administer, in_scope_or_404, scoped
from alliance.extensions import db
from alliance.formkit import conflict_page, rollback_and_report
from alliance.merchants import admission as merchants_admission
from alliance.merchants import applications as merchants_applications
from alliance.merchants import errors as merchants_errors
from alliance.merchants.forms import AgreementForm, MerchantApplicationForm, NoteForm
from alliance.merchants.models import (
    APPLICATION_STATUS_LABELS,
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    MerchantApplication,
)
from alliance.merchants.web import ADMINS, PAGE_SIZE, bp

# --- application (applicant side) ---------------------------------------------------------


def _estates_for(community_id):
    if not community_id:
        return []
    return db.session.scalars(
        select(Estate).where(Estate.community_id == community_id).order_by(Estate.id)
    ).all()


def _application_data(form) -> merchants_applications.ApplicationData:
    return merchants_applications.ApplicationData(
        name=form.name.data,
        category=form.category.data,
        estate_id=form.estate_id.data,
        address=form.address.data,
        contact_name=form.contact_name.data,
        contact_phone=form.contact_phone.data,
        licence_no=form.licence_no.data,
        offer_text=form.offer_text.data,
    )


@bp.route("/apply", methods=["GET", "POST"])
@login_required
def apply():
    if not current_user.community_id:
        flash(_("您的账号没有所属社区，不能申请加入联盟。"), "warning")
        return redirect(url_for("main.index"))
    form = MerchantApplicationForm(estates=_estates_for(current_user.community_id))
    if request.method == "GET":
        form.contact_name.data = current_user.display_name
        form.contact_phone.data = current_user.phone
    if form.validate_on_submit():
        try:
            merchants_applications.submit_application(current_user, _application_data(form))
        except merchants_errors.MembershipError as exc:
            rollback_and_report(exc)
        else:
            db.session.commit()
            flash(_("入盟申请已提交，社区审核后会在“我的申请”里告诉您结果。"), "success")
            return redirect(url_for(".my_applications"))
    return render_template("merchants/apply.html", form=form, application=None)


@bp.get("/applications/mine")
@login_required
def my_applications():
    applications = db.session.scalars(
        select(MerchantApplication)
        .where(MerchantApplication.applicant_id == current_user.id)
        .options(
            selectinload(MerchantApplication.estate), selectinload(MerchantApplication.merchant)
        )
        .order_by(MerchantApplication.id.desc())
    ).all()
    return render_template("merchants/my_applications.html", applications=applications)


def _own_application_or_404(application_id: int) -> MerchantApplication:
    application = db.session.get(MerchantApplication, application_id)
    if application is None or application.applicant_id != current_user.id:
        abort(404)
    return application


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
def edit_application(application_id: int):
    application = _own_application_or_404(application_id)
    if not application.is_open:
        flash(
            _("申请已经审核完毕（%(status)s），不能再修改。", status=application.status_label),
            "danger",
        )
        return redirect(url_for(".my_applications"))
    form = MerchantApplicationForm(obj=application, estates=_estates_for(application.community_id))
    form.submit.label.text = _("修改并重新提交")
    if form.validate_on_submit():
        try:
            merchants_applications.update_application(
                application, current_user, _application_data(form)
            )
        except merchants_errors.MembershipError as exc:
            rollback_and_report(exc)
        else:
            db.session.commit()
            flash(_("申请已修改并重新提交审核。"), "success")
            return redirect(url_for(".my_applications"))
    return render_template("merchants/apply.html", form=form, application=application)


# --- review (secretary side) --------------------------------------------------------------


@bp.get("/review")
@roles_required(*ADMINS)
def review_queue():
    status = request.args.get("status") or "open"
    stmt = scoped(
        select(MerchantApplication).options(
            selectinload(MerchantApplication.estate),
            selectinload(MerchantApplication.community),
            selectinload(MerchantApplication.applicant),
        ),
        MerchantApplication.community_id,
        current_user,
    )
    if status == "open":
        stmt = stmt.where(MerchantApplication.status.in_(OPEN_APPLICATION_STATUSES))
    elif status in {str(s) for s in ApplicationStatus}:
        stmt = stmt.where(MerchantApplication.status == status)
    else:
        status = "all"
    page = db.paginate(
        stmt.order_by(MerchantApplication.id.desc()), per_page=PAGE_SIZE, error_out=False
    )
    return render_template(
        "merchants/review_queue.html",
        page=page,
        status=status,
        statuses=[("open", _("待处理"))]
        + [(str(s), str(label)) for s, label in APPLICATION_STATUS_LABELS.items()]
        + [("all", _("全部"))],
    )


def _reviewable_or_404(application_id: int) -> MerchantApplication:
    application = in_scope_or_404(current_user, MerchantApplication, application_id)
    if not can_administer(current_user, application.community):
        abort(404)
    return application


def _agreement_form(application: MerchantApplication, formdata=None) -> AgreementForm:
    form = AgreementForm(formdata=formdata)
    if formdata is None:
        today = local_today()  # the signing day in Asia/Shanghai, not the server's UTC date
        form.signed_on.data = today
        form.starts_on.data = today
        a_year_on = today.replace(day=28) if (today.month, today.day) == (2, 29) else today
        form.ends_on.data = a_year_on.replace(year=today.year + 1) - timedelta(days=1)
        form.signatories.data = _(
            "%(contact)s（%(name)s）、%(secretary)s（%(community)s）",
            contact=application.contact_name,
            name=application.name,
            secretary=current_user.display_name,
            community=application.community.name,
        )
        form.text.data = merchants_admission.default_agreement_text(
            application.name, application.offer_text, application.community.name
        )
    return form


def _render_review(application, agreement_form=None, note_form=None, reject_form=None, code=200):
    return (
        render_template(
            "merchants/review.html",
            application=application,
            agreement_form=agreement_form or _agreement_form(application),
            note_form=note_form or NoteForm(formdata=None),
            reject_form=reject_form or NoteForm(formdata=None),
            next_number=merchants_admission.next_number(application.community_id),
        ),
        code,
    )


@bp.get("/review/<int:application_id>")
@roles_required(*ADMINS)
def review(application_id: int):
    return _render_review(_reviewable_or_404(application_id))


@bp.post("/review/<int:application_id>/approve")
@roles_required(*ADMINS)
def approve(application_id: int):
    application = _reviewable_or_404(application_id)
    form = _agreement_form(application, formdata=request.form)
    if not form.validate():
        return _render_review(application, agreement_form=form, code=422)
    terms = merchants_admission.AgreementTerms(
        signed_on=form.signed_on.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        signatories=form.signatories.data,
        text=form.text.data,
    )
    try:
        merchant = merchants_applications.approve_application(application, current_user, terms)
    except merchants_errors.MembershipError as exc:
        if exc.code == "already_reviewed":
            return conflict_page(exc)
        rollback_and_report(exc)
        return redirect(url_for(".review", application_id=application_id))
    db.session.commit()
    flash(
        _(
            "已批准「%(name)s」入盟，为第%(number)s家联盟商户。",
            name=merchant.name,
            number=merchant.number,
        ),
        "success",
    )
    return redirect(url_for(".agreement", merchant_id=merchant.id))


def _note_action(application_id: int, action):
    application = _reviewable_or_404(application_id)
    form = NoteForm()
    if not form.validate_on_submit():
        flash(_("请填写说明。"), "danger")
        return redirect(url_for(".review", application_id=application.id))
    try:
        action(application, current_user, form.note.data)
    except merchants_errors.MembershipError as exc:
        if exc.code == "already_reviewed":
            return conflict_page(exc)
        rollback_and_report(exc)
        return redirect(url_for(".review", application_id=application.id))
    db.session.commit()
    return None


@bp.post("/review/<int:application_id>/request-changes")
@roles_required(*ADMINS)
def request_changes(application_id: int):
    response = _note_action(application_id, merchants_applications.request_changes)
    if response is not None:
        return response
    flash(_("已请申请人修改。"), "success")
    return redirect(url_for(".review_queue"))


@bp.post("/review/<int:application_id>/reject")
@roles_required(*ADMINS)
def reject(application_id: int):
    response = _note_action(application_id, merchants_applications.reject_application)
    if response is not None:
        return response
    flash(_("已驳回申请。"), "success")
    return redirect(url_for(".review_queue"))

"""Merchants: public directory, online application, secretary review, agreements, my shop."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.commitments.published import commitment_lines, published_for_merchants
from alliance.communities.models import Community, Estate
from alliance.communities.services import can_administer, in_scope_or_404, scoped
from alliance.extensions import db
from alliance.formkit import conflict_page, rollback_and_report
from alliance.inputs import parse_id
from alliance.merchants import admission
from alliance.merchants import applications as merchant_applications
from alliance.merchants import staff as merchant_staff
from alliance.merchants import status as merchant_status
from alliance.merchants.errors import MembershipError
from alliance.merchants.forms import (
    AgreementForm,
    MerchantApplicationForm,
    NoteForm,
    StaffForm,
    StatusForm,
    category_choices,
)
from alliance.merchants.models import (
    APPLICATION_STATUS_LABELS,
    CATEGORIES,
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    Merchant,
    MerchantApplication,
    MerchantStaff,
    MerchantStatus,
)
from alliance.points import exchange_items

bp = Blueprint("merchants", __name__, url_prefix="/merchants")

PAGE_SIZE = 20
ADMINS = (Role.SECRETARY, Role.STREET_OFFICER)


# --- public directory ---------------------------------------------------------------------


def directory_filters(args) -> dict:
    """Clean directory filters from the query string; unknown values are dropped."""
    q = (args.get("q") or "").strip()[:40]
    category = args.get("category") or ""
    if category not in CATEGORIES:
        category = ""
    community = None
    code = (args.get("community") or "").strip()
    if code:
        community = db.session.scalars(select(Community).where(Community.code == code)).first()
    estate_id = parse_id(args.get("estate") or "")
    return {"q": q, "category": category, "community": community, "estate_id": estate_id}


def directory_query(*, q="", category="", community=None, estate_id=None, status=None):
    # Both are many-to-one: joined into the page's own statement, not two more.
    stmt = select(Merchant).options(joinedload(Merchant.estate), joinedload(Merchant.community))
    if status is not None:
        stmt = stmt.where(Merchant.status == status)
    if q:
        stmt = stmt.where(Merchant.name.contains(q, autoescape=True))
    if category:
        stmt = stmt.where(Merchant.category == category)
    if community is not None:
        stmt = stmt.where(Merchant.community_id == community.id)
    if estate_id:
        stmt = stmt.where(Merchant.estate_id == estate_id)
    return stmt.order_by(Merchant.community_id, Merchant.number)


def _published(merchants) -> dict[int, list]:
    """Published commitments for the active members only: a suspended member's offers don't apply."""
    return published_for_merchants([m.id for m in merchants if merchant_status.is_active(m)])


@bp.get("/")
def index():
    filters = directory_filters(request.args)
    stmt = directory_query(**filters, status=MerchantStatus.ACTIVE)
    page = db.paginate(stmt, per_page=PAGE_SIZE, error_out=False)
    communities = db.session.scalars(select(Community).order_by(Community.id)).all()
    estate_stmt = select(Estate).order_by(Estate.community_id, Estate.id)
    if filters["community"] is not None:
        estate_stmt = estate_stmt.where(Estate.community_id == filters["community"].id)
    estates = db.session.scalars(estate_stmt).all()
    community_names = {c.id: c.name for c in communities}
    return render_template(
        "merchants/index.html",
        page=page,
        filters=filters,
        categories=category_choices(blank=_("全部类别")),
        communities=communities,
        estates=[
            (
                e.id,
                e.name
                if filters["community"]
                else f"{community_names.get(e.community_id, '')} · {e.name}",
            )
            for e in estates
        ],
        commitments=commitment_lines(m.id for m in page.items if merchant_status.is_active(m)),
        args={
            "q": filters["q"],
            "category": filters["category"],
            "community": filters["community"].code if filters["community"] else "",
            "estate": filters["estate_id"] or "",
        },
    )


@bp.get("/<int:merchant_id>")
def detail(merchant_id: int):
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None:
        abort(404)
    commitments = _published([merchant]).get(merchant.id, [])
    is_admin = (
        current_user.is_authenticated
        and current_user.has_role(*ADMINS)
        and can_administer(current_user, merchant.community)
    )
    return render_template(
        "merchants/detail.html",
        merchant=merchant,
        commitments=commitments,
        can_admin=is_admin,
        is_staff=merchant_staff.is_staff(current_user, merchant),
        exchange_items=exchange_items.where_to_spend(merchant_id=merchant.id).items,
    )


# --- application (applicant side) ---------------------------------------------------------


def _estates_for(community_id):
    if not community_id:
        return []
    return db.session.scalars(
        select(Estate).where(Estate.community_id == community_id).order_by(Estate.id)
    ).all()


def _application_data(form) -> merchant_applications.ApplicationData:
    return merchant_applications.ApplicationData(
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
            merchant_applications.submit_application(current_user, _application_data(form))
        except MembershipError as exc:
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
            merchant_applications.update_application(
                application, current_user, _application_data(form)
            )
        except MembershipError as exc:
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
        form.text.data = admission.default_agreement_text(
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
            next_number=admission.next_number(application.community_id),
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
    terms = admission.AgreementTerms(
        signed_on=form.signed_on.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        signatories=form.signatories.data,
        text=form.text.data,
    )
    try:
        merchant = merchant_applications.approve_application(application, current_user, terms)
    except MembershipError as exc:
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
    except MembershipError as exc:
        if exc.code == "already_reviewed":
            return conflict_page(exc)
        rollback_and_report(exc)
        return redirect(url_for(".review", application_id=application.id))
    db.session.commit()
    return None


@bp.post("/review/<int:application_id>/request-changes")
@roles_required(*ADMINS)
def request_changes(application_id: int):
    response = _note_action(application_id, merchant_applications.request_changes)
    if response is not None:
        return response
    flash(_("已请申请人修改。"), "success")
    return redirect(url_for(".review_queue"))


@bp.post("/review/<int:application_id>/reject")
@roles_required(*ADMINS)
def reject(application_id: int):
    response = _note_action(application_id, merchant_applications.reject_application)
    if response is not None:
        return response
    flash(_("已驳回申请。"), "success")
    return redirect(url_for(".review_queue"))


# --- members (secretary side) -------------------------------------------------------------


@bp.get("/manage")
@roles_required(*ADMINS)
def manage():
    filters = directory_filters(request.args)
    status = request.args.get("status") or ""
    if status not in {str(s) for s in MerchantStatus}:
        status = ""
    stmt = scoped(
        directory_query(
            q=filters["q"],
            category=filters["category"],
            estate_id=filters["estate_id"],
            status=status or None,
        ),
        Merchant.community_id,
        current_user,
    )
    page = db.paginate(stmt, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "merchants/manage.html",
        page=page,
        filters=filters,
        status=status,
        statuses=list(MerchantStatus),
        categories=category_choices(blank=_("全部类别")),
    )


def _managed_or_404(merchant_id: int) -> Merchant:
    merchant = in_scope_or_404(current_user, Merchant, merchant_id)
    if not can_administer(current_user, merchant.community):
        abort(404)
    return merchant


def _status_actions(merchant: Merchant):
    return [
        a for a, (froms, _to) in merchant_status.STATUS_ACTIONS.items() if merchant.status in froms
    ]


@bp.get("/manage/<int:merchant_id>")
@roles_required(*ADMINS)
def manage_detail(merchant_id: int):
    merchant = _managed_or_404(merchant_id)
    return _render_manage_detail(merchant)


def _render_manage_detail(merchant, form=None, code=200):
    actions = _status_actions(merchant)
    staff = db.session.scalars(
        select(MerchantStaff)
        .where(MerchantStaff.merchant_id == merchant.id)
        .options(selectinload(MerchantStaff.user))
        .order_by(MerchantStaff.id)
    ).all()
    return (
        render_template(
            "merchants/manage_detail.html",
            merchant=merchant,
            staff=staff,
            status_form=form or (StatusForm(formdata=None, actions=actions) if actions else None),
        ),
        code,
    )


@bp.post("/manage/<int:merchant_id>/status")
@roles_required(*ADMINS)
def change_status(merchant_id: int):
    merchant = _managed_or_404(merchant_id)
    form = StatusForm(actions=_status_actions(merchant) or ("suspend",))
    if not form.validate_on_submit():
        return _render_manage_detail(merchant, form=form, code=422)
    try:
        change = merchant_status.change_status(
            merchant, current_user, form.action.data, form.reason.data
        )
    except MembershipError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".manage_detail", merchant_id=merchant.id))
    db.session.commit()
    flash(
        _("「%(name)s」现在的状态：%(status)s。", name=merchant.name, status=change.to_label),
        "success",
    )
    return redirect(url_for(".manage_detail", merchant_id=merchant.id))


@bp.get("/<int:merchant_id>/agreement")
@login_required
def agreement(merchant_id: int):
    """The printable agreement: for the community's administrators and the member's staff."""
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None:
        abort(404)
    if not merchant_staff.is_staff(current_user, merchant):
        if not current_user.has_role(*ADMINS):
            abort(403)
        merchant = _managed_or_404(merchant_id)
    if merchant.agreement is None:
        abort(404)
    return render_template(
        "merchants/agreement.html", merchant=merchant, agreement=merchant.agreement
    )


# --- my shop (merchant staff) -------------------------------------------------------------


@bp.get("/mine")
@login_required
def mine():
    links = merchant_staff.staff_links_of(
        current_user,
        selectinload(MerchantStaff.merchant).selectinload(Merchant.estate),
        selectinload(MerchantStaff.merchant).selectinload(Merchant.agreement),
    )
    open_application = db.session.scalar(
        select(func.count(MerchantApplication.id)).where(
            MerchantApplication.applicant_id == current_user.id,
            MerchantApplication.status.in_(OPEN_APPLICATION_STATUSES),
        )
    )
    return render_template("merchants/mine.html", links=links, open_application=open_application)


def _my_merchant_or_404(merchant_id: int) -> tuple[Merchant, MerchantStaff]:
    merchant = db.session.get(Merchant, merchant_id)
    link = merchant_staff.staff_link(current_user, merchant) if merchant else None
    if link is None:
        abort(404)
    return merchant, link


def _render_staff(merchant, link, form=None, code=200):
    staff = db.session.scalars(
        select(MerchantStaff)
        .where(MerchantStaff.merchant_id == merchant.id)
        .options(selectinload(MerchantStaff.user))
        .order_by(MerchantStaff.id)
    ).all()
    return (
        render_template(
            "merchants/staff.html",
            merchant=merchant,
            staff=staff,
            can_manage=link.is_owner,
            form=form or StaffForm(formdata=None),
        ),
        code,
    )


@bp.get("/mine/<int:merchant_id>/staff")
@login_required
def staff(merchant_id: int):
    merchant, link = _my_merchant_or_404(merchant_id)
    return _render_staff(merchant, link)


@bp.post("/mine/<int:merchant_id>/staff")
@login_required
def add_staff(merchant_id: int):
    merchant, link = _my_merchant_or_404(merchant_id)
    if not link.is_owner:
        abort(403)
    form = StaffForm()
    if not form.validate_on_submit():
        return _render_staff(merchant, link, form=form, code=422)
    try:
        added = merchant_staff.add_staff(merchant, current_user, form.identifier.data)
    except MembershipError as exc:
        rollback_and_report(exc, form, field="identifier")
        return _render_staff(merchant, link, form=form, code=422)
    db.session.commit()
    flash(_("已添加店员%(name)s。", name=added.user.display_name), "success")
    return redirect(url_for(".staff", merchant_id=merchant.id))


@bp.post("/mine/<int:merchant_id>/staff/<int:staff_id>/remove")
@login_required
def remove_staff(merchant_id: int, staff_id: int):
    merchant, link = _my_merchant_or_404(merchant_id)
    if not link.is_owner:
        abort(403)
    target = db.session.get(MerchantStaff, staff_id)
    if target is None or target.merchant_id != merchant.id:
        abort(404)
    name = target.user.display_name
    try:
        merchant_staff.remove_staff(merchant, current_user, target)
    except MembershipError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".staff", merchant_id=merchant.id))
    db.session.commit()
    flash(_("已移除店员%(name)s。", name=name), "success")
    return redirect(url_for(".staff", merchant_id=merchant.id))

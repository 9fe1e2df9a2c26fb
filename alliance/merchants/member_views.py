"""Merchant members: the secretary's members page, a member's status and agreement, and my shop
(a member's staff, kept by its owner)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from alliance.accounts.permissions import roles_required
from alliance.communities.services import can_administer, in_scope_or_404, scoped
from alliance.extensions import db
from alliance.formkit import rollback_and_report
from alliance.merchants import errors as merchants_errors
from alliance.merchants import staff as merchants_staff
from alliance.merchants import status as merchants_status
from alliance.merchants.directory import directory_filters, directory_query
from alliance.merchants.forms import StaffForm, StatusForm, category_choices
from alliance.merchants.models import (
    OPEN_APPLICATION_STATUSES,
    Merchant,
    MerchantApplication,
    MerchantStaff,
    MerchantStatus,
)
from alliance.merchants.web import ADMINS, PAGE_SIZE, bp

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
        a for a, (froms, _to) in merchants_status.STATUS_ACTIONS.items() if merchant.status in froms
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
        change = merchants_status.change_status(
            merchant, current_user, form.action.data, form.reason.data
        )
    except merchants_errors.MembershipError as exc:
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
    if not merchants_staff.is_staff(current_user, merchant):
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
    links = merchants_staff.staff_links_of(
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
    link = merchants_staff.staff_link(current_user, merchant) if merchant else None
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
        added = merchants_staff.add_staff(merchant, current_user, form.identifier.data)
    except merchants_errors.MembershipError as exc:
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
        merchants_staff.remove_staff(merchant, current_user, target)
    except merchants_errors.MembershipError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".staff", merchant_id=merchant.id))
    db.session.commit()
    flash(_("已移除店员%(name)s。", name=name), "success")
    return redirect(url_for(".staff", merchant_id=merchant.id))

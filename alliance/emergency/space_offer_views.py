"""Members' offers of space on the web: the member's staff (or the secretary for them) offer,
the secretary accepts (it becomes a shelter or meal point) or declines with a reason."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.emergency import space_offers
from alliance.emergency.shelter_forms import DeclineOfferForm, SpaceOfferForm
from alliance.emergency.shelter_models import SpaceOffer
from alliance.emergency.web import bp
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.i18n import lazy_gettext as _l
from alliance.inputs import parse_id
from alliance.merchants import staff as merchant_staff
from alliance.merchants.models import Merchant, MerchantStatus

WHO = (Role.SECRETARY, Role.MERCHANT_STAFF)


def _members() -> list[Merchant]:
    """Whom this person may offer for: the secretary, the community's active members; staff,
    the active members they work for."""
    if current_user.has_role(Role.SECRETARY) and current_user.community_id:
        query = select(Merchant).where(Merchant.community_id == current_user.community_id)
    else:
        query = select(Merchant).where(
            Merchant.id.in_(merchant_staff.staffed_merchant_ids(current_user))
        )
    return db.session.scalars(
        query.where(Merchant.status == MerchantStatus.ACTIVE).order_by(Merchant.number)
    ).all()


def _offer_form(members, submitted=True) -> SpaceOfferForm:
    form = SpaceOfferForm() if submitted else SpaceOfferForm(formdata=None)
    form.merchant_id.choices = choices(
        ([("", _l("请选择"))] if len(members) != 1 else [])
        + [(str(m.id), _("第%(n)s家 %(name)s", n=m.number, name=m.name)) for m in members]
    )
    return form


def _render(form=None, decline_form=None, decline_for=None, status=200):
    members = _members()
    secretary = current_user.has_role(Role.SECRETARY) and bool(current_user.community_id)
    return render_template(
        "emergency/space_offers.html",
        offers=space_offers.offers_for(current_user),
        form=(form or _offer_form(members, submitted=False)) if members else None,
        secretary=secretary,
        decline_form=decline_form,
        decline_for=decline_for,
        blank_decline=DeclineOfferForm(formdata=None),
    ), status


@bp.get("/space-offers")
@roles_required(*WHO)
def space_offers_index():
    return _render()


@bp.post("/space-offers")
@roles_required(*WHO)
def offer_space():
    members = _members()
    form = _offer_form(members)
    if not form.validate_on_submit():
        return _render(form, status=422)
    merchant = db.session.get(Merchant, parse_id(form.merchant_id.data) or 0)
    if merchant is not None and merchant not in members:
        merchant = None
    try:
        space_offers.offer_space(
            merchant,
            kind=form.kind.data,
            capacity=form.capacity.data,
            offers=form.offers.data,
            contact_phone=form.contact_phone.data,
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render(form, status=exc.status)
    db.session.commit()
    flash(_("已提供给社区，社区书记确认后会出现在安置点名单中。"), "success")
    return redirect(url_for("emergency.space_offers_index"), 303)


def _offer_or_404(offer_id: int) -> SpaceOffer:
    row = db.session.get(SpaceOffer, offer_id)
    if row is None or row.community_id != current_user.community_id:
        abort(404)
    return row


@bp.post("/space-offers/<int:offer_id>/accept")
@roles_required(Role.SECRETARY)
def accept_space_offer(offer_id: int):
    row = _offer_or_404(offer_id)
    try:
        shelter = space_offers.accept(row, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("emergency.space_offers_index"), 303)
    db.session.commit()
    flash(_("已接受：%(name)s已列入安置点名单。", name=shelter.name), "success")
    return redirect(url_for("emergency.shelter", shelter_id=shelter.id), 303)


@bp.post("/space-offers/<int:offer_id>/decline")
@roles_required(Role.SECRETARY)
def decline_space_offer(offer_id: int):
    row = _offer_or_404(offer_id)
    form = DeclineOfferForm()
    if not form.validate_on_submit():
        return _render(decline_form=form, decline_for=offer_id, status=422)
    try:
        space_offers.decline(row, reason=form.reason.data, actor=current_user)
    except DomainError as exc:
        if exc.field is None:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(url_for("emergency.space_offers_index"), 303)
        rollback_and_report(exc, form)
        return _render(decline_form=form, decline_for=offer_id, status=exc.status)
    db.session.commit()
    flash(_("已回复商户。"), "success")
    return redirect(url_for("emergency.space_offers_index"), 303)

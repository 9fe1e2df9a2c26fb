"""Shelters on the web: occupancy against capacity, transfers, check-in and return.

A member's staff see the shelter they offered (no names of the people in it) and check
arrivals in there by the household's code or a volunteer card."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.communities.models import Community
from alliance.emergency import households, services, shelters
from alliance.emergency.household_models import Household
from alliance.emergency.shelter_forms import ArrivalForm, ReturnForm, ShelterForm, TransferForm
from alliance.emergency.shelter_models import OfferStatus, Shelter, SpaceOffer, Transfer
from alliance.emergency.web import bp, own_community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.i18n import lazy_gettext as _l
from alliance.inputs import parse_id

STAFF = (Role.SECRETARY, Role.GRID_WORKER)


def _shelters(community_id: int) -> list[Shelter]:
    return db.session.scalars(
        select(Shelter)
        .where(Shelter.community_id == community_id)
        .options(joinedload(Shelter.merchant))
        .order_by(Shelter.id)
    ).all()


def _render_index(form=None, status=200):
    community = own_community()
    rows = _shelters(community.id)
    secretary = current_user.has_role(Role.SECRETARY)
    return render_template(
        "emergency/shelters/index.html",
        shelters=rows,
        occupancy=shelters.occupancy([s.id for s in rows]),
        figures=shelters.figures(community.id),
        form=(form or ShelterForm(formdata=None)) if secretary else None,
        offers_waiting=db.session.scalar(
            select(func.count(SpaceOffer.id)).where(
                SpaceOffer.community_id == community.id,
                SpaceOffer.status == OfferStatus.OFFERED,
            )
        )
        if secretary
        else 0,
    ), status


@bp.get("/shelters")
@roles_required(*STAFF)
def shelters_index():
    return _render_index()


@bp.post("/shelters")
@roles_required(Role.SECRETARY)
def create_shelter():
    form = ShelterForm()
    if not form.validate_on_submit():
        return _render_index(form, 422)
    try:
        shelter = shelters.create_shelter(
            own_community(),
            name=form.name.data,
            place=form.place.data,
            capacity=form.capacity.data,
            contact_phone=form.contact_phone.data,
            offers=form.offers.data,
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render_index(form, exc.status)
    db.session.commit()
    flash(_("已添加安置点：%(name)s", name=shelter.name), "success")
    return redirect(url_for("emergency.shelter", shelter_id=shelter.id), 303)


def _community_staff(community_id: int) -> bool:
    return current_user.community_id == community_id and current_user.has_role(*STAFF)


def _shelter_or_404(shelter_id: int) -> Shelter:
    shelter = db.session.get(Shelter, shelter_id)
    if shelter is None or not shelters.is_shelter_staff(current_user, shelter):
        abort(404)
    return shelter


def _transfer_form(submitted=True) -> TransferForm:
    form = TransferForm() if submitted else TransferForm(formdata=None)
    form.household_id.choices = choices(
        [("", _l("不选"))]
        + [(str(h.id), f"{h.head_name} {h.place}") for h in households.households_for(current_user)]
    )
    return form


def _render_shelter(
    shelter, form=None, status=200, arrival_form=None, return_form=None, return_for=None
):
    rows = db.session.scalars(
        select(Transfer)
        .where(Transfer.shelter_id == shelter.id)
        .options(
            joinedload(Transfer.household),
            joinedload(Transfer.moved_by),
            joinedload(Transfer.checked_in_by),
            joinedload(Transfer.returned_by),
        )
        .order_by(Transfer.returned_at.is_not(None), Transfer.id.desc())
    ).all()
    staff = _community_staff(shelter.community_id)
    # Names only of the households this person may see (the register's rule), in one statement.
    household_ids = {t.household_id for t in rows if t.household_id}
    named = (
        set(
            db.session.scalars(
                select(Household.id).where(
                    Household.id.in_(household_ids), households.visible_to(current_user)
                )
            )
        )
        if staff and household_ids
        else set()
    )
    running = services.running_in_community(
        shelter.community_id, _street_office_of(shelter.community_id)
    )
    secretary = staff and current_user.has_role(Role.SECRETARY)
    return render_template(
        "emergency/shelters/detail.html",
        shelter=shelter,
        transfers=rows,
        named=named,
        inside=shelters.occupancy([shelter.id]).get(shelter.id, 0),
        form=(form or _transfer_form(submitted=False))
        if staff and not shelter.is_meal_point
        else None,
        arrival_form=arrival_form or ArrivalForm(formdata=None),
        return_form=return_form or ReturnForm(formdata=None),
        return_for=return_for,
        blank_return=ReturnForm(formdata=None),
        may_return=staff and (running is None or secretary),
        running=running,
        secretary=secretary,
        staff=staff,
    ), status


def _street_office_of(community_id: int) -> int | None:
    return db.session.scalar(select(Community.street_office_id).where(Community.id == community_id))


@bp.get("/shelters/<int:shelter_id>")
@roles_required(*STAFF, Role.MERCHANT_STAFF)
def shelter(shelter_id: int):
    return _render_shelter(_shelter_or_404(shelter_id))


@bp.post("/shelters/<int:shelter_id>/transfers")
@roles_required(*STAFF)
def transfer_to_shelter(shelter_id: int):
    found = _shelter_or_404(shelter_id)
    if not _community_staff(found.community_id):
        abort(403)
    form = _transfer_form()
    if not form.validate_on_submit():
        return _render_shelter(found, form, 422)
    try:
        shelters.transfer(
            found,
            people=form.people.data,
            from_place=form.from_place.data,
            household_id=parse_id(form.household_id.data),
            override=bool(form.override.data),
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render_shelter(db.session.get(Shelter, shelter_id), form, exc.status)
    db.session.commit()
    flash(_("已登记转移，请在到达时登记。"), "success")
    return redirect(url_for("emergency.shelter", shelter_id=shelter_id), 303)


@bp.post("/shelters/<int:shelter_id>/arrivals")
@roles_required(*STAFF, Role.MERCHANT_STAFF)
def shelter_arrival(shelter_id: int):
    """Check-in by the household's code or a volunteer card."""
    found = _shelter_or_404(shelter_id)
    form = ArrivalForm()
    if not form.validate_on_submit():
        return _render_shelter(found, arrival_form=form, status=422)
    try:
        rows = shelters.check_in_by_code(found, form.code.data, actor=current_user)
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render_shelter(
            db.session.get(Shelter, shelter_id), arrival_form=form, status=exc.status
        )
    people = sum(r.people for r in rows)
    db.session.commit()
    flash(_("已登记到达：%(n)s 人。", n=people), "success")
    return redirect(url_for("emergency.shelter", shelter_id=shelter_id), 303)


def _transfer_or_404(transfer_id: int) -> Transfer:
    row = db.session.get(Transfer, transfer_id)
    if row is None or not shelters.is_shelter_staff(current_user, row.shelter):
        abort(404)
    return row


def _act(transfer_id: int, action, message):
    row = _transfer_or_404(transfer_id)
    try:
        action(row, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("emergency.shelter", shelter_id=row.shelter_id), 303)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("emergency.shelter", shelter_id=row.shelter_id), 303)


@bp.post("/transfers/<int:transfer_id>/check-in")
@roles_required(*STAFF, Role.MERCHANT_STAFF)
def transfer_check_in(transfer_id: int):
    return _act(transfer_id, shelters.check_in, _("已登记到达。"))


@bp.post("/transfers/<int:transfer_id>/return")
@roles_required(*STAFF)
def transfer_return(transfer_id: int):
    row = _transfer_or_404(transfer_id)
    if not _community_staff(row.community_id):
        abort(403)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _render_shelter(row.shelter, return_form=form, return_for=row.id, status=422)
    try:
        shelters.record_return(row, actor=current_user, override_reason=form.reason.data)
    except DomainError as exc:
        shelter_id = row.shelter_id
        if exc.field is None:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(url_for("emergency.shelter", shelter_id=shelter_id), 303)
        rollback_and_report(exc, form)
        return _render_shelter(
            db.session.get(Shelter, shelter_id),
            return_form=form,
            return_for=transfer_id,
            status=exc.status,
        )
    db.session.commit()
    flash(_("已登记返回。"), "success")
    return redirect(url_for("emergency.shelter", shelter_id=row.shelter_id), 303)

"""Shelters on the web: occupancy against capacity, transfers, check-in and return."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.emergency import households, shelters
from alliance.emergency.shelter_forms import ShelterForm, TransferForm
from alliance.emergency.shelter_models import Shelter, Transfer
from alliance.emergency.web import bp, own_community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.inputs import parse_id

STAFF = (Role.SECRETARY, Role.GRID_WORKER)


def _shelters(community_id: int) -> list[Shelter]:
    return db.session.scalars(
        select(Shelter).where(Shelter.community_id == community_id).order_by(Shelter.id)
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


def _shelter_or_404(shelter_id: int) -> Shelter:
    shelter = db.session.get(Shelter, shelter_id)
    if shelter is None or shelter.community_id != current_user.community_id:
        abort(404)
    return shelter


def _transfer_form(submitted=True) -> TransferForm:
    form = TransferForm() if submitted else TransferForm(formdata=None)
    form.household_id.choices = choices(
        [("", _l("不选"))]
        + [(str(h.id), f"{h.head_name} {h.place}") for h in households.households_for(current_user)]
    )
    return form


def _render_shelter(shelter, form=None, status=200):
    rows = db.session.scalars(
        select(Transfer)
        .where(Transfer.shelter_id == shelter.id)
        .options(joinedload(Transfer.household), joinedload(Transfer.moved_by))
        .order_by(Transfer.returned_at.is_not(None), Transfer.id.desc())
    ).all()
    return render_template(
        "emergency/shelters/detail.html",
        shelter=shelter,
        transfers=rows,
        inside=shelters.occupancy([shelter.id]).get(shelter.id, 0),
        form=form or _transfer_form(submitted=False),
        secretary=current_user.has_role(Role.SECRETARY),
    ), status


@bp.get("/shelters/<int:shelter_id>")
@roles_required(*STAFF)
def shelter(shelter_id: int):
    return _render_shelter(_shelter_or_404(shelter_id))


@bp.post("/shelters/<int:shelter_id>/transfers")
@roles_required(*STAFF)
def transfer_to_shelter(shelter_id: int):
    found = _shelter_or_404(shelter_id)
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


def _transfer_or_404(transfer_id: int) -> Transfer:
    row = db.session.get(Transfer, transfer_id)
    if row is None or row.community_id != current_user.community_id:
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
@roles_required(*STAFF)
def transfer_check_in(transfer_id: int):
    return _act(transfer_id, shelters.check_in, _("已登记到达。"))


@bp.post("/transfers/<int:transfer_id>/return")
@roles_required(*STAFF)
def transfer_return(transfer_id: int):
    return _act(transfer_id, shelters.record_return, _("已登记返回。"))

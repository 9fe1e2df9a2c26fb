"""One hazard point: its history (checks with their photos, notices), editing and retiring it,
and the check photos themselves, served only to those allowed to see them."""

import os
from decimal import Decimal

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.emergency import hazard_photos, hazards
from alliance.emergency.hazard_forms import EditPointForm, RetirePointForm
from alliance.emergency.hazard_models import (
    HazardCheck,
    HazardCheckPhoto,
    HazardPoint,
    RectificationNotice,
)
from alliance.emergency.hazard_views import STAFF, point_input
from alliance.emergency.web import bp, own_community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import rollback_and_report


def _point_or_404(point_id: int) -> HazardPoint:
    point = db.session.get(HazardPoint, point_id)
    if point is None or point.community_id != current_user.community_id:
        abort(404)
    return point


def _edit_form(point: HazardPoint) -> EditPointForm:
    form = EditPointForm(
        formdata=None,
        data={
            "kind": point.kind,
            "name": point.name,
            "estate_id": str(point.estate_id or ""),
            "grid_id": str(point.grid_id or ""),
            "latitude": Decimal(str(point.latitude)) if point.latitude is not None else None,
            "longitude": Decimal(str(point.longitude)) if point.longitude is not None else None,
            "responsible": point.responsible.username if point.responsible else "",
            "check_every_days": point.check_every_days,
            "description": point.description,
        },
    )
    return form


def _render_point(point, *, edit_form=None, retire_form=None, status=200):
    secretary = hazards.is_secretary_of(current_user, point.community_id)
    may_change = secretary and not point.retired
    if may_change:
        edit_form = edit_form or _edit_form(point)
        edit_form.offer(own_community())
        retire_form = retire_form or RetirePointForm(formdata=None)
    checks = db.session.scalars(
        select(HazardCheck)
        .where(HazardCheck.point_id == point.id)
        .options(
            joinedload(HazardCheck.round),
            joinedload(HazardCheck.checked_by),
            selectinload(HazardCheck.photos),
        )
        .order_by(HazardCheck.id.desc())
    ).all()
    notices = db.session.scalars(
        select(RectificationNotice)
        .where(RectificationNotice.point_id == point.id)
        .order_by(RectificationNotice.id.desc())
    ).all()
    return render_template(
        "emergency/hazards/point.html",
        point=point,
        checks=checks,
        notices=notices,
        today=local_today(),
        edit_form=edit_form if may_change else None,
        retire_form=retire_form if may_change else None,
    ), status


@bp.get("/hazards/<int:point_id>")
@roles_required(*STAFF)
def hazard(point_id: int):
    return _render_point(_point_or_404(point_id))


@bp.post("/hazards/<int:point_id>")
@roles_required(Role.SECRETARY)
def edit_hazard(point_id: int):
    point = _point_or_404(point_id)
    form = EditPointForm()
    form.offer(own_community())
    if not form.validate_on_submit():
        return _render_point(point, edit_form=form, status=422)
    try:
        hazards.update_point(point, point_input(form), actor=current_user)
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render_point(_point_or_404(point_id), edit_form=form, status=exc.status)
    db.session.commit()
    flash(_("隐患点已修改：%(name)s", name=point.name), "success")
    return redirect(url_for("emergency.hazard", point_id=point.id), 303)


@bp.post("/hazards/<int:point_id>/retire")
@roles_required(Role.SECRETARY)
def retire_hazard(point_id: int):
    point = _point_or_404(point_id)
    form = RetirePointForm()
    if not form.validate_on_submit():
        return _render_point(point, retire_form=form, status=422)
    try:
        withdrawn = hazards.retire_point(point, reason=form.reason.data, actor=current_user)
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render_point(_point_or_404(point_id), retire_form=form, status=exc.status)
    db.session.commit()
    flash(
        _("隐患点已停用：%(name)s（撤出未检查的排查 %(n)s 项）", name=point.name, n=withdrawn),
        "success",
    )
    return redirect(url_for("emergency.hazard", point_id=point.id), 303)


@bp.get("/hazards/photos/<int:photo_id>")
@login_required
def hazard_photo(photo_id: int):
    photo = db.session.get(HazardCheckPhoto, photo_id)
    if photo is None or not hazard_photos.may_see(current_user, photo):
        abort(404)
    path = hazard_photos.file_of(photo)
    if path is None:
        abort(404)
    mimetype = "image/png" if path.endswith(".png") else "image/jpeg"
    response = send_file(os.path.abspath(path), mimetype=mimetype, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

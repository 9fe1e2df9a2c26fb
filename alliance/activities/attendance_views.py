"""Organisers on the web: a slot's attendance list, scanning cards in and out, times by hand,
absence and confirming the hours."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alliance.accounts.permissions import roles_required
from alliance.activities import service_hours, services
from alliance.activities.forms import ButtonForm, ScanForm, TimesForm
from alliance.activities.models import ActivitySlot, Signup
from alliance.activities.web import ORGANISERS, bp, organised_signup_or_404, organised_slot_or_404
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.formkit import rollback_and_report

# --- organisers: attendance ----------------------------------------------------------------


def _attendance_page(slot, scan_form=None, status=200):
    signups = list(
        db.session.scalars(
            select(Signup)
            .where(Signup.slot_id == slot.id)
            .options(selectinload(Signup.user))
            .order_by(Signup.id)
        )
    )
    return render_template(
        "activities/attendance.html",
        slot=slot,
        activity=slot.activity,
        signups=signups,
        scan_form=scan_form or ScanForm(),
        form=ButtonForm(),
        times_form=TimesForm(),
        backfill=service_hours.is_backfill(slot, utcnow()),
    ), status


@bp.get("/activities/slots/<int:slot_id>/attendance")
@roles_required(*ORGANISERS)
def attendance(slot_id: int):
    return _attendance_page(organised_slot_or_404(slot_id))


@bp.post("/activities/slots/<int:slot_id>/scan")
@roles_required(*ORGANISERS)
def scan(slot_id: int):
    slot = organised_slot_or_404(slot_id)
    form = ScanForm()
    if not form.validate_on_submit():
        return _attendance_page(slot, form, 422)
    try:
        signup, action = service_hours.scan(slot, form.text.data)
    except services.ActivityError as exc:
        db.session.rollback()
        slot = db.session.get(ActivitySlot, slot_id)
        form.text.errors = [*form.text.errors, str(exc.message)]
        return _attendance_page(slot, form, exc.status if exc.status in (404, 409, 422) else 422)
    name = signup.user.display_name
    db.session.commit()
    if action == "in":
        flash(_("%(name)s 已签到。", name=name), "success")
    else:
        flash(_("%(name)s 已签退。", name=name), "success")
    return redirect(url_for(".attendance", slot_id=slot_id)), 303


@bp.post("/activities/signups/<int:signup_id>/times")
@roles_required(*ORGANISERS)
def set_times(signup_id: int):
    signup = organised_signup_or_404(signup_id)
    slot_id = signup.slot_id
    form = TimesForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for(".attendance", slot_id=slot_id)), 303
    try:
        service_hours.set_times(
            signup,
            form.check_in.moment,
            form.check_out.moment,
            actor=current_user,
            reason=form.reason.data or "",
        )
    except services.ActivityError as exc:
        rollback_and_report(exc)
    else:
        db.session.commit()
        flash(_("时间已保存。"), "success")
    return redirect(url_for(".attendance", slot_id=slot_id)), 303


@bp.post("/activities/signups/<int:signup_id>/absent")
@roles_required(*ORGANISERS)
def absent(signup_id: int):
    signup = organised_signup_or_404(signup_id)
    slot_id = signup.slot_id
    try:
        service_hours.mark_absent(signup)
    except services.ActivityError as exc:
        rollback_and_report(exc)
    else:
        db.session.commit()
        flash(_("已记为缺席。"), "success")
    return redirect(url_for(".attendance", slot_id=slot_id)), 303


@bp.post("/activities/signups/<int:signup_id>/confirm")
@roles_required(*ORGANISERS)
def confirm(signup_id: int):
    signup = organised_signup_or_404(signup_id)
    slot_id = signup.slot_id
    try:
        earned = service_hours.confirm(signup, current_user)
    except services.ActivityError as exc:
        rollback_and_report(exc)
    else:
        db.session.commit()
        flash(_("已确认，获得 %(n)d 积分。", n=earned), "success")
    return redirect(url_for(".attendance", slot_id=slot_id)), 303


@bp.post("/activities/slots/<int:slot_id>/confirm")
@roles_required(*ORGANISERS)
def confirm_slot(slot_id: int):
    slot = organised_slot_or_404(slot_id)
    try:
        people, total = service_hours.confirm_slot(slot, current_user)
    except services.ActivityError as exc:
        rollback_and_report(exc)
    else:
        db.session.commit()
        flash(_("已确认 %(p)d 人，共 %(n)d 积分。", p=people, n=total), "success")
    return redirect(url_for(".attendance", slot_id=slot_id)), 303


# --- records and the leaderboard -----------------------------------------------------------

"""Readiness on the web: pioneer posts and responsibility zones, and the duty roster."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.db_types import utcnow
from alliance.emergency import duty, posts
from alliance.emergency.forms import (
    HandoverForm,
    PostForm,
    ResponsibleForm,
    ShiftForm,
    SignOnForm,
)
from alliance.emergency.models import DutyShift, EmergencyPost, PostKind
from alliance.emergency.web import bp, own_community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.inputs import parse_id

STAFF = (Role.SECRETARY, Role.GRID_WORKER)
ROSTER_DAYS = 7


def _post_form(community, *, submitted=True) -> PostForm:
    form = PostForm() if submitted else PostForm(formdata=None)
    form.kind.choices = choices([(k.value, k.label) for k in PostKind])
    form.estate_ids.choices = choices([(str(e.id), e.name) for e in community.estates])
    form.grid_ids.choices = choices([(str(g.id), g.name) for g in community.grids])
    return form


def _ids(values) -> tuple[int, ...]:
    found = tuple(i for i in (parse_id(v) for v in values or ()) if i is not None)
    if len(found) != len(values or ()):
        abort(400)
    return found


def _render_posts(form=None, status=200):
    community = own_community()
    secretary = current_user.has_role(Role.SECRETARY)
    return render_template(
        "emergency/posts.html",
        posts=posts.posts_of(community.id),
        gaps=posts.gaps(community.id),
        form=(form or _post_form(community, submitted=False)) if secretary else None,
        responsible_form=ResponsibleForm(formdata=None) if secretary else None,
    ), status


@bp.get("/posts")
@roles_required(*STAFF)
def posts_index():
    return _render_posts()


@bp.post("/posts")
@roles_required(Role.SECRETARY)
def create_post():
    community = own_community()
    form = _post_form(community)
    if not form.validate_on_submit():
        return _render_posts(form, 422)
    try:
        posts.create_post(
            community,
            posts.PostInput(
                kind=form.kind.data,
                name=form.name.data,
                place=form.place.data,
                duty=form.duty.data,
                hazard_points=form.hazard_points.data,
                responsible=form.responsible.data or "",
                estate_ids=_ids(form.estate_ids.data),
                grid_ids=_ids(form.grid_ids.data),
            ),
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form, field="name")
        return _render_posts(form, 422)
    db.session.commit()
    flash(_("已添加。"), "success")
    return redirect(url_for("emergency.posts_index"), 303)


@bp.post("/posts/<int:post_id>/responsible")
@roles_required(Role.SECRETARY)
def name_responsible(post_id: int):
    post = db.session.get(EmergencyPost, post_id)
    if post is None or post.community_id != current_user.community_id:
        abort(404)
    form = ResponsibleForm()
    if form.validate_on_submit():
        try:
            posts.name_responsible(post, form.responsible.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return _render_posts(status=422)
        db.session.commit()
        flash(_("已指定包保责任人。"), "success")
        return redirect(url_for("emergency.posts_index"), 303)
    flash(_("请填写包保责任人的用户名或手机号。"), "danger")
    return _render_posts(status=422)


def _render_duty(form=None, status=200):
    community = own_community()
    now = utcnow()
    shifts = duty.shifts_between(
        community.id, now - timedelta(days=1), now + timedelta(days=ROSTER_DAYS)
    )
    secretary = current_user.has_role(Role.SECRETARY)
    return render_template(
        "emergency/duty.html",
        shifts=shifts,
        leaderless={s.id for s in duty.without_leader(shifts)},
        now=now,
        form=(form or ShiftForm(formdata=None)) if secretary else None,
    ), status


@bp.get("/duty")
@roles_required(*STAFF)
def duty_index():
    return _render_duty()


@bp.post("/duty")
@roles_required(Role.SECRETARY)
def create_shift():
    form = ShiftForm()
    if not form.validate_on_submit():
        return _render_duty(form, 422)
    try:
        duty.create_shift(
            own_community(),
            duty.ShiftInput(
                starts_at=form.starts_at.moment,
                hours=form.hours.data,
                place=form.place.data or "",
                leader=form.leader.data or "",
                people=tuple((form.people.data or "").splitlines()),
            ),
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form, field="people")
        return _render_duty(form, 422)
    db.session.commit()
    flash(_("已排班。"), "success")
    return redirect(url_for("emergency.duty_index"), 303)


def _shift_or_404(shift_id: int) -> DutyShift:
    shift = duty.load_shift(shift_id)
    if shift is None:
        abort(404)
    mine = any(a.user_id == current_user.id for a in shift.people)
    if not mine and not (
        current_user.has_role(*STAFF) and current_user.community_id == shift.community_id
    ):
        abort(404)
    return shift


def _render_shift(shift, *, sign_form=None, handover_form=None, status=200):
    return render_template(
        "emergency/shift.html",
        shift=shift,
        previous=duty.previous_shift(shift),
        sign_form=sign_form or SignOnForm(formdata=None),
        handover_form=handover_form
        or HandoverForm(formdata=None, data={"note": shift.handover_note}),
        leaderless=not any(a.is_leader for a in shift.people),
    ), status


@bp.get("/duty/<int:shift_id>")
@login_required
def shift(shift_id: int):
    return _render_shift(_shift_or_404(shift_id))


@bp.post("/duty/<int:shift_id>/sign-on")
@login_required
def sign_on(shift_id: int):
    found = _shift_or_404(shift_id)
    form = SignOnForm()
    if form.validate_on_submit():
        try:
            row = duty.sign_on(found, form.card.data, actor=current_user)
        except DomainError as exc:
            if exc.field is None:
                db.session.rollback()
                abort(exc.status)
            rollback_and_report(exc, form)
        else:
            name = row.user.display_name
            db.session.commit()
            flash(_("%(name)s已签到。", name=name), "success")
            return redirect(url_for("emergency.shift", shift_id=shift_id), 303)
    return _render_shift(_shift_or_404(shift_id), sign_form=form, status=422)


@bp.post("/duty/<int:shift_id>/hand-over")
@login_required
def hand_over(shift_id: int):
    found = _shift_or_404(shift_id)
    form = HandoverForm()
    if form.validate_on_submit():
        try:
            duty.hand_over(found, form.note.data, actor=current_user)
        except DomainError as exc:
            if exc.field is None:
                db.session.rollback()
                abort(exc.status)
            rollback_and_report(exc, form)
        else:
            db.session.commit()
            flash(_("交接班记录已保存。"), "success")
            return redirect(url_for("emergency.shift", shift_id=shift_id), 303)
    return _render_shift(_shift_or_404(shift_id), handover_form=form, status=422)

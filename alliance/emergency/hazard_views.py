"""Hazard points on the web: the register, inspection rounds on a phone, rectification notices."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.emergency import hazard_photos, hazards
from alliance.emergency.hazard_forms import (
    CheckForm,
    FixedForm,
    NoticeForm,
    PointForm,
    RecheckForm,
    RoundForm,
)
from alliance.emergency.hazard_models import (
    HazardCheck,
    InspectionRound,
    NoticeState,
    RectificationNotice,
)
from alliance.emergency.web import bp, own_community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import rollback_and_report
from alliance.inputs import parse_id

STAFF = (Role.SECRETARY, Role.GRID_WORKER)
RECENT_ROUNDS = 20


def _secretary() -> bool:
    return current_user.has_role(Role.SECRETARY)


def _rounds(community_id: int) -> list[tuple[InspectionRound, int, int]]:
    """(round, checked, total) for the latest rounds, in one statement."""
    rows = db.session.execute(
        select(InspectionRound, func.count(HazardCheck.result), func.count(HazardCheck.id))
        .outerjoin(HazardCheck, HazardCheck.round_id == InspectionRound.id)
        .where(InspectionRound.community_id == community_id)
        .group_by(InspectionRound.id)
        .order_by(InspectionRound.started_at.desc(), InspectionRound.id.desc())
        .limit(RECENT_ROUNDS)
    ).all()
    return [tuple(r) for r in rows]


def _open_notices(community_id: int) -> list[RectificationNotice]:
    return db.session.scalars(
        select(RectificationNotice)
        .where(
            RectificationNotice.community_id == community_id,
            RectificationNotice.state != NoticeState.CLOSED,
        )
        .options(joinedload(RectificationNotice.point), joinedload(RectificationNotice.responsible))
        .order_by(RectificationNotice.deadline, RectificationNotice.id)
    ).all()


def _render_index(point_form=None, round_form=None, status=200):
    community = own_community()
    secretary = _secretary()
    if point_form is None and secretary:
        point_form = PointForm(formdata=None)
    if point_form is not None:
        point_form.offer(community)
    return render_template(
        "emergency/hazards/index.html",
        points=hazards.points_of(community.id),
        rounds=_rounds(community.id),
        notices=_open_notices(community.id),
        season=hazards.figures(community.id, year=local_today().year),
        today=local_today(),
        point_form=point_form,
        round_form=(round_form or RoundForm(formdata=None)) if secretary else None,
    ), status


@bp.get("/hazards")
@roles_required(*STAFF)
def hazards_index():
    return _render_index()


def _number(field):
    return float(field.data) if field.data is not None else None


def point_input(form) -> hazards.PointInput:
    return hazards.PointInput(
        kind=form.kind.data,
        name=form.name.data,
        estate_id=parse_id(form.estate_id.data),
        grid_id=parse_id(form.grid_id.data),
        latitude=_number(form.latitude),
        longitude=_number(form.longitude),
        responsible=form.responsible.data,
        check_every_days=form.check_every_days.data,
        description=form.description.data,
    )


@bp.post("/hazards")
@roles_required(Role.SECRETARY)
def create_hazard():
    community = own_community()
    form = PointForm()
    form.offer(community)
    if not form.validate_on_submit():
        return _render_index(point_form=form, status=422)
    try:
        point = hazards.create_point(
            community,
            point_input(form),
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render_index(point_form=form, status=exc.status)
    db.session.commit()
    flash(_("已添加隐患点：%(name)s", name=point.name), "success")
    return redirect(url_for("emergency.hazard", point_id=point.id), 303)


@bp.post("/hazards/rounds")
@roles_required(Role.SECRETARY)
def start_hazard_round():
    form = RoundForm()
    if not form.validate_on_submit():
        return _render_index(round_form=form, status=422)
    try:
        found = hazards.start_round(
            own_community(),
            name=form.name.data,
            inspector=form.inspector.data or "",
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render_index(round_form=form, status=exc.status)
    db.session.commit()
    flash(_("排查已开始：%(name)s", name=found.name), "success")
    return redirect(url_for("emergency.hazard_round", round_id=found.id), 303)


@bp.get("/hazards/rounds/<int:round_id>")
@login_required
def hazard_round(round_id: int):
    """An inspector (anyone assigned points in the round) sees their own points first, with
    their own progress; staff see the other points too (folded away when they have points of
    their own), and the secretary sees each inspector's progress."""
    found = db.session.get(InspectionRound, round_id)
    if found is None:
        abort(404)
    staff = hazards.is_staff_of(current_user, found.community_id)
    query = (
        select(HazardCheck)
        .where(HazardCheck.round_id == found.id)
        .options(joinedload(HazardCheck.point), joinedload(HazardCheck.inspector))
        .order_by(HazardCheck.result.is_not(None), HazardCheck.point_id)
    )
    if not staff:
        query = query.where(HazardCheck.inspector_id == current_user.id)
    checks = db.session.scalars(query).all()
    if not staff and not checks:
        abort(404)
    mine = [c for c in checks if c.inspector_id == current_user.id]
    secretary = hazards.is_secretary_of(current_user, found.community_id)
    return render_template(
        "emergency/hazards/round.html",
        round=found,
        mine=mine,
        mine_checked=sum(1 for c in mine if c.result is not None),
        others=[c for c in checks if c.inspector_id != current_user.id],
        staff=staff,
        inspectors=hazards.progress_by_inspector(found.id) if secretary else None,
        figures=hazards.figures(found.community_id, round_id=found.id),
    )


def _check_or_404(check_id: int) -> HazardCheck:
    check = db.session.get(HazardCheck, check_id)
    if check is None or not (
        hazards.can_record(current_user, check)
        or hazards.is_staff_of(current_user, check.community_id)
    ):
        abort(404)
    return check


def _render_check(check, form=None, status=200):
    return render_template(
        "emergency/hazards/check.html",
        check=check,
        photos=check.photos if check.result else [],
        form=(form or CheckForm(formdata=None))
        if hazards.can_record(current_user, check)
        else None,
    ), status


@bp.get("/hazards/checks/<int:check_id>")
@login_required
def hazard_check(check_id: int):
    return _render_check(_check_or_404(check_id))


@bp.post("/hazards/checks/<int:check_id>")
@login_required
def record_hazard_check(check_id: int):
    check = _check_or_404(check_id)
    if not hazards.can_record(current_user, check):
        abort(403)
    form = CheckForm()
    if not form.validate_on_submit():
        return _render_check(check, form, 422)
    uploads = [
        f.read(hazard_photos.MAX_PHOTO_BYTES + 1)
        for f in (form.photos.data or [])
        if getattr(f, "filename", "")
    ]
    try:
        notice = hazards.record_check(
            check,
            result=form.result.data,
            note=form.note.data,
            actor=current_user,
            photos=uploads,
        )
    except DomainError as exc:
        if exc.field is None:
            db.session.rollback()
            abort(exc.status)
        rollback_and_report(exc, form)
        return _render_check(db.session.get(HazardCheck, check_id), form, exc.status)
    db.session.commit()
    if notice is not None:
        flash(_("已记录隐患，整改通知书%(number)s已生成。", number=notice.number), "warning")
    else:
        flash(_("已记录：正常。"), "success")
    return redirect(url_for("emergency.hazard_round", round_id=check.round_id), 303)


def _may_see_notice(notice: RectificationNotice) -> bool:
    return current_user.id in (
        notice.responsible_id,
        notice.rechecker_id,
    ) or hazards.is_staff_of(current_user, notice.community_id)


def _notice_or_404(notice_id: int) -> RectificationNotice:
    notice = db.session.get(RectificationNotice, notice_id)
    if notice is None or not _may_see_notice(notice):
        abort(404)
    return notice


def _render_notice(notice, *, notice_form=None, fixed_form=None, recheck_form=None, status=200):
    secretary = hazards.is_secretary_of(current_user, notice.community_id)
    open_ = notice.state == NoticeState.OPEN
    if notice_form is None and secretary and notice.state != NoticeState.CLOSED:
        notice_form = NoticeForm(
            formdata=None,
            data={
                "measure": notice.measure,
                "money": notice.money,
                "responsible": notice.responsible.username if notice.responsible else "",
                "rechecker": notice.rechecker.username if notice.rechecker else "",
            },
        )
        notice_form.deadline.set_day(notice.deadline)
    may_recheck = notice.state == NoticeState.FIXED and (
        current_user.id == notice.rechecker_id or secretary
    )
    return render_template(
        "emergency/hazards/notice.html",
        notice=notice,
        overdue=notice.overdue_on(local_today()),
        notice_form=notice_form,
        fixed_form=(fixed_form or FixedForm(formdata=None))
        if open_ and current_user.id == notice.responsible_id
        else None,
        recheck_form=(recheck_form or RecheckForm(formdata=None)) if may_recheck else None,
    ), status


@bp.get("/hazards/notices/<int:notice_id>")
@login_required
def hazard_notice(notice_id: int):
    return _render_notice(_notice_or_404(notice_id))


def _refused(exc: DomainError, notice_id: int, **forms):
    if exc.field is None:
        db.session.rollback()
        return render_template("errors/error.html", code=exc.status, message=str(exc.message)), (
            exc.status
        )
    form = next(iter(forms.values()))
    rollback_and_report(exc, form)
    return _render_notice(
        db.session.get(RectificationNotice, notice_id), status=exc.status, **forms
    )


@bp.post("/hazards/notices/<int:notice_id>")
@login_required
def edit_hazard_notice(notice_id: int):
    notice = _notice_or_404(notice_id)
    if not hazards.is_secretary_of(current_user, notice.community_id):
        abort(403)
    form = NoticeForm()
    if not form.validate_on_submit():
        return _render_notice(notice, notice_form=form, status=422)
    try:
        hazards.set_notice(
            notice,
            hazards.NoticeInput(
                measure=form.measure.data,
                money=form.money.data,
                responsible=form.responsible.data,
                rechecker=form.rechecker.data,
                deadline=form.deadline.day,
            ),
            actor=current_user,
        )
    except DomainError as exc:
        return _refused(exc, notice_id, notice_form=form)
    db.session.commit()
    flash(_("整改通知书已保存。"), "success")
    return redirect(url_for("emergency.hazard_notice", notice_id=notice_id), 303)


@bp.post("/hazards/notices/<int:notice_id>/fixed")
@login_required
def hazard_fixed(notice_id: int):
    notice = _notice_or_404(notice_id)
    if current_user.id != notice.responsible_id:
        abort(403)
    form = FixedForm()
    if not form.validate_on_submit():
        return _render_notice(notice, fixed_form=form, status=422)
    try:
        hazards.report_fixed(notice, note=form.note.data, actor=current_user)
    except DomainError as exc:
        return _refused(exc, notice_id, fixed_form=form)
    db.session.commit()
    flash(_("已报告整改完成，等待复查。"), "success")
    return redirect(url_for("emergency.hazard_notice", notice_id=notice_id), 303)


@bp.post("/hazards/notices/<int:notice_id>/recheck")
@login_required
def hazard_recheck(notice_id: int):
    notice = _notice_or_404(notice_id)
    if current_user.id != notice.rechecker_id and not hazards.is_secretary_of(
        current_user, notice.community_id
    ):
        abort(403)
    form = RecheckForm()
    if not form.validate_on_submit():
        return _render_notice(notice, recheck_form=form, status=422)
    try:
        hazards.recheck(
            notice, passed=form.passed.data == "yes", note=form.note.data, actor=current_user
        )
    except DomainError as exc:
        return _refused(exc, notice_id, recheck_form=form)
    db.session.commit()
    if notice.state == NoticeState.CLOSED:
        flash(_("复查通过，已销号。"), "success")
    else:
        flash(_("复查不通过，已退回整改。"), "warning")
    return redirect(url_for("emergency.hazard_notice", notice_id=notice_id), 303)

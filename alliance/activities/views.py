"""Volunteer activities on the web: the list, sign-ups, publishing, attendance, records."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alliance import clock
from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.activities import records, service_hours, services
from alliance.activities.forms import (
    ActivityForm,
    ButtonForm,
    EditActivityForm,
    ScanForm,
    SlotForm,
    TimesForm,
    VisibilityForm,
)
from alliance.activities.models import Activity, ActivitySlot, ServiceRecord, Signup
from alliance.cards import codes
from alliance.communities.models import Community
from alliance.communities.services import scoped
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.formkit import rollback_and_report, save_form
from alliance.points.models import PointsAccount
from alliance.stars import levels as star_levels

bp = Blueprint("activities", __name__)

ORGANISERS = (Role.SECRETARY, Role.STREET_OFFICER, Role.GRID_WORKER)
PAGE_SIZE = 30


def _activity_or_404(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not current_user.is_authenticated or not _can_see(activity):
        abort(404)
    return activity


def _can_see(activity: Activity) -> bool:
    return current_user.community_id == activity.community_id or services.can_organise(
        current_user, activity
    )


def _slot_or_404(slot_id: int) -> ActivitySlot:
    slot = db.session.get(ActivitySlot, slot_id)
    if slot is None or not _can_see(slot.activity):
        abort(404)
    return slot


def _organised_slot_or_404(slot_id: int) -> ActivitySlot:
    slot = _slot_or_404(slot_id)
    if not services.can_organise(current_user, slot.activity):
        abort(404 if current_user.community_id != slot.community_id else 403)
    return slot


def _organised_signup_or_404(signup_id: int) -> Signup:
    signup = db.session.get(Signup, signup_id)
    if signup is None:
        abort(404)
    _organised_slot_or_404(signup.slot_id)
    return signup


# --- volunteers ----------------------------------------------------------------------------


@bp.get("/activities/")
@login_required
def index():
    community_id = current_user.community_id
    activities = services.upcoming(community_id) if community_id else []
    mine = (
        {
            s.slot_id: s
            for s in db.session.scalars(
                select(Signup).where(
                    Signup.user_id == current_user.id,
                    Signup.slot_id.in_([sl.id for a in activities for sl in a.slots]),
                )
            )
        }
        if activities
        else {}
    )
    can_publish = bool(community_id) and services.can_publish(current_user, community_id)
    return render_template(
        "activities/index.html",
        activities=activities,
        mine=mine,
        can_publish=can_publish,
        is_organiser=current_user.has_role(*ORGANISERS),
        form=ButtonForm(),
    )


@bp.get("/activities/<int:activity_id>")
@login_required
def detail(activity_id: int):
    activity = _activity_or_404(activity_id)
    mine = {
        s.slot_id: s
        for s in db.session.scalars(
            select(Signup).where(
                Signup.user_id == current_user.id, Signup.activity_id == activity.id
            )
        )
    }
    can_volunteer = services.active_profile(current_user, activity.community_id) is not None
    return render_template(
        "activities/detail.html",
        activity=activity,
        mine=mine,
        now=utcnow(),
        can_volunteer=can_volunteer,
        can_organise=services.can_organise(current_user, activity),
        can_publish=services.can_publish(current_user, activity.community_id),
        form=ButtonForm(),
        slot_form=SlotForm(),
    )


@bp.post("/activities/slots/<int:slot_id>/signup")
@login_required
def signup(slot_id: int):
    slot = _slot_or_404(slot_id)
    activity_id = slot.activity_id
    try:
        services.sign_up(slot, current_user)
    except services.ActivityError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".detail", activity_id=activity_id)), 303
    db.session.commit()
    flash(_("报名成功。"), "success")
    return redirect(url_for(".detail", activity_id=activity_id)), 303


@bp.post("/activities/slots/<int:slot_id>/cancel")
@login_required
def cancel_signup(slot_id: int):
    slot = _slot_or_404(slot_id)
    activity_id = slot.activity_id
    mine = db.session.scalars(
        select(Signup).where(Signup.slot_id == slot.id, Signup.user_id == current_user.id)
    ).first()
    if mine is None:
        flash(_("您没有报名这个时段。"), "danger")
        return redirect(url_for(".detail", activity_id=activity_id)), 303
    try:
        services.cancel_signup(mine)
    except services.ActivityError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".detail", activity_id=activity_id)), 303
    db.session.commit()
    flash(_("已取消报名。"), "success")
    return redirect(url_for(".detail", activity_id=activity_id)), 303


# --- secretaries: publishing ---------------------------------------------------------------


def _projects(community_id):
    from alliance.projects.models import Project

    return list(
        db.session.scalars(
            select(Project).where(Project.community_id == community_id).order_by(Project.title)
        )
    )


def _publishable_activity_or_404(activity_id: int) -> Activity:
    """An activity the signed-in secretary may change: 404 outside their sight, else 403."""
    activity = _activity_or_404(activity_id)
    if not services.can_publish(current_user, activity.community_id):
        abort(403)
    return activity


def _activity_input(form: EditActivityForm) -> services.ActivityInput:
    """The form as the services take it; the publishing form also carries the first slot."""
    slots = []
    if isinstance(form, ActivityForm):
        slots.append(
            services.SlotInput(form.starts_at.moment, form.ends_at.moment, form.capacity.data)
        )
    return services.ActivityInput(
        title=form.title.data,
        category=form.category.data,
        place=form.place.data,
        description=form.description.data or "",
        emergency=form.emergency.data,
        points_per_hour=form.points_per_hour.data,
        project_id=form.project_id.data or None,
        slots=slots,
        insured=form.insured.data,
        insurance_policy=form.insurance_policy.data or "",
    )


@bp.route("/activities/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def new():
    community = (
        db.session.get(Community, current_user.community_id) if current_user.community_id else None
    )
    if community is None:
        abort(403)
    form = ActivityForm(projects=_projects(community.id))
    if request.method == "GET" and request.args.get("project", type=int):
        form.project_id.data = request.args.get("project", type=int)
    activity = save_form(
        form,
        lambda: services.create_activity(community, current_user, _activity_input(form)),
        message=_("活动已发布。"),
        field="title",
    )
    if activity is not None:
        return redirect(url_for(".detail", activity_id=activity.id))
    return render_template("activities/new.html", form=form), 422 if form.errors else 200


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def edit(activity_id: int):
    activity = _publishable_activity_or_404(activity_id)
    try:
        services.ensure_editable(activity)  # checked again on saving
    except services.ActivityError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".detail", activity_id=activity_id))
    # A submitted form's data wins over the activity's (WTForms reads obj only without it).
    form = EditActivityForm(obj=activity, projects=_projects(activity.community_id))
    if not form.is_submitted():
        form.project_id.data = activity.project_id or 0  # "不关联项目" is 0, not None
    if save_form(
        form,
        lambda: services.update_activity(activity, _activity_input(form)),
        message=_("活动已修改。"),
        field="title",
    ):
        return redirect(url_for(".detail", activity_id=activity_id))
    status = 422 if form.errors else 200
    return render_template("activities/edit.html", form=form, activity=activity), status


@bp.post("/activities/<int:activity_id>/slots")
@roles_required(Role.SECRETARY)
def add_slot(activity_id: int):
    activity = _publishable_activity_or_404(activity_id)
    form = SlotForm()
    if form.validate_on_submit():
        try:
            services.add_slot(
                activity,
                services.SlotInput(form.starts_at.moment, form.ends_at.moment, form.capacity.data),
            )
        except services.ActivityError as exc:
            rollback_and_report(exc)
        else:
            db.session.commit()
            flash(_("时段已添加。"), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for(".detail", activity_id=activity_id)), 303


@bp.post("/activities/<int:activity_id>/cancel")
@roles_required(Role.SECRETARY)
def cancel(activity_id: int):
    activity = _publishable_activity_or_404(activity_id)
    try:
        services.cancel_activity(activity)
    except services.ActivityError as exc:
        rollback_and_report(exc)
    else:
        db.session.commit()
        flash(_("活动已取消。"), "success")
    return redirect(url_for(".detail", activity_id=activity_id)), 303


@bp.get("/activities/manage")
@roles_required(*ORGANISERS)
def manage():
    stmt = (
        scoped(select(Activity), Activity.community_id, current_user)
        .options(selectinload(Activity.slots))
        .order_by(Activity.id.desc())
    )
    page = db.paginate(stmt, per_page=PAGE_SIZE, error_out=False)
    editable = {
        a.id
        for a in page.items
        if not a.is_cancelled and services.can_publish(current_user, a.community_id)
    }
    return render_template(
        "activities/manage.html",
        page=page,
        editable=editable,
        can_publish=current_user.has_role(Role.SECRETARY),
    )


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
    return _attendance_page(_organised_slot_or_404(slot_id))


@bp.post("/activities/slots/<int:slot_id>/scan")
@roles_required(*ORGANISERS)
def scan(slot_id: int):
    slot = _organised_slot_or_404(slot_id)
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
    signup = _organised_signup_or_404(signup_id)
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
    signup = _organised_signup_or_404(signup_id)
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
    signup = _organised_signup_or_404(signup_id)
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
    slot = _organised_slot_or_404(slot_id)
    try:
        people, total = service_hours.confirm_slot(slot, current_user)
    except services.ActivityError as exc:
        rollback_and_report(exc)
    else:
        db.session.commit()
        flash(_("已确认 %(p)d 人，共 %(n)d 积分。", p=people, n=total), "success")
    return redirect(url_for(".attendance", slot_id=slot_id)), 303


# --- records and the leaderboard -----------------------------------------------------------


@bp.get("/activities/leaderboard")
@login_required
def leaderboard():
    month, first, nxt = clock.month_bounds(request.args.get("month"))
    board = (
        records.leaderboard(current_user.community_id, first, nxt)
        if current_user.community_id
        else {"hours": [], "points": []}
    )
    account = db.session.scalars(
        select(PointsAccount).where(PointsAccount.user_id == current_user.id)
    ).first()
    form = VisibilityForm(show_name=bool(account and account.show_name))
    return render_template("activities/leaderboard.html", month=month, board=board, form=form)


@bp.post("/activities/leaderboard/visibility")
@login_required
def visibility():
    form = VisibilityForm()
    if form.validate_on_submit() and current_user.community_id:
        records.set_show_name(current_user, form.show_name.data)
        db.session.commit()
        flash(
            _("已保存。") if form.show_name.data else _("排行榜上将显示为匿名志愿者。"), "success"
        )
    return redirect(url_for(".leaderboard")), 303


def _check_url(token: str) -> str:
    root = (current_app.config.get("SITE_URL") or request.url_root).rstrip("/")
    return f"{root}{url_for('.check_record', token=token)}"


@bp.get("/me/record")
@login_required
def record():
    summary = records.service_summary(current_user.id)
    return render_template(
        "activities/record_preview.html",
        summary=summary,
        star=star_levels.standing(summary.total_minutes),
        form=ButtonForm(),
        card_number=records.volunteer_card_number(current_user.id),
    )


@bp.post("/me/record")
@login_required
def issue_record():
    try:
        issued = records.issue_record(current_user)
    except services.ActivityError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".record")), 303
    db.session.commit()
    return redirect(url_for(".printable_record", record_id=issued.id)), 303


@bp.get("/me/record/<int:record_id>")
@login_required
def printable_record(record_id: int):
    issued = db.session.get(ServiceRecord, record_id)
    if issued is None or issued.user_id != current_user.id:
        abort(404)
    summary = records.service_summary(current_user.id)
    rows = [r for r in summary.rows if r.confirmed_at <= issued.issued_at]
    profile = db.session.scalars(
        select(services.VolunteerProfile).where(
            services.VolunteerProfile.user_id == current_user.id
        )
    ).first()
    url = _check_url(issued.token)
    return render_template(
        "activities/record.html",
        record=issued,
        rows=rows,
        name=profile.name if profile else current_user.display_name,
        qr=codes.qr_svg(url),
        check_url=url,
    )


@bp.get("/records/<token>")
def check_record(token: str):
    issued = None
    if 20 <= len(token) <= 64:
        issued = db.session.scalars(
            select(ServiceRecord).where(ServiceRecord.token == token)
        ).first()
    status = 200 if issued else 404
    return render_template("activities/check.html", record=issued), status

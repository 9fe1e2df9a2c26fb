"""Volunteer activities on the web: the list, sign-ups and publishing. Attendance is in
attendance_views.py, the leaderboard and service records in record_views.py."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.activities import services
from alliance.activities.forms import ActivityForm, ButtonForm, EditActivityForm, SlotForm
from alliance.activities.models import Activity, Signup
from alliance.activities.web import ORGANISERS, activity_or_404, bp, slot_or_404
from alliance.communities.models import Community
from alliance.communities.services import scoped
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.formkit import rollback_and_report, save_form

PAGE_SIZE = 30


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
    activity = activity_or_404(activity_id)
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
    slot = slot_or_404(slot_id)
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
    slot = slot_or_404(slot_id)
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
    activity = activity_or_404(activity_id)
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


from alliance.activities import attendance_views as _attendance  # noqa: E402,F401  (same blueprint)
from alliance.activities import record_views as _records  # noqa: E402,F401  (same blueprint)

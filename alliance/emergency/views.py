"""The emergency console (/emergency/) and the switch: start, change level, end."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.communities.models import Community, StreetOffice
from alliance.emergency import alerts, duty, mobilisation, posts, roster, services
from alliance.emergency.forms import ChangeLevelForm, EndResponseForm, StartResponseForm
from alliance.emergency.models import EmergencyResponse
from alliance.emergency.tasks import CONSOLE_ROLES, tasks_for
from alliance.emergency.web import bp
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report

RECENT = 10


def _targets(user) -> list[tuple[str, str, services.Target]]:
    """(value, label, target) this person may start a response for."""
    found = []
    if user.has_role(Role.STREET_OFFICER) and user.street_office_id:
        office = db.session.get(StreetOffice, user.street_office_id)
        found.append(
            (
                "office",
                _("%(name)s（全街道）", name=office.name),
                services.Target(street_office=office),
            )
        )
        for community in db.session.scalars(
            select(Community).where(Community.street_office_id == office.id).order_by(Community.id)
        ):
            found.append((f"c{community.id}", community.name, services.Target(community=community)))
    elif user.has_role(Role.SECRETARY) and user.community is not None:
        found.append(
            (
                f"c{user.community.id}",
                user.community.name,
                services.Target(community=user.community),
            )
        )
    return found


def _start_form(targets) -> StartResponseForm | None:
    if not targets:
        return None
    form = StartResponseForm()
    form.target.choices = choices([(value, label) for value, label, _t in targets])
    if not form.target.data:
        form.target.data = targets[0][0]
    return form


def register_downloads(user) -> list[tuple[str, str, str]]:
    """(register, CSV link, XLSX link) for the secretary (rows) and the street office (counts)."""
    if not user.has_role(Role.SECRETARY, Role.STREET_OFFICER):
        return []
    names = {
        "hazards": _("隐患点"),
        "households": _("重点人群"),
        "shelters": _("安置点"),
        "supplies": _("物资储备"),
    }
    return [
        (
            label,
            url_for("emergency.register_export", register=key, ext="csv"),
            url_for("emergency.register_export", register=key, ext="xlsx"),
        )
        for key, label in names.items()
    ]


def _render_console(form=None, status=200):
    user = current_user
    targets = _targets(user)
    form = form or _start_form(targets)
    rows = db.session.scalars(
        services.visible_responses(user)
        .order_by(EmergencyResponse.started_at.desc(), EmergencyResponse.id.desc())
        .limit(RECENT)
    ).all()
    running = [r for r in rows if r.running]
    community_id = user.community_id
    if community_id:
        on_duty = duty.on_duty_now(community_id)
        readiness = {
            "gaps": posts.gaps(community_id),
            "on_duty": on_duty,
            "leaderless": duty.leaderless_ahead(community_id),
            "alerts": alerts.current_for(community_id),
        }
    else:
        readiness = None
    return render_template(
        "emergency/index.html",
        readiness=readiness,
        turnouts=mobilisation.turnouts([r.id for r in rows]),
        roster=roster.roster_counts(community_id) if community_id else None,
        running=running,
        ended=[r for r in rows if not r.running],
        manageable={r.id for r in rows if services.can_manage(user, r)},
        start_form=form,
        downloads=register_downloads(user),
    ), status


@bp.get("/")
@login_required
def index():
    if current_user.has_role(*CONSOLE_ROLES):
        return _render_console()
    return render_template(
        "emergency/now.html",
        response=services.banner_for(current_user),
        tasks=tasks_for(current_user),
        call_ups=mobilisation.open_call_ups_for(current_user.id),
        alerts=alerts.current_for(current_user.community_id) if current_user.community_id else [],
    )


@bp.post("/start")
@roles_required(Role.SECRETARY, Role.STREET_OFFICER)
def start():
    targets = _targets(current_user)
    form = _start_form(targets)
    if form is None:
        abort(403)
    if not form.validate_on_submit():
        return _render_console(form, 422)
    target = next(t for value, _label, t in targets if value == form.target.data)
    try:
        response = services.start_response(
            target,
            kind=form.kind.data,
            level=form.level.data,
            reason=form.reason.data,
            drill=form.drill.data,
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form, field="reason")
        return _render_console(form, exc.status)
    db.session.commit()
    flash(_("已启动%(level)s应急响应。", level=response.level_text), "success")
    return redirect(url_for("emergency.detail", response_id=response.id), 303)


def _visible_or_404(response_id: int) -> EmergencyResponse:
    response = db.session.scalars(
        services.visible_responses(current_user).where(EmergencyResponse.id == response_id)
    ).first()
    if response is None:
        abort(404)
    return response


def _render_detail(response, *, level_form=None, end_form=None, status=200):
    can_manage = response.running and services.can_manage(current_user, response)
    return render_template(
        "emergency/detail.html",
        response=response,
        changes=services.history(response),
        level_form=(level_form or ChangeLevelForm(formdata=None, prefix="level"))
        if can_manage
        else None,
        end_form=(end_form or EndResponseForm(formdata=None, prefix="end")) if can_manage else None,
    ), status


def _refused(exc: DomainError, form, response_id: int, **forms):
    """A field's problem goes back on the form (422); a state the response is no longer in
    (ended meanwhile, 409) or a scope the person does not command (403) is the error page."""
    if exc.field is None:
        db.session.rollback()
        return render_template("errors/error.html", code=exc.status, message=str(exc.message)), (
            exc.status
        )
    rollback_and_report(exc, form)
    return _render_detail(
        db.session.get(EmergencyResponse, response_id), status=exc.status, **forms
    )


@bp.get("/responses/<int:response_id>")
@roles_required(*CONSOLE_ROLES)
def detail(response_id: int):
    return _render_detail(_visible_or_404(response_id))


@bp.post("/responses/<int:response_id>/level")
@roles_required(Role.SECRETARY, Role.STREET_OFFICER)
def change_level(response_id: int):
    response = _visible_or_404(response_id)
    form = ChangeLevelForm(prefix="level")
    if not form.validate_on_submit():
        return _render_detail(response, level_form=form, status=422)
    try:
        services.change_level(
            response, level=form.level.data, reason=form.reason.data, actor=current_user
        )
    except DomainError as exc:
        return _refused(exc, form, response_id, level_form=form)
    db.session.commit()
    flash(_("响应级别已调整为%(level)s。", level=response.level_text), "success")
    return redirect(url_for("emergency.detail", response_id=response.id), 303)


@bp.post("/responses/<int:response_id>/end")
@roles_required(Role.SECRETARY, Role.STREET_OFFICER)
def end(response_id: int):
    response = _visible_or_404(response_id)
    form = EndResponseForm(prefix="end")
    if not form.validate_on_submit():
        return _render_detail(response, end_form=form, status=422)
    try:
        services.end_response(response, summary=form.summary.data, actor=current_user)
    except DomainError as exc:
        return _refused(exc, form, response_id, end_form=form)
    db.session.commit()
    flash(_("应急响应已终止。"), "success")
    return redirect(url_for("emergency.detail", response_id=response.id), 303)


from alliance.emergency import alert_views as _alerts  # noqa: E402,F401  (same blueprint)
from alliance.emergency import exports as _exports  # noqa: E402,F401  (same blueprint)
from alliance.emergency import hazard_point_views as _points  # noqa: E402,F401  (same blueprint)
from alliance.emergency import hazard_views as _hazards  # noqa: E402,F401  (same blueprint)
from alliance.emergency import household_views as _households  # noqa: E402,F401  (same blueprint)
from alliance.emergency import map_views as _map  # noqa: E402,F401  (same blueprint)
from alliance.emergency import mobilisation_views as _mobilisation  # noqa: E402,F401  (same blueprint)
from alliance.emergency import readiness_views as _readiness  # noqa: E402,F401  (same blueprint)
from alliance.emergency import shelter_views as _shelters  # noqa: E402,F401  (same blueprint)
from alliance.emergency import space_offer_views as _space  # noqa: E402,F401  (same blueprint)
from alliance.emergency import supply_views as _supplies  # noqa: E402,F401  (same blueprint)

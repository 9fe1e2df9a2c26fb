"""Warnings on the web: import a CAP file, write one, approve it, the notice, the loudspeaker
text, and the recipients' 收到 / 我安全 / 需要帮助."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.communities.models import Community
from alliance.emergency import alerts, cap
from alliance.emergency.alert_models import AckAnswer, AlertAck, EmergencyAlert
from alliance.emergency.forms import ImportAlertForm, WriteAlertForm
from alliance.emergency.web import bp, own_community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.inputs import parse_id

STAFF = (Role.SECRETARY, Role.GRID_WORKER)


def _write_form(community, *, submitted=True) -> WriteAlertForm:
    form = WriteAlertForm() if submitted else WriteAlertForm(formdata=None)
    form.urgency.choices = choices([(v, v) for v in cap.URGENCY])
    form.severity.choices = choices([(v, v) for v in cap.SEVERITY])
    form.certainty.choices = choices([(v, v) for v in cap.CERTAINTY])
    form.estate_ids.choices = choices([(str(e.id), e.name) for e in community.estates])
    form.grid_ids.choices = choices([(str(g.id), g.name) for g in community.grids])
    return form


def _render_alerts(*, import_form=None, write_form=None, status=200):
    community = own_community()
    secretary = current_user.has_role(Role.SECRETARY)
    return render_template(
        "emergency/alerts.html",
        alerts=alerts.alerts_of(community.id),
        import_form=(import_form or ImportAlertForm(formdata=None)) if secretary else None,
        write_form=(write_form or _write_form(community, submitted=False)) if secretary else None,
    ), status


@bp.get("/alerts")
@roles_required(*STAFF)
def alerts_index():
    return _render_alerts()


@bp.post("/alerts/import")
@roles_required(Role.SECRETARY)
def import_alert():
    form = ImportAlertForm()
    if not form.validate_on_submit():
        return _render_alerts(import_form=form, status=422)
    data = form.file.data.read(cap.MAX_BYTES + 1)
    try:
        alert = alerts.import_cap(own_community(), data, actor=current_user)
    except DomainError as exc:
        rollback_and_report(exc, form, field="file")
        return _render_alerts(import_form=form, status=422 if exc.status == 422 else exc.status)
    db.session.commit()
    flash(_("预警已导入并转发给全社区居民和志愿者。"), "success")
    return redirect(url_for("emergency.alert", alert_id=alert.id), 303)


def _ids(values) -> tuple[int, ...]:
    found = tuple(i for i in (parse_id(v) for v in values or ()) if i is not None)
    if len(found) != len(values or ()):
        abort(400)
    return found


@bp.post("/alerts")
@roles_required(Role.SECRETARY)
def write_alert():
    community = own_community()
    form = _write_form(community)
    if not form.validate_on_submit():
        return _render_alerts(write_form=form, status=422)
    try:
        alert = alerts.write_alert(
            community,
            alerts.AlertInput(
                event=form.event.data,
                urgency=form.urgency.data,
                severity=form.severity.data,
                certainty=form.certainty.data,
                headline=form.headline.data,
                description=form.description.data or "",
                instruction=form.instruction.data or "",
                estate_ids=_ids(form.estate_ids.data),
                grid_ids=_ids(form.grid_ids.data),
                expires_at=form.expires_at.moment,
                drill=form.drill.data,
            ),
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form, field="event")
        return _render_alerts(write_form=form, status=422)
    db.session.commit()
    flash(_("预警已提交，请另一位书记或街道干部审核后发布。"), "success")
    return redirect(url_for("emergency.alert", alert_id=alert.id), 303)


def _alert_or_404(alert_id: int) -> EmergencyAlert:
    """Staff of the community and street officers of its office see any of its warnings;
    everyone else of the community sees the relayed ones; others: 404."""
    alert = db.session.get(EmergencyAlert, alert_id)
    if alert is None:
        abort(404)
    community = db.session.get(Community, alert.community_id)
    user = current_user
    if user.has_role(Role.STREET_OFFICER) and user.street_office_id == community.street_office_id:
        return alert
    if user.community_id == alert.community_id and (alert.relayed or user.has_role(*STAFF)):
        return alert
    abort(404)


def _staff_of(alert) -> bool:
    user = current_user
    if user.has_role(Role.STREET_OFFICER):
        return True
    return user.has_role(*STAFF) and user.community_id == alert.community_id


@bp.get("/alerts/<int:alert_id>")
@login_required
def alert(alert_id: int):
    return _render_alert(_alert_or_404(alert_id))


@bp.get("/alerts/latest")
@login_required
def latest_alert():
    """The community's newest relayed warning at a fixed address, which the service worker keeps
    so that a resident on a failing signal still reads what to do."""
    community_id = current_user.community_id
    found = (
        db.session.scalars(
            alerts.relayed_query().where(EmergencyAlert.community_id == community_id).limit(1)
        ).first()
        if community_id
        else None
    )
    if found is None:
        return render_template("emergency/no_alert.html")
    return _render_alert(found)


def _render_alert(found: EmergencyAlert):
    own = db.session.scalars(
        select(AlertAck.answer).where(
            AlertAck.alert_id == found.id, AlertAck.user_id == current_user.id
        )
    ).first()
    staff = _staff_of(found)
    return render_template(
        "emergency/alert.html",
        alert=found,
        title=alerts.title_of(found),
        own_answer=AckAnswer(own).label if own else None,
        can_ack=found.relayed and current_user.community_id == found.community_id,
        answers=[(a.value, a.label) for a in AckAnswer],
        can_approve=not found.relayed and alerts.can_approve(current_user, found),
        summary=alerts.ack_summary(found) if staff and found.relayed else None,
        loudspeaker=alerts.loudspeaker_text(found) if staff else None,
        cap_url=url_for("emergency_api.alert_cap", alert_id=found.id) if found.relayed else None,
    )


@bp.post("/alerts/<int:alert_id>/approve")
@roles_required(Role.SECRETARY, Role.STREET_OFFICER)
def approve_alert(alert_id: int):
    found = _alert_or_404(alert_id)
    try:
        alerts.approve(found, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        return render_template("errors/error.html", code=exc.status, message=str(exc.message)), (
            exc.status
        )
    db.session.commit()
    flash(_("预警已审核并发布。"), "success")
    return redirect(url_for("emergency.alert", alert_id=alert_id), 303)


@bp.post("/alerts/<int:alert_id>/ack")
@login_required
def ack_alert(alert_id: int):
    found = _alert_or_404(alert_id)
    try:
        row = alerts.acknowledge(found, current_user, request.form.get("answer", ""))
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(str(exc.message), "danger")
        return redirect(url_for("emergency.alert", alert_id=alert_id), 303)
    answer = row.answer
    db.session.commit()
    if answer == AckAnswer.HELP:
        flash(_("已收到您的求助，社区会尽快联系您。"), "success")
    else:
        flash(_("回执已收到。"), "success")
    return redirect(url_for("emergency.alert", alert_id=alert_id), 303)


@bp.get("/alerts/<int:alert_id>/notice")
@login_required
def alert_notice(alert_id: int):
    """The printable notice for the estates' notice boards."""
    found = _alert_or_404(alert_id)
    if not _staff_of(found) or not found.relayed:
        abort(404)
    return render_template("emergency/notice.html", alert=found, title=alerts.title_of(found))

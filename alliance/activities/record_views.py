"""Volunteers' records on the web: the monthly leaderboard, showing one's name on it, and the
service record (preview, issue, print, and the public check of a printed one)."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from alliance import clock
from alliance.activities import records, services
from alliance.activities.forms import ButtonForm, VisibilityForm
from alliance.activities.models import ServiceRecord
from alliance.activities.web import bp
from alliance.cards import codes
from alliance.extensions import db
from alliance.formkit import rollback_and_report
from alliance.points.models import PointsAccount
from alliance.stars import levels as star_levels
from alliance.volunteers.models import VolunteerProfile


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
        select(VolunteerProfile).where(VolunteerProfile.user_id == current_user.id)
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

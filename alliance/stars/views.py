"""Star levels and service records on the web: the volunteer's card setting, the secretary's
recognition list (its own page until the secretary's workbench gathers such lists) and the
exports in the national system's terms."""

import re
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.activities.models import Activity
from alliance.clock import local_today
from alliance.communities.services import scoped, visible_community_ids
from alliance.extensions import db
from alliance.formkit import rollback_and_report
from alliance.stars import export, services
from alliance.stars.forms import ButtonForm, CardStarForm
from alliance.stars.models import StarAward

bp = Blueprint("stars", __name__)

ADMINS = (Role.SECRETARY, Role.STREET_OFFICER)
MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
RECENT_ACTIVITIES = 30


@bp.post("/me/stars/card")
@login_required
def card_setting():
    form = CardStarForm()
    if form.validate_on_submit():
        try:
            services.set_show_on_card(current_user, form.show.data)
        except services.StarError as exc:
            rollback_and_report(exc)
        else:
            db.session.commit()
            flash(
                _("志愿者卡页面将显示您的星级。")
                if form.show.data
                else _("志愿者卡页面不再显示星级。"),
                "success",
            )
    return redirect(url_for("accounts.me")), 303


# --- the secretary: recognition ---------------------------------------------------------------


@bp.get("/stars/recognition")
@roles_required(*ADMINS)
def recognition():
    pending = request.args.get("all") != "1"
    awards = services.recognition_list(visible_community_ids(current_user), pending_only=pending)
    names = services.names_of(awards)
    return render_template(
        "stars/recognition.html",
        awards=awards,
        names=names,
        pending=pending,
        form=ButtonForm(),
    )


@bp.post("/stars/recognition/<int:award_id>/recognised")
@roles_required(*ADMINS)
def recognised(award_id: int):
    award = db.session.scalars(
        scoped(select(StarAward), StarAward.community_id, current_user).where(
            StarAward.id == award_id
        )
    ).first()
    if award is None:
        abort(404)
    try:
        services.mark_recognised(award, current_user)
    except services.StarError as exc:
        rollback_and_report(exc)
    else:
        db.session.commit()
        flash(_("已记为表彰。"), "success")
    return redirect(url_for(".recognition")), 303


# --- the secretary: service records for the national system --------------------------------


def _month_arg(text: str | None) -> tuple[str, date, date] | None:
    match = MONTH.fullmatch(text or "")
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        return None
    first = date(int(match.group(1)), int(match.group(2)), 1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return text, first, nxt


def _bad_request(message: str):
    return render_template("stars/bad_export.html", message=message), 400


def _selection():
    """(selection, file stem, sheet title) from ?month=YYYY-MM and/or ?activity=ID, or an
    error answer."""
    month_text = request.args.get("month")
    activity_text = request.args.get("activity")
    if not month_text and not activity_text:
        return None, _bad_request(_("请选择月份或活动。"))
    selection = export.Selection(visible_community_ids(current_user))
    stem, title = "service-records", "志愿服务记录"
    if month_text:
        month = _month_arg(month_text)
        if month is None:
            return None, _bad_request(_("月份应写成“年-月”，例如 2026-05。"))
        _label, selection.first, selection.nxt = month
        stem, title = f"{stem}-{month_text}", month_text
    if activity_text:
        if not activity_text.isascii() or not activity_text.isdigit() or len(activity_text) > 9:
            abort(404)
        activity = db.session.scalars(
            scoped(select(Activity), Activity.community_id, current_user).where(
                Activity.id == int(activity_text)
            )
        ).first()
        if activity is None:
            abort(404)
        selection.activity_id = activity.id
        stem, title = f"{stem}-activity-{activity.id}", f"{title} 活动{activity.id}"
    return (selection, stem, title), None


@bp.get("/stars/records")
@roles_required(*ADMINS)
def records():
    activities = list(
        db.session.scalars(
            scoped(select(Activity), Activity.community_id, current_user)
            .order_by(Activity.id.desc())
            .limit(RECENT_ACTIVITIES)
        )
    )
    month = request.args.get("month") or ""
    return render_template(
        "stars/records.html",
        activities=activities,
        month=month if _month_arg(month) else local_today().strftime("%Y-%m"),
    )


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/stars/records.xlsx")
@roles_required(*ADMINS)
def records_xlsx():
    chosen, error = _selection()
    if error:
        return error
    selection, stem, title = chosen
    return _download(
        export.to_xlsx(export.rows(selection), title),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{stem}.xlsx",
    )


@bp.get("/stars/records.csv")
@roles_required(*ADMINS)
def records_csv():
    chosen, error = _selection()
    if error:
        return error
    selection, stem, _title = chosen
    return _download(export.to_csv(export.rows(selection)), "text/csv", f"{stem}.csv")

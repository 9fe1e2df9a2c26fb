"""Monthly reports: the printable page and PDF, the secretary's submission and the street
office's overview with a street-wide sum."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.communities.models import Community
from alliance.communities.services import can_see_community
from alliance.dashboard.figures import BadMonth, parse_month, previous_month
from alliance.dashboard.services import communities_of
from alliance.extensions import db
from alliance.formkit import save_form
from alliance.reports import pdf, services
from alliance.reports.forms import SubmitReportForm

bp = Blueprint("reports", __name__, url_prefix="/reports")

ADMINS = (Role.SECRETARY, Role.STREET_OFFICER)


def _community_or_404(code: str) -> Community:
    community = db.session.scalars(select(Community).where(Community.code == code[:16])).first()
    if community is None or not can_see_community(current_user, community):
        abort(404)
    return community


def _month_or_404(text: str):
    try:
        return parse_month(text)
    except BadMonth:
        abort(404)


@bp.get("/monthly")
@roles_required(*ADMINS)
def monthly_index():
    """The street office: every community's month and the sum; a secretary: their own."""
    first = previous_month(local_today().replace(day=1))  # the month just ended
    if request.args.get("month"):
        try:
            first = parse_month(request.args.get("month"))
        except BadMonth:
            flash(_("月份格式应为“年-月”，例如 2026-10；已显示上月。"), "warning")
    communities = communities_of(current_user)
    if not current_user.has_role(Role.STREET_OFFICER) and len(communities) == 1:
        return redirect(
            url_for(
                "reports.monthly",
                code=communities[0].code,
                month=first.strftime("%Y-%m"),
            )
        )
    rows, total = services.street_overview(communities, first)
    return render_template(
        "reports/index.html", rows=rows, total=total, month=first.strftime("%Y-%m")
    )


def _render(community, first, form, status=200):
    report = services.build(community, first)
    can_submit = current_user.has_role(Role.SECRETARY) and current_user.community_id == community.id
    return render_template(
        "reports/monthly.html", report=report, form=form, can_submit=can_submit
    ), status


@bp.get("/monthly/<code>/<month>")
@roles_required(*ADMINS)
def monthly(code: str, month: str):
    community = _community_or_404(code)
    first = _month_or_404(month)
    form = SubmitReportForm()
    existing = services.submitted_report(community.id, first.strftime("%Y-%m"))
    if existing is not None:
        form.remarks.data = existing.remarks
    return _render(community, first, form)


@bp.post("/monthly/<code>/<month>")
@roles_required(Role.SECRETARY)
def submit(code: str, month: str):
    community = _community_or_404(code)
    first = _month_or_404(month)
    if current_user.community_id != community.id:
        abort(404)
    form = SubmitReportForm()
    saved = save_form(
        form,
        lambda: services.submit(community, first, form.remarks.data, current_user),
        message=_("%(month)s 月度工作报表已报送街道。", month=first.strftime("%Y-%m")),
    )
    if saved is None:
        return _render(community, first, form, status=422)
    return redirect(url_for("reports.monthly", code=community.code, month=month), 303)


@bp.get("/monthly/<code>/<month>.pdf")
@roles_required(*ADMINS)
def monthly_pdf(code: str, month: str):
    community = _community_or_404(code)
    first = _month_or_404(month)
    report = services.build(community, first)
    try:
        body = pdf.render(report)
    except pdf.FontMissing:
        abort(503, description=_("服务器缺少中文字体（fonts-noto-cjk），暂时无法生成 PDF。"))
    filename = f"monthly-{community.code}-{report.month}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )

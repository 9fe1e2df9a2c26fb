"""/dashboard/: the community's (secretary) or the street office's (street officer) figures."""

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.dashboard import services
from alliance.dashboard.figures import BadMonth, parse_month

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

ADMINS = (Role.SECRETARY, Role.STREET_OFFICER)


@bp.get("/")
@roles_required(*ADMINS)
def index():
    try:
        last = parse_month(request.args.get("month"))
    except BadMonth:
        flash(_("月份格式应为“年-月”，例如 2026-10；已显示本月。"), "warning")
        last = local_today().replace(day=1)
    try:
        period = int(request.args.get("months", services.DEFAULT_PERIOD))
    except ValueError:
        period = services.DEFAULT_PERIOD
    if period not in services.PERIODS:
        period = services.DEFAULT_PERIOD
    view = services.build(current_user, last, period)
    return render_template(
        "dashboard/index.html", view=view, period=period, periods=services.PERIODS
    )

"""/dashboard/: the community's (secretary) or the street office's (street officer) figures."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.communities.services import visible_community_ids
from alliance.dashboard import export_files, exports, services
from alliance.dashboard.figures import BadMonth, parse_month
from alliance.extensions import db

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


@bp.get("/exports")
@roles_required(*ADMINS)
def exports_index():
    return render_template("dashboard/exports.html", exports=list(exports.EXPORTS.values()))


@bp.get("/exports/<key>.<fmt>")
@roles_required(*ADMINS)
def export(key: str, fmt: str):
    chosen = exports.EXPORTS.get(key)
    if chosen is None or fmt not in ("csv", "xlsx"):
        abort(404)
    ids = visible_community_ids(current_user)
    filename = f"{key}-{local_today().isoformat()}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(
            export_files.streamed(db.engine, chosen, ids),
            mimetype="text/csv",
            headers=disposition,
        )
    out = export_files.xlsx_file(chosen, ids)
    size = out.seek(0, 2)
    out.seek(0)
    return Response(
        export_files.file_chunks(out),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={**disposition, "Content-Length": str(size)},
        direct_passthrough=True,
    )

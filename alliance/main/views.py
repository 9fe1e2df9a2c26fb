from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.communities.models import Community
from alliance.communities.services import visible_community_ids
from alliance.dashboard.workbench import tasks_for
from alliance.emergency.tasks import home_tasks
from alliance.extensions import db
from alliance.main import health
from alliance.main.services import glance
from alliance.outages import RETRY_AFTER_SECONDS

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        ids = list(db.session.scalars(visible_community_ids(current_user)))
        communities = db.session.scalars(select(Community).where(Community.id.in_(ids))).all()
        figures = glance(ids)
        tasks = tasks_for(current_user)
    else:
        communities = []
        figures = glance(None)
        tasks = None
    return render_template(
        "main/index.html",
        figures=figures,
        communities=communities,
        emergency_tasks=home_tasks(current_user),
        tasks=tasks,
        is_admin=current_user.is_authenticated
        and current_user.has_role(Role.SECRETARY, Role.STREET_OFFICER),
    )


def _health_answer(body: dict, ok: bool):
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    if not ok:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@bp.get("/healthz")
def healthz():
    """200 only when the database answers; ``?deep=1`` is /readyz.

    A plain GET or HEAD is answered by :mod:`alliance.health` in front of the app, with the same
    body and status; this view serves ``?deep=1`` and whatever else bypasses that layer.
    """
    if request.args.get("deep") not in (None, "", "0"):
        return readyz()
    database = health.check_database()
    ok = database["status"] == health.OK
    if ok:  # the answer load balancers have always had
        return _health_answer({"status": "ok"}, True)
    return _health_answer({"status": "unavailable", "database": database}, False)


@bp.get("/readyz")
def readyz():
    """Each dependency the deployment configured, as JSON; 503 when one of them is down."""
    return _health_answer(*health.readiness())

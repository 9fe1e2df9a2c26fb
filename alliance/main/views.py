from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.communities.models import Community
from alliance.communities.services import visible_community_ids
from alliance.extensions import db
from alliance.health import database_answers
from alliance.main.services import glance

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        ids = list(db.session.scalars(visible_community_ids(current_user)))
        communities = db.session.scalars(select(Community).where(Community.id.in_(ids))).all()
        figures = glance(ids)
    else:
        communities = []
        figures = glance(None)
    return render_template(
        "main/index.html",
        figures=figures,
        communities=communities,
        is_admin=current_user.is_authenticated
        and current_user.has_role(Role.SECRETARY, Role.STREET_OFFICER),
    )


@bp.get("/healthz")
def healthz():
    # Answered by alliance.health in front of the app; this view serves whatever bypasses it.
    if not database_answers(db.engine):
        return {"status": "unavailable"}, 503
    return {"status": "ok"}

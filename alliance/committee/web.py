"""The committee's blueprint and the checks its two view modules share."""

from flask import Blueprint, abort
from flask_login import current_user

from alliance.accounts.models import Role
from alliance.communities.models import Community
from alliance.extensions import db

bp = Blueprint("committee", __name__, url_prefix="/committee")


def own_community() -> Community:
    if not current_user.community_id:
        abort(403)
    return db.session.get(Community, current_user.community_id)


def is_secretary_of(community_id: int) -> bool:
    return current_user.has_role(Role.SECRETARY) and current_user.community_id == community_id

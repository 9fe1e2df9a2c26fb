"""The emergency blueprint and the checks its view modules share."""

from flask import Blueprint, abort
from flask_login import current_user

from alliance.communities.models import Community
from alliance.extensions import db

bp = Blueprint("emergency", __name__, url_prefix="/emergency")


def own_community() -> Community:
    if not current_user.community_id:
        abort(403)
    return db.session.get(Community, current_user.community_id)

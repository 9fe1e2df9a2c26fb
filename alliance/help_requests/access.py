"""Which community a service-order page is about, and who may open it (views of help_requests, co_building, projects)."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.communities.models import Community
from alliance.communities.services import can_administer, community_or_404
from alliance.extensions import db
from alliance.inputs import id_arg


def community_of_page() -> Community:
    """The community a page is about: ?community=<id> for street officers, else the user's."""
    wanted = id_arg("community", status=404)
    if wanted:
        return community_or_404(current_user, wanted)
    if current_user.community_id:
        return community_or_404(current_user, current_user.community_id)
    if current_user.street_office_id:
        community = db.session.scalars(
            select(Community)
            .where(Community.street_office_id == current_user.street_office_id)
            .order_by(Community.id)
            .limit(1)
        ).first()
        if community is not None:
            return community
    abort(404)


def administered_community() -> Community:
    community = community_of_page()
    if not can_administer(current_user, community):
        abort(403)
    return community


def secretary_community() -> Community:
    community = community_of_page()
    if not (current_user.has_role(Role.SECRETARY) and current_user.community_id == community.id):
        abort(403)
    return community

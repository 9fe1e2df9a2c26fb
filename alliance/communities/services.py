"""Tenant scope: who may see which community. Crossing the line is a 404, never data."""

from flask import abort
from sqlalchemy import Select, func, select

from alliance.accounts.models import Role, User
from alliance.communities.models import Community, Estate, Grid
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l


def visible_community_ids(user: User) -> Select:
    """A subquery of the communities this person may see."""
    if user.has_role(Role.STREET_OFFICER) and user.street_office_id:
        return select(Community.id).where(Community.street_office_id == user.street_office_id)
    return select(Community.id).where(Community.id == user.community_id)


def can_see_community(user: User, community: Community) -> bool:
    if (
        user.has_role(Role.STREET_OFFICER)
        and user.street_office_id
        and community.street_office_id == user.street_office_id
    ):
        return True
    return community.id == user.community_id


def can_administer(user: User, community: Community) -> bool:
    """Secretaries run their own community; street officers every community of their office."""
    if user.has_role(Role.SECRETARY) and user.community_id == community.id:
        return True
    return bool(
        user.has_role(Role.STREET_OFFICER)
        and user.street_office_id
        and community.street_office_id == user.street_office_id
    )


def community_or_404(user: User, community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None or not can_see_community(user, community):
        abort(404)
    return community


def scoped(stmt: Select, column, user: User) -> Select:
    """Limit a query over rows that carry a community_id to what `user` may see."""
    return stmt.where(column.in_(visible_community_ids(user)))


def in_scope_or_404(user: User, model, object_id: int):
    """Fetch a community-owned row by id, or 404 when it is missing or outside the user's scope."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    community = db.session.get(Community, obj.community_id)
    if community is None or not can_see_community(user, community):
        abort(404)
    return obj


def all_communities() -> list[Community]:
    return list(db.session.scalars(select(Community).order_by(Community.id)))


def _count(stmt, community_col, community_ids):
    if community_ids is not None:
        stmt = stmt.where(community_col.in_(community_ids))
    return db.session.scalar(stmt) or 0


def home_figures(community_ids) -> list[tuple[str, int]]:
    """Communities, estates and grids on the home page (see alliance.hooks)."""
    return [
        (_l("社区"), _count(select(func.count(Community.id)), Community.id, community_ids)),
        (_l("小区"), _count(select(func.count(Estate.id)), Estate.community_id, community_ids)),
        (_l("网格"), _count(select(func.count(Grid.id)), Grid.community_id, community_ids)),
    ]

"""The alliance at a glance: figures for the home page.

Domains add their own figures by registering a provider; each provider runs a fixed number of
queries, so the home page cost does not grow with the data.
"""

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from alliance.communities.models import Community, Estate, Grid
from alliance.extensions import db

# provider(community_ids or None) -> list of (label, value)
_providers: list[Callable] = []


def glance_provider(fn: Callable) -> Callable:
    _providers.append(fn)
    return fn


def _count(stmt, community_col, community_ids):
    if community_ids is not None:
        stmt = stmt.where(community_col.in_(community_ids))
    return db.session.scalar(stmt) or 0


@glance_provider
def _people(community_ids):
    return [
        (_l("社区"), _count(select(func.count(Community.id)), Community.id, community_ids)),
        (_l("小区"), _count(select(func.count(Estate.id)), Estate.community_id, community_ids)),
        (_l("网格"), _count(select(func.count(Grid.id)), Grid.community_id, community_ids)),
        # Volunteers (approved, not suspended) are counted by alliance.volunteers.services.
    ]


def glance(community_ids=None) -> list[tuple[str, int]]:
    figures = []
    for provider in _providers:
        figures.extend(provider(community_ids))
    return figures

from functools import cache

from flask_login import LoginManager
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, lazyload, make_transient_to_detached, with_expression
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from alliance.accounts.models import User, UserRole
from alliance.communities.models import Community
from alliance.database import read_rows
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.notifications.services import unread_count_of
from alliance.sql_constructs import joined_with_commas


def configure_login(login_manager: LoginManager) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(token: str):
        if not token or len(token) > 64:
            return None
        session = db.session()
        if session._flushing:  # asked by a flush's listener (the audit's actor): no add() there
            return session.scalars(_user_statement(), {"token": token}).first()
        return _user_from_row(session, token)


_EXTRAS = ("role_codes", "inbox_unread", "emergency_running")


def _extras() -> dict:
    # Roles, the menu's unread count and whether an emergency banner is due come with the user:
    # every signed-in page shows the menu and the banner, and most ask for the roles. The roles
    # as one string, not rows of role grants: a row per role cost more to build than the rest
    # of the statement (bench/RESULTS.md, seventh session).
    from alliance.emergency.services import banner_clause

    roles = (
        select(func.coalesce(joined_with_commas(UserRole.role), ""))
        .where(UserRole.user_id == User.id)
        .scalar_subquery()
    )
    return dict(zip(_EXTRAS, (roles, unread_count_of(User.id), banner_clause(User)), strict=True))


@cache
def _user_statement():
    # Built once: assembling and keying it on every request cost more than running it.
    return (
        select(User)
        .where(User.login_token == bindparam("token"))
        .options(
            lazyload(User.role_grants),
            joinedload(User.community),
            *(with_expression(getattr(User, key), clause) for key, clause in _extras().items()),
        )
    )


_COMMUNITY = "community__"  # the prefix of the community's columns in _row_statement


@cache
def _row_statement():
    """_user_statement's columns as a select of columns (alliance.compiled_reads runs it)."""
    community = Community.__table__.alias("signed_in_community")
    return (
        select(
            *User.__table__.c,
            *(clause.label(key) for key, clause in _extras().items()),
            *(column.label(_COMMUNITY + column.key) for column in community.c),
        )
        .outerjoin(community, community.c.id == User.community_id)
        .where(User.login_token == bindparam("token"))
    )


def _user_from_row(session, token: str) -> User | None:
    """The signed-in user, and its community, made from one row as if the ORM had loaded them.

    The ORM's load of the same row (entity, joined community, three expressions) cost 0.2 ms
    more per signed-in page: it builds its loaders on every execution (bench/RESULTS.md, ninth
    session). Objects already in the session are the ones returned, as the ORM would, and the
    session's pending changes are flushed first, as the ORM's query would (autoflush).
    Attributes are set by the constructor: User and Community have no validators or `init`
    listeners (tests/accounts/test_login_loader.py checks)."""
    if session.autoflush:
        session.flush()  # as the ORM's query would (nothing when clean): a deleted user is gone
    row = read_rows(_row_statement(), {"token": token}).first()
    if row is None:
        return None
    values = row._mapping
    existing = session.identity_map.get(identity_key(User, row.id))
    if existing is not None:
        for key in _EXTRAS:  # what the ORM's with_expression would have filled in
            if key not in existing.__dict__:
                set_committed_value(existing, key, values[key])
        return existing
    community = None
    if row.community_id is not None:
        community = session.identity_map.get(identity_key(Community, row.community_id))
        if community is None:
            community = Community(
                **{c.key: values[_COMMUNITY + c.key] for c in Community.__table__.c}
            )
            make_transient_to_detached(community)
    user = User(
        **{c.key: values[c.key] for c in User.__table__.c},
        **{key: values[key] for key in _EXTRAS},
        community=community,
    )
    # Loaded, not new: no history to flush; then in the session, so lazy loads work.
    make_transient_to_detached(user)
    session.add(user)
    return user

from functools import cache

from flask_login import LoginManager
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, lazyload, with_expression

from alliance.accounts.models import User, UserRole
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
        return db.session.scalars(_user_statement(), {"token": token}).first()


@cache
def _user_statement():
    # Roles, community, the menu's unread count and whether an emergency banner is due come in
    # the same statement: every signed-in page shows the menu and the banner, and most ask for
    # the others. Built once: assembling and keying it on every request cost more than running it.
    # The roles as one string, not rows of role grants: a row per role cost more to build than
    # the rest of the statement (bench/RESULTS.md, seventh session).
    from alliance.emergency.services import banner_clause

    roles = (
        select(func.coalesce(joined_with_commas(UserRole.role), ""))
        .where(UserRole.user_id == User.id)
        .scalar_subquery()
    )
    return (
        select(User)
        .where(User.login_token == bindparam("token"))
        .options(
            lazyload(User.role_grants),
            with_expression(User.role_codes, roles),
            joinedload(User.community),
            with_expression(User.inbox_unread, unread_count_of(User.id)),
            with_expression(User.emergency_running, banner_clause(User)),
        )
    )

"""Unbound extension objects; create_app() binds them."""

from flask import has_request_context, request, session
from flask_compress import Compress
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from alliance.i18n import RequestBabel
from alliance.rate_limits import OneTripLimiter
from alliance.security_headers import SecurityHeaders


class Base(DeclarativeBase):
    # Named constraints let Alembic's batch mode rebuild SQLite tables.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


MAX_PAGE = 1_000_000


def page_number(page: int | None = None) -> int | None:
    """Pages are clamped to 1 … MAX_PAGE: `?page=10**30` is an empty page, not an overflow."""
    if page is None and has_request_context():
        page = request.args.get("page", 1, type=int)
    if page is not None:
        page = min(max(page, 1), MAX_PAGE)
    return page


class _SQLAlchemy(SQLAlchemy):
    def paginate(self, select, *, page=None, **kwargs):
        return super().paginate(select, page=page_number(page), **kwargs)

    def paginate_rows(self, select, params=None, *, page=None, per_page=None, max_per_page=None):
        """A Core select's rows and total in one statement (alliance.paging)."""
        from alliance.paging import RowPagination

        return RowPagination(
            select=select,
            params=params or {},
            page=page_number(page),
            per_page=per_page,
            max_per_page=max_per_page,
            error_out=False,
        )


class _LoginManager(LoginManager):
    def _session_protection_failed(self):
        """Strong session protection guards a signed-in session; an anonymous visitor's
        session holds only a CSRF token. Flask-Login treated every such visit as a failed check:
        it emptied the session, set it again and cleared the remember cookie on every page."""
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()


db = _SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = _LoginManager()
csrf = CSRFProtect()
babel = RequestBabel()
compress = Compress()
limiter = OneTripLimiter(key_func=get_remote_address)
talisman = SecurityHeaders()

import secrets
from datetime import datetime
from enum import StrEnum
from functools import cache

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from alliance.communities.models import Community, StreetOffice
from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.personal import personal


class Role(StrEnum):
    SECRETARY = "secretary"
    STREET_OFFICER = "street_officer"
    GRID_WORKER = "grid_worker"
    MERCHANT_STAFF = "merchant_staff"
    VOLUNTEER = "volunteer"
    RESIDENT = "resident"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.SECRETARY: _l("社区书记"),
    Role.STREET_OFFICER: _l("街道干部"),
    Role.GRID_WORKER: _l("网格员"),
    Role.MERCHANT_STAFF: _l("联盟商户店员"),
    Role.VOLUNTEER: _l("志愿者"),
    Role.RESIDENT: _l("居民"),
}

# Roles whose changes are written to the audit log.
ADMIN_ROLES = frozenset({Role.SECRETARY, Role.STREET_OFFICER})


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __audit_redact__ = frozenset({"password_hash", "login_token"})
    # Sign-in bookkeeping is not an administrative change.
    __audit_ignore__ = frozenset(
        {"failed_logins", "locked_until", "last_login_at", "locale", "large_text"}
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True, info=personal("id", "profile"))
    phone: Mapped[str | None] = mapped_column(
        String(11), unique=True, info=personal("id", "profile")
    )
    display_name: Mapped[str] = mapped_column(String(40), info=personal("id", "profile"))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Flask-Login stores this instead of the id, so a password change ends every session.
    login_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_login_token)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    street_office_id: Mapped[int | None] = mapped_column(
        ForeignKey("street_offices.id"), index=True
    )
    locale: Mapped[str] = mapped_column(String(8), default="zh_CN")
    # 长辈模式: larger type and targets, kept with the account so every phone shows it.
    large_text: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the person closed their account (PIPL): personal fields erased, rows kept.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Community | None] = relationship()
    # The menu's unread count, filled in by the login loader's own statement; None elsewhere.
    inbox_unread: Mapped[int | None] = query_expression()
    # Whether a running emergency response covers the person (the banner); login loader only.
    emergency_running: Mapped[bool | None] = query_expression()
    # The person's roles as "secretary,resident", from the login loader's own statement (no
    # rows of role_grants to build on every request); None elsewhere.
    role_codes: Mapped[str | None] = query_expression()
    street_office: Mapped[StreetOffice | None] = relationship()
    role_grants: Mapped[list["UserRole"]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        return self.login_token

    @property
    def is_active(self) -> bool:
        return self.active

    def set_password(self, password: str) -> None:
        # Tests choose a cheap hash; everything else uses werkzeug's default (scrypt).
        method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
        self.password_hash = (
            generate_password_hash(password, method=method)
            if method
            else generate_password_hash(password)
        )
        self.login_token = new_login_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def roles(self) -> frozenset[Role]:
        if self.role_codes is not None and "role_grants" not in self.__dict__:
            return _roles_of(self.role_codes)
        return frozenset(Role(g.role) for g in self.role_grants)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


@cache
def _roles_of(codes: str) -> frozenset[Role]:
    return frozenset(Role(code) for code in codes.split(",") if code)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_grants")

    @property
    def community_id(self) -> int | None:
        # Lets the audit log file a role change under the person's community.
        return self.user.community_id if self.user else None


class PasswordReset(db.Model):
    """A one-time link a secretary makes for a person who forgot their password.

    Only the SHA-256 of the random token is stored; the link itself is shown once.
    """

    __tablename__ = "password_resets"
    __audit_redact__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20), default="password_reset")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

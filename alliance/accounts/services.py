"""Accounts: registration, sign-in with lockout, roles. Services flush, the edge commits."""

import secrets
from datetime import timedelta

from sqlalchemy import func, or_, select

from alliance.accounts.models import Role, User, UserRole
from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.validators import normalize_phone

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# Roles a secretary may hand out; street officers are made from the command line.
GRANTABLE = (Role.SECRETARY, Role.GRID_WORKER, Role.MERCHANT_STAFF, Role.VOLUNTEER, Role.RESIDENT)


class AccountError(DomainError):
    """An account rule said no."""

    code = "account_refused"


class LockedOut(AccountError):
    pass


def find_by_identifier(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if not identifier or len(identifier) > 40:
        return None
    phone = normalize_phone(identifier)
    conds = [func.lower(User.username) == identifier.lower()]
    if phone:
        conds.append(User.phone == phone)
    return db.session.scalars(select(User).where(or_(*conds)).limit(1)).first()


def authenticate(identifier: str, password: str) -> User | None:
    """The user when the password matches; counts failures and locks after too many."""
    user = find_by_identifier(identifier)
    if user is None:
        return None
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        raise LockedOut(user.locked_until)
    if not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        return None
    if not user.is_active:
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def username_taken(username: str) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(func.lower(User.username) == username.lower())
        )
        > 0
    )


def unused_username() -> str:
    while True:
        candidate = "u" + secrets.token_hex(4)
        if not username_taken(candidate):
            return candidate


def phone_taken(phone: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(User.phone == phone)) > 0


def create_user(
    *,
    username: str,
    display_name: str,
    password: str | None = None,
    password_hash: str | None = None,
    phone: str | None = None,
    community: Community | None = None,
    street_office_id: int | None = None,
    roles=(Role.RESIDENT,),
) -> User:
    if username_taken(username):
        raise AccountError("username_taken", code="username_taken")
    if phone and phone_taken(phone):
        raise AccountError("phone_taken", code="phone_taken")
    user = User(
        username=username,
        display_name=display_name,
        phone=phone,
        community_id=community.id if community else None,
        street_office_id=street_office_id
        if street_office_id is not None
        else (community.street_office_id if community else None),
    )
    if password_hash:
        user.password_hash = password_hash
    else:
        user.set_password(password)
    user.role_grants = [UserRole(role=str(r)) for r in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.flush()
    return user


def grant_role(user: User, role: Role) -> bool:
    if role in user.roles:
        return False
    user.role_grants.append(UserRole(role=str(role)))
    db.session.flush()
    return True


def revoke_role(user: User, role: Role, *, by: User) -> bool:
    if role not in user.roles:
        return False
    if user.id == by.id and role == Role.SECRETARY:
        raise AccountError("cannot_revoke_own_secretary", code="cannot_revoke_own_secretary")
    for grant in list(user.role_grants):
        if grant.role == role:
            user.role_grants.remove(grant)
    db.session.flush()
    return True


def change_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    db.session.flush()

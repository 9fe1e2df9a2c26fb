"""Accounts: registration, sign-in with lockout, roles. Services flush, the edge commits."""

import secrets
from datetime import timedelta

from sqlalchemy import and_, case, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from alliance.accounts.models import Role, User, UserRole, new_login_token
from alliance.communities.models import Community
from alliance.database import lock_for_write
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


_DUMMY_HASH: str | None = None


def _spend_a_password_check(password: str) -> None:
    """An unknown login costs the same hash as a known one: timing does not tell them apart."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = generate_password_hash("unused-" + secrets.token_hex(8))
    check_password_hash(_DUMMY_HASH, password)


def _not_locked(now):
    return or_(User.locked_until.is_(None), User.locked_until <= now)


def count_failure(user_id: int, now) -> bool:
    """One more failed password, counted by one statement; True when the account is now locked.

    Concurrent failures each add one (no lost increments); the one that reaches the limit sets
    the lock. After an old lock has run out, counting starts again from one.
    """
    lock_for_write()
    expired = and_(User.locked_until.is_not(None), User.locked_until <= now)
    counted = case((expired, 1), else_=User.failed_logins + 1)
    row = db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            failed_logins=counted,
            locked_until=case(
                (counted >= MAX_FAILED_LOGINS, now + LOCKOUT),
                (expired, None),
                else_=User.locked_until,
            ),
        )
        .returning(User.locked_until)
        .execution_options(synchronize_session=False)
    ).first()
    return row is not None and row[0] is not None and row[0] > now


def authenticate(identifier: str, password: str) -> User | None:
    """The user when the password matches; counts failures and locks after too many.

    The lockout is decided by the database, not by what this request read: a right password
    arriving in a burst of wrong ones is refused once the burst has locked the account.
    """
    user = find_by_identifier(identifier)
    if user is None:
        _spend_a_password_check(password)
        return None
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        raise LockedOut(user.locked_until)
    user_id = user.id
    if not user.check_password(password):
        # The attempt that reaches the limit is answered as wrong, the next ones as locked:
        # as a name without an account is answered (see accounts.views.login).
        count_failure(user_id, now)
        return None
    if not user.is_active:
        return None
    lock_for_write()
    signed_in = db.session.execute(
        update(User)
        .where(User.id == user_id, _not_locked(now))
        .values(failed_logins=0, locked_until=None, last_login_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if signed_in != 1:
        raise LockedOut(None)
    db.session.expire_all()
    return db.session.get(User, user_id)


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


def end_sessions(user: User) -> None:
    """Every session and remember cookie of `user` stops working (the loader finds no one)."""
    user.login_token = new_login_token()
    db.session.flush()


def change_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    db.session.flush()


def secretary_ids(community_id: int) -> list[int]:
    """The community's active secretaries: who is told of what waits for the community."""
    return list(
        db.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.community_id == community_id, UserRole.role == Role.SECRETARY, User.active)
        )
    )

"""API credentials, one owner: cashier tokens and Open311 keys, and the one lookup of each.

A cashier token (`alc_…`) acts as a member's staff person for that member: the counter API
takes it as a bearer token, Open311 as an `api_key`. An Open311 key (`o311_…`) is issued by a
secretary for one community's intake. Only SHA-256 hashes are stored; the raw value is shown
once. Services flush, never commit.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from alliance.accounts.models import User
from alliance.api.models import ApiToken, Open311Key
from alliance.communities.models import Community
from alliance.database import read_rows
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants import staff as merchant_staff
from alliance.merchants import status as merchant_status
from alliance.merchants.models import Merchant, MerchantStaff


class ApiTokenError(DomainError):
    """A credential rule said no."""

    code = "credential_refused"


# --- cashier tokens ----------------------------------------------------------------------


TOKEN_PREFIX = "alc_"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, merchant: Merchant, name: str) -> tuple[ApiToken, str]:
    """A new cashier token; the raw value is returned once and never stored."""
    if not merchant_staff.is_active_staff(user, merchant):
        raise ApiTokenError(
            _l("只有正常营业的联盟商户员工可以创建接口密钥。"), code="not_staff", status=403
        )
    name = (name or "").strip()[:60] or str(_l("收银系统"))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        merchant_id=merchant.id,
        name=name,
        token_hash=_hash_token(raw),
        prefix=raw[:10],
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def _token_hash_or_none(raw) -> str | None:
    if not raw or not isinstance(raw, str) or len(raw) > 100 or not raw.startswith(TOKEN_PREFIX):
        return None
    return _hash_token(raw)


@dataclass(frozen=True)
class MerchantRef:
    """The member a cashier token works for, as the counter API uses it (ids, status, name):
    read as columns with the token, not as a Merchant entity, on every verification."""

    id: int
    community_id: int
    status: str
    name: str

    @property
    def is_active(self) -> bool:
        return merchant_status.is_active(self)


@dataclass(frozen=True)
class TokenGrant:
    """What a cashier token may do, read in one statement: the counter API's hot path."""

    id: int
    user_id: int
    user_active: bool
    is_staff: bool
    last_used_at: datetime | None
    merchant: MerchantRef

    @property
    def merchant_id(self) -> int:
        return self.merchant.id

    @property
    def allowed(self) -> bool:
        return self.user_active and self.is_staff and self.merchant.is_active

    def token(self) -> ApiToken:
        """The token with its user, for the write paths (redemptions, exchanges)."""
        return db.session.get(ApiToken, self.id, options=[joinedload(ApiToken.user)])


def allowed_grant(raw: str | None) -> TokenGrant | None:
    """The one credential check for a cashier token, at every door (counter API, Open311):
    not revoked, its user active, still staff of the member, the member active."""
    grant = grant_for(raw)
    return grant if grant is not None and grant.allowed else None


@cache
def _grant_statement():
    # Built once: a statement built per call costs more to assemble and key than to run.
    staff = (
        select(MerchantStaff.id)
        .where(
            MerchantStaff.user_id == ApiToken.user_id,
            MerchantStaff.merchant_id == ApiToken.merchant_id,
        )
        .exists()
    )
    return (
        select(
            ApiToken.id,
            ApiToken.user_id,
            User.active,
            staff,
            ApiToken.last_used_at,
            Merchant.id,
            Merchant.community_id,
            Merchant.status,
            Merchant.name,
        )
        .join(User, User.id == ApiToken.user_id)
        .join(Merchant, Merchant.id == ApiToken.merchant_id)
        .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
    )


def grant_for(raw: str | None) -> TokenGrant | None:
    """The active token's user, staff link and merchant, or None; one statement."""
    token_hash = _token_hash_or_none(raw)
    if token_hash is None:
        return None
    row = read_rows(_grant_statement(), {"token_hash": token_hash}).first()
    return TokenGrant(*row[:5], MerchantRef(*row[5:])) if row else None


def touch_token(token_id: int, now: datetime) -> None:
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def user_for_token(raw: str | None) -> User | None:
    """For other APIs (e.g. Open311 api_key): the user a cashier token acts for, or None."""
    grant = allowed_grant(raw)
    if grant is None:
        return None
    return db.session.get(User, grant.user_id)


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .options(joinedload(ApiToken.merchant))
            .order_by(ApiToken.id.desc())
        )
    )


# --- Open311 keys ------------------------------------------------------------------------


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_key(community: Community, actor: User, name: str) -> tuple[Open311Key, str]:
    name = (name or "").strip()
    if not name:
        raise ApiTokenError(
            _l("请填写用途，例如对接的系统名称。"), code="no_name", status=422, field="name"
        )
    raw = "o311_" + secrets.token_urlsafe(24)
    key = Open311Key(
        community_id=community.id,
        name=name[:80],
        prefix=raw[:8],
        key_hash=hash_key(raw),
        created_by_id=actor.id,
    )
    db.session.add(key)
    db.session.flush()
    return key, raw


def revoke_key(key: Open311Key) -> None:
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        db.session.flush()


def key_for(raw: str) -> Open311Key | None:
    if not raw or len(raw) > 200:
        return None
    key = db.session.scalars(select(Open311Key).where(Open311Key.key_hash == hash_key(raw))).first()
    return key if key is not None and key.is_active else None

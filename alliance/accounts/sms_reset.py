"""Forgot password: a six-digit code sent by SMS to the phone on the account.

- Asking: at most `CODES_PER_HOUR` codes per phone per hour and one a minute (counted here, in
  the database, so every worker agrees); the views add a limit per address. A phone without an
  account gets the same answer and no SMS, so the page tells nobody who is registered.
- The code: random, valid `CODE_VALID_FOR`, stored only as an HMAC with the row's id; a newer
  code replaces the older ones. It goes through the notifications outbox (quiet hours do not
  hold it: a person locked out at 23:00 needs it now).
- Using it: the views limit tries per phone and per address; a right code is spent by one
  conditional UPDATE, sets the new password and ends every session.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select, update

from alliance.accounts.models import PasswordReset, User
from alliance.accounts.services import AccountError
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.notifications import outbox
from alliance.notifications.kinds import KINDS, register_kind
from alliance.validators import normalize_phone

SMS_PURPOSE = "sms_code"
CODE_VALID_FOR = timedelta(minutes=10)
CODES_PER_HOUR = 3
CODE_GAP = timedelta(seconds=60)

register_kind(
    "account.reset_code",
    label=_l("找回密码验证码"),
    title=_l("您的找回密码验证码是 %(code)s，10分钟内有效。"),
    body=_l("如非本人操作，请忽略。"),
)


class CodeRefused(AccountError):
    code = "reset_code_refused"
    status = 422


def _digest(reset_id: int, code: str) -> str:
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else b""
    return hmac.new(key, f"{reset_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _account(phone) -> User | None:
    number = normalize_phone(phone or "")
    if number is None:
        return None
    return db.session.scalars(
        select(User).where(User.phone == number, User.active, User.closed_at.is_(None))
    ).first()


def send_code(phone) -> bool:
    """Queue a code for the account with this phone; False when it was not sent (no such
    account, or asked too often: the page says the same either way)."""
    lock_for_write()
    user = _account(phone)
    if user is None:
        return False
    now = utcnow()
    recent = db.session.execute(
        select(func.count(PasswordReset.id), func.max(PasswordReset.created_at)).where(
            PasswordReset.user_id == user.id,
            PasswordReset.purpose == SMS_PURPOSE,
            PasswordReset.created_at > now - timedelta(hours=1),
        )
    ).one()
    count, latest = recent
    if count >= CODES_PER_HOUR or (latest is not None and now - latest < CODE_GAP):
        return False
    db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.purpose == SMS_PURPOSE,
            PasswordReset.used_at.is_(None),
            PasswordReset.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    reset = PasswordReset(
        token_hash=f"pending-{secrets.token_hex(24)}",
        purpose=SMS_PURPOSE,
        user_id=user.id,
        community_id=user.community_id,
        created_at=now,
        expires_at=now + CODE_VALID_FOR,
    )
    db.session.add(reset)
    db.session.flush()
    reset.token_hash = _digest(reset.id, code)
    kind = "account.reset_code"
    with force_locale(user.locale or "zh_CN"):
        title = KINDS[kind].render_title({"code": code})
        body = KINDS[kind].render_body({"code": code})
    outbox.add_rows(
        [(user.id, user.phone, title, body)],
        kind=kind,
        community_id=user.community_id,
        emergency=True,  # not held until 07:00
    )
    db.session.flush()
    return True


def reset_with_code(phone, code: str, new_password: str) -> User:
    """Set the new password if `code` is the phone's current code; spend the code."""
    lock_for_write()
    wrong = CodeRefused(_l("验证码不对或已过期，请重新获取。"), field="code")
    user = _account(phone)
    code = (code or "").strip()
    if user is None or not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise wrong
    now = utcnow()
    candidates = db.session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id,
            PasswordReset.purpose == SMS_PURPOSE,
            PasswordReset.used_at.is_(None),
            PasswordReset.revoked_at.is_(None),
            PasswordReset.expires_at > now,
        )
    ).all()
    match = next(
        (r for r in candidates if hmac.compare_digest(r.token_hash, _digest(r.id, code))), None
    )
    if match is None:
        raise wrong
    spent = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == match.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise wrong
    user.set_password(new_password)  # a new login_token: every session and remember cookie ends
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    return user

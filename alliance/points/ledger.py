"""The points ledger: accounts, balances, posting entries, awards and corrections.

Every change of a balance goes through :func:`post_entry`: after :func:`lock_for_write` one
conditional UPDATE moves the cached balance (``balance + delta >= 0``) and returns the new
value, and the ledger row is written with it. Services add and flush, never commit.
"""

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from alliance.accounts.models import User
from alliance.clock import local_today
from alliance.database import lock_for_write, read_rows
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.idempotency import clean_key
from alliance.notifications.services import notify
from alliance.points.errors import PointsError
from alliance.points.inputs import parse_points, parse_reason
from alliance.points.models import EntryKind, LedgerEntry, PointsAccount
from alliance.points.scoring import award_limit, expiry_date, rule_at


def account_of(user_id: int) -> PointsAccount | None:
    return db.session.scalars(select(PointsAccount).where(PointsAccount.user_id == user_id)).first()


_BALANCE = select(PointsAccount.balance).where(PointsAccount.user_id == bindparam("user_id"))


def balance_of(user_id: int) -> int:
    # The statement is built once (module level): read at every verification at the counter.
    return db.session.scalar(_BALANCE, {"user_id": user_id}) or 0


def ensure_account(user_id: int, community_id: int) -> int:
    """The account id, created on first use (a concurrent first insert loses to the unique key)."""
    found = db.session.scalar(select(PointsAccount.id).where(PointsAccount.user_id == user_id))
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(PointsAccount).values(
                    user_id=user_id,
                    community_id=community_id,
                    balance=0,
                    show_name=False,
                    created_at=utcnow(),
                )
            )
    except IntegrityError:
        pass
    return db.session.scalar(select(PointsAccount.id).where(PointsAccount.user_id == user_id))


def post_entry(
    *,
    user_id: int,
    community_id: int,
    kind: str,
    delta: int,
    reason: str = "",
    actor_id: int | None = None,
    signup_id: int | None = None,
    exchange_id: int | None = None,
    expiry_key: date | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> LedgerEntry:
    """Append one entry and move the balance in the same transaction; never below zero."""
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        raise PointsError(_l("积分不能为0。"), code="points_zero")
    lock_for_write()
    account_id = ensure_account(user_id, community_id)
    new_balance = db.session.execute(
        update(PointsAccount)
        .where(PointsAccount.id == account_id, PointsAccount.balance + delta >= 0)
        .values(balance=PointsAccount.balance + delta)
        .returning(PointsAccount.balance)
    ).scalar()
    if new_balance is None:
        raise PointsError(_l("积分不足，余额不能小于0。"), code="insufficient_points", status=409)
    now = now or utcnow()
    expires_on = None
    if delta > 0:
        account_community = db.session.scalar(
            select(PointsAccount.community_id).where(PointsAccount.id == account_id)
        )
        today = local_today(now)
        expires_on = expiry_date(today, rule_at(account_community, today).expiry_months)
    entry = LedgerEntry(
        account_id=account_id,
        user_id=user_id,
        community_id=community_id,
        kind=kind,
        delta=delta,
        balance_after=new_balance,
        reason=reason[:200],
        actor_id=actor_id,
        signup_id=signup_id,
        exchange_id=exchange_id,
        expires_on=expires_on,
        expiry_key=expiry_key,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    _tell_holder(entry)
    return entry


def _tell_holder(entry: LedgerEntry) -> None:
    if entry.kind in (EntryKind.EARN, EntryKind.AWARD):
        kind, params = "points.awarded", {"points": entry.delta, "reason": entry.reason}
    elif entry.kind == EntryKind.SPEND:
        kind, params = "points.spent", {"points": -entry.delta, "item": entry.reason}
    else:
        return
    notify([entry.user_id], kind, params, link="/me/points", community_id=entry.community_id)


def _person_in(user: User, community_id: int) -> None:
    if user is None or user.community_id != community_id:
        raise PointsError(
            _l("本社区没有这个人。"), code="not_in_community", status=404, field="person"
        )


def _entry_for_key(key: str) -> LedgerEntry | None:
    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.idempotency_key == key)).first()


def _manual_entry(kind: str, user: User, amount: int, why: str, actor: User, key) -> LedgerEntry:
    """Post an award or correction once per form key: the same form again returns the entry
    it made (also when 20 posts race: the unique key lets one insert win); the key with other
    values is refused. Without a key (the CLI, imports) every call posts."""
    entry_values = dict(
        user_id=user.id,
        community_id=user.community_id,
        kind=kind,
        delta=amount,
        reason=why,
        actor_id=actor.id,
    )
    if key is None:
        return post_entry(**entry_values)
    clean = clean_key(key)
    if clean is None:
        raise PointsError(
            _l("页面已过期，请刷新后重新提交。"), code="bad_key", status=400, field="points"
        )

    def replay(existing: LedgerEntry) -> LedgerEntry:
        same = (existing.user_id, existing.kind, existing.delta, existing.reason) == (
            user.id,
            kind,
            amount,
            why[:200],
        )
        if not same:
            raise PointsError(_l("这张表单已经提交过了，请刷新后重新填写。"), code="key_reused")
        return existing

    lock_for_write()
    existing = _entry_for_key(clean)
    if existing is not None:
        return replay(existing)
    try:
        with db.session.begin_nested():
            return post_entry(**entry_values, idempotency_key=clean)
    except IntegrityError:
        existing = _entry_for_key(clean)
        if existing is None:
            raise
        return replay(existing)


def award(user: User, points, reason, actor: User, *, key: str | None = None) -> LedgerEntry:
    """赋分: a secretary's manual award for a good deed, with a reason."""
    amount = parse_points(points)
    why = parse_reason(reason)
    _person_in(user, actor.community_id)
    limit = award_limit(actor.community_id, local_today())
    if amount > limit:
        raise PointsError(
            _l("按现行赋分规则，一次赋分不能超过%(n)d分。", n=limit),
            code="over_award_rule",
            field="points",
        )
    return _manual_entry(EntryKind.AWARD, user, amount, why, actor, key)


def adjust(user: User, points, reason, actor: User, *, key: str | None = None) -> LedgerEntry:
    """A correction (either sign) with a reason; a deduction cannot take the balance below 0."""
    amount = parse_points(points, allow_negative=True)
    why = parse_reason(reason)
    _person_in(user, actor.community_id)
    try:
        return _manual_entry(EntryKind.ADJUST, user, amount, why, actor, key)
    except PointsError as exc:
        if exc.code == "insufficient_points":
            raise PointsError(
                _l("扣减后余额会小于0（当前余额%(b)d）。", b=balance_of(user.id)),
                code="insufficient_points",
                status=409,
                field="points",
            ) from exc
        raise


# Built once: every visit to "my points" reads them (statement_of).
_LINES = (
    select(
        LedgerEntry.id,
        LedgerEntry.created_at,
        LedgerEntry.kind,
        LedgerEntry.reason,
        LedgerEntry.delta,
        LedgerEntry.balance_after,
    )
    .where(LedgerEntry.user_id == bindparam("user_id"))
    .order_by(LedgerEntry.id.desc())
    .limit(bindparam("limit"))
)


# Earned (earn + award + positive corrections), spent, expired, every debit.
_TOTAL_TERMS = (
    case((LedgerEntry.delta > 0, LedgerEntry.delta), else_=0),
    case((LedgerEntry.kind == EntryKind.SPEND, -LedgerEntry.delta), else_=0),
    case((LedgerEntry.kind == EntryKind.EXPIRE, -LedgerEntry.delta), else_=0),
    case((LedgerEntry.delta < 0, -LedgerEntry.delta), else_=0),
)
_TOTALS = select(
    *(func.coalesce(func.sum(term), 0) for term in _TOTAL_TERMS), _BALANCE.scalar_subquery()
).where(LedgerEntry.user_id == bindparam("user_id"))


def _totals(values) -> dict:
    earned, spent, expired, debits, balance = values
    return {
        "earned": int(earned or 0),
        "spent": int(spent or 0),
        "expired": int(expired or 0),
        "debits": int(debits or 0),
        "balance": int(balance or 0),
    }


class LedgerLine(NamedTuple):
    """A line of a person's statement (entries never change, so a line is also the key its
    rendered HTML is kept under)."""

    id: int
    created_at: datetime
    kind: str
    reason: str
    delta: int
    balance_after: int


# The newest lines with the totals over all of the person's entries beside them: a window over
# the person's rows is taken before LIMIT, so one statement gives both.
_STATEMENT = _LINES.add_columns(
    *(func.sum(term).over() for term in _TOTAL_TERMS), _BALANCE.scalar_subquery()
)


def statement_of(user_id: int, limit: int = 200) -> tuple[tuple[LedgerLine, ...], dict]:
    """A person's newest lines and their totals (as totals_for), in one statement. The lines
    are a tuple: the key the page's list is kept under."""
    rows = read_rows(_STATEMENT, {"user_id": user_id, "limit": limit}).all()
    if not rows:
        return (), totals_for(user_id)
    return tuple(LedgerLine(*row[:6]) for row in rows), _totals(rows[0][6:])


def totals_for(user_id: int) -> dict:
    """Earned (earn + award + positive corrections), spent, expired, every debit and the
    balance, in one query."""
    return _totals(read_rows(_TOTALS, {"user_id": user_id}).one())

"""Rules for points: scoring, the ledger, expiry, exchange items and exchanges at the counter.

Every change of a balance goes through :func:`post_entry`: after :func:`lock_for_write` one
conditional UPDATE moves the cached balance (``balance + delta >= 0``) and returns the new
value, and the ledger row is written with it. Services add and flush, never commit.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from alliance.accounts.models import User
from alliance.clock import LOCAL_TZ, local_today
from alliance.commitments.models import Commitment, CommitmentKind, CommitmentStatus
from alliance.communities.models import Community
from alliance.database import lock_for_write
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.idempotency import clean_key
from alliance.merchants.models import Merchant, MerchantStatus
from alliance.notifications.services import notify
from alliance.points.models import (
    EntryKind,
    ExchangeItem,
    LedgerEntry,
    PointsAccount,
    PointsRule,
)
from alliance.points.rule_versions import has_versions, version_at

MAX_AWARD = 10_000  # one award or correction above this is a typing mistake
MAX_ITEM_POINTS = 100_000
MAX_STOCK = 100_000
EXPIRY_HORIZON_DAYS = 62


class PointsError(DomainError):
    """A points rule said no."""

    code = "points_refused"


# --- input ---------------------------------------------------------------------------------

_INT_RE = re.compile(r"[+-]?[0-9]+")


def parse_points(
    value, *, field: str = "points", allow_negative: bool = False, maximum: int = MAX_AWARD
) -> int:
    """A whole number of points from a form or JSON value; clear Chinese messages otherwise."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not text:
            raise PointsError(_l("请填写积分。"), code="points_required", field=field)
        if not _INT_RE.fullmatch(text):
            raise PointsError(
                _l("积分必须是整数，不能有小数。"), code="points_not_integer", field=field
            )
        number = int(text)
    if number == 0:
        raise PointsError(_l("积分不能为0。"), code="points_zero", field=field)
    if number < 0 and not allow_negative:
        raise PointsError(_l("积分必须是正整数。"), code="points_negative", field=field)
    if abs(number) > maximum:
        raise PointsError(
            _l("积分一次不能超过%(n)d。", n=maximum), code="points_too_large", field=field
        )
    return number


def _reason(text, required: bool = True) -> str:
    value = (text or "").strip()
    if required and not value:
        raise PointsError(_l("请写明原因。"), code="reason_required", field="reason")
    if len(value) > 200:
        raise PointsError(_l("原因不能超过200字。"), code="reason_too_long", field="reason")
    return value


# --- rules ---------------------------------------------------------------------------------


def rule_for(community_id: int) -> PointsRule:
    """The community's rule, or the default one (10 points an hour, ×2 emergency, ×1.5 night)."""
    rule = db.session.scalars(
        select(PointsRule).where(PointsRule.community_id == community_id)
    ).first()
    if rule is None:
        rule = PointsRule(
            community_id=community_id,
            points_per_hour=10,
            emergency_percent=200,
            night_percent=150,
            night_start_hour=22,
            night_end_hour=6,
            expiry_months=None,
        )
    return rule


def rule_at(community_id: int, day: date):
    """The rule in force on `day`: the adopted version of that day, else the community rule."""
    return version_at(community_id, day) or rule_for(community_id)


def award_limit(community_id: int, day: date) -> int:
    version = version_at(community_id, day)
    return version.award_max if version is not None else MAX_AWARD


def item_limit(community_id: int, day: date) -> int:
    version = version_at(community_id, day)
    return version.exchange_item_max if version is not None else MAX_ITEM_POINTS


@dataclass
class RuleInput:
    points_per_hour: object
    emergency_percent: object
    night_percent: object
    night_start_hour: object
    night_end_hour: object
    expiry_months: object  # "" or None: never


def _whole(value, field: str, low: int, high: int, label) -> int:
    text = str(value if value is not None else "").strip()
    if not _INT_RE.fullmatch(text):
        raise PointsError(_l("%(label)s必须是整数。", label=label), code="not_integer", field=field)
    number = int(text)
    if not low <= number <= high:
        raise PointsError(
            _l("%(label)s应在%(low)d到%(high)d之间。", label=label, low=low, high=high),
            code="out_of_range",
            field=field,
        )
    return number


def update_rule(community_id: int, data: RuleInput, actor: User) -> PointsRule:
    if has_versions(community_id):
        raise PointsError(
            _l("本社区的积分规则已由协调委员会决议管理，请在协调委员会提出规则修改。"),
            code="rules_by_decision",
            status=409,
            field="points_per_hour",
        )
    values = {
        "points_per_hour": _whole(
            data.points_per_hour, "points_per_hour", 0, 1000, _l("每小时积分")
        ),
        "emergency_percent": _whole(
            data.emergency_percent, "emergency_percent", 100, 500, _l("应急倍率")
        ),
        "night_percent": _whole(data.night_percent, "night_percent", 100, 500, _l("夜间倍率")),
        "night_start_hour": _whole(
            data.night_start_hour, "night_start_hour", 0, 23, _l("夜间开始时刻")
        ),
        "night_end_hour": _whole(data.night_end_hour, "night_end_hour", 0, 23, _l("夜间结束时刻")),
    }
    months = str(data.expiry_months if data.expiry_months is not None else "").strip()
    values["expiry_months"] = (
        None if months in ("", "0") else _whole(months, "expiry_months", 1, 120, _l("有效期（月）"))
    )
    rule = db.session.scalars(
        select(PointsRule).where(PointsRule.community_id == community_id)
    ).first()
    if rule is None:
        rule = PointsRule(community_id=community_id)
        db.session.add(rule)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.updated_by_id = actor.id
    db.session.flush()
    return rule


def is_night(starts_at: datetime, rule: PointsRule) -> bool:
    hour = starts_at.astimezone(LOCAL_TZ).hour
    start, end = rule.night_start_hour, rule.night_end_hour
    if start == end:
        return False
    return start <= hour or hour < end if start > end else start <= hour < end


def percent_for(rule: PointsRule, *, emergency: bool, night: bool) -> int:
    """Multipliers do not stack: the larger one applies (emergency night work: the larger)."""
    percent = 100
    if emergency:
        percent = max(percent, rule.emergency_percent)
    if night:
        percent = max(percent, rule.night_percent)
    return percent


def points_for(minutes: int, per_hour: int, percent: int) -> int:
    """minutes × per_hour / 60 × percent / 100, rounded half up, in integers only."""
    return (2 * minutes * per_hour * percent + 6000) // 12000


def expiry_date(earned_on: date, months: int | None) -> date | None:
    """The last day points earned on `earned_on` count: end of the N-th month after it."""
    if not months:
        return None
    index = earned_on.year * 12 + (earned_on.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


# --- the ledger ----------------------------------------------------------------------------


def account_of(user_id: int) -> PointsAccount | None:
    return db.session.scalars(select(PointsAccount).where(PointsAccount.user_id == user_id)).first()


def balance_of(user_id: int) -> int:
    return (
        db.session.scalar(select(PointsAccount.balance).where(PointsAccount.user_id == user_id))
        or 0
    )


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
    why = _reason(reason)
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
    why = _reason(reason)
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


def ledger_of(user_id: int, limit: int = 200) -> list[LedgerEntry]:
    return list(
        db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.user_id == user_id)
            .order_by(LedgerEntry.id.desc())
            .limit(limit)
        )
    )


# --- expiry --------------------------------------------------------------------------------


def _credits_by_date(account_ids) -> dict[int, list[tuple[date, int]]]:
    rows = db.session.execute(
        select(LedgerEntry.account_id, LedgerEntry.expires_on, func.sum(LedgerEntry.delta))
        .where(
            LedgerEntry.account_id.in_(account_ids),
            LedgerEntry.delta > 0,
            LedgerEntry.expires_on.is_not(None),
        )
        .group_by(LedgerEntry.account_id, LedgerEntry.expires_on)
        .order_by(LedgerEntry.account_id, LedgerEntry.expires_on)
    )
    result: dict[int, list[tuple[date, int]]] = {}
    for account_id, day, total in rows:
        result.setdefault(account_id, []).append((day, int(total)))
    return result


def _debits(account_ids) -> dict[int, int]:
    rows = db.session.execute(
        select(LedgerEntry.account_id, func.sum(-LedgerEntry.delta))
        .where(LedgerEntry.account_id.in_(account_ids), LedgerEntry.delta < 0)
        .group_by(LedgerEntry.account_id)
    )
    return {a: int(t) for a, t in rows}


def _expiring(credits: list[tuple[date, int]], debits: int) -> list[tuple[date, int]]:
    """Debits use the soonest-expiring points first; what is left of each date's credits."""
    result, cumulative, attributed = [], 0, 0
    for day, amount in credits:
        cumulative += amount
        due = max(0, cumulative - debits) - attributed
        if due > 0:
            result.append((day, due))
            attributed += due
    return result


def upcoming_expiry(
    user_id: int, today: date | None = None, horizon_days: int = EXPIRY_HORIZON_DAYS
) -> list[tuple[date, int]]:
    """What will expire (date, points) from today to today + horizon, soonest first."""
    account = account_of(user_id)
    if account is None:
        return []
    today = today or local_today()
    credits = _credits_by_date([account.id]).get(account.id, [])
    plan = _expiring(credits, _debits([account.id]).get(account.id, 0))
    return [(d, p) for d, p in plan if d <= today + timedelta(days=horizon_days)]


def expire_due(today: date | None = None) -> int:
    """Write expire entries for every credit whose last day is before `today`. Idempotent:
    each (account, expiry date) gets at most one entry, and settled points are debits."""
    today = today or local_today()
    account_ids = list(
        db.session.scalars(
            select(LedgerEntry.account_id)
            .where(LedgerEntry.expires_on < today, LedgerEntry.delta > 0)
            .distinct()
        )
    )
    written = 0
    for start in range(0, len(account_ids), 500):
        chunk = account_ids[start : start + 500]
        lock_for_write()
        credits = _credits_by_date(chunk)
        debits = _debits(chunk)
        done = set(
            db.session.execute(
                select(LedgerEntry.account_id, LedgerEntry.expiry_key).where(
                    LedgerEntry.account_id.in_(chunk), LedgerEntry.expiry_key.is_not(None)
                )
            ).all()
        )
        owners = dict(
            db.session.execute(
                select(PointsAccount.id, PointsAccount.user_id).where(PointsAccount.id.in_(chunk))
            ).all()
        )
        communities = dict(
            db.session.execute(
                select(PointsAccount.id, PointsAccount.community_id).where(
                    PointsAccount.id.in_(chunk)
                )
            ).all()
        )
        for account_id in chunk:
            for day, amount in _expiring(credits.get(account_id, []), debits.get(account_id, 0)):
                if day >= today or (account_id, day) in done:
                    continue
                post_entry(
                    user_id=owners[account_id],
                    community_id=communities[account_id],
                    kind=EntryKind.EXPIRE,
                    delta=-amount,
                    expiry_key=day,
                    reason=str(_l("%(d)s 到期", d=day.isoformat())),
                )
                written += 1
    return written


# --- exchange items ------------------------------------------------------------------------


def points_commitments(merchant_ids) -> list[Commitment]:
    """Published points-exchange commitments (积分兑换承诺) of these members."""
    if not merchant_ids:
        return []
    return list(
        db.session.scalars(
            select(Commitment)
            .where(
                Commitment.merchant_id.in_(merchant_ids),
                Commitment.kind == CommitmentKind.POINTS,
                Commitment.status == CommitmentStatus.PUBLISHED,
            )
            .order_by(Commitment.merchant_id, Commitment.id)
        )
    )


@dataclass
class ItemInput:
    title: str
    description: str
    points: object
    stock: object
    per_person_limit: object  # "" or None: no limit
    active: bool = True


def _checked_item(data: ItemInput, community_id: int) -> dict:
    title = (data.title or "").strip()
    if not title:
        raise PointsError(_l("请填写兑换什么。"), code="title_required", field="title")
    if len(title) > 80:
        raise PointsError(_l("名称不能超过80字。"), code="title_too_long", field="title")
    description = (data.description or "").strip()
    if len(description) > 300:
        raise PointsError(
            _l("说明不能超过300字。"), code="description_too_long", field="description"
        )
    points = parse_points(data.points, maximum=MAX_ITEM_POINTS)
    limit = item_limit(community_id, local_today())
    if points > limit:
        raise PointsError(
            _l("按现行兑换规则，一个兑换项目不能超过%(n)d分。", n=limit),
            code="over_exchange_rule",
            field="points",
        )
    stock = _whole(data.stock, "stock", 0, MAX_STOCK, _l("库存"))
    limit_text = str(data.per_person_limit if data.per_person_limit is not None else "").strip()
    limit = (
        None
        if limit_text == ""
        else _whole(limit_text, "per_person_limit", 1, 1000, _l("每人限兑"))
    )
    return {
        "title": title,
        "description": description,
        "points": points,
        "stock": stock,
        "per_person_limit": limit,
        "active": bool(data.active),
    }


def create_item(commitment: Commitment, data: ItemInput, actor: User) -> ExchangeItem:
    if commitment.kind != CommitmentKind.POINTS or commitment.status != CommitmentStatus.PUBLISHED:
        raise PointsError(
            _l("兑换项目要挂在已公示的积分兑换承诺下。"),
            code="not_points_commitment",
            field="commitment_id",
        )
    values = _checked_item(data, commitment.community_id)
    item = ExchangeItem(
        community_id=commitment.community_id,
        merchant_id=commitment.merchant_id,
        commitment_id=commitment.id,
        created_by_id=actor.id,
        **values,
    )
    db.session.add(item)
    db.session.flush()
    return item


def update_item(item: ExchangeItem, data: ItemInput) -> ExchangeItem:
    values = _checked_item(data, item.community_id)
    lock_for_write()
    for name, value in values.items():
        setattr(item, name, value)
    db.session.flush()
    return item


def items_of(merchant_ids) -> list[ExchangeItem]:
    if not merchant_ids:
        return []
    return list(
        db.session.scalars(
            select(ExchangeItem)
            .where(ExchangeItem.merchant_id.in_(merchant_ids))
            .order_by(ExchangeItem.merchant_id, ExchangeItem.id)
        )
    )


WHERE_PAGE_SIZE = 60


def where_to_spend(community_ids=None, merchant_id: int | None = None, page: int = 1):
    """Where points can be used (/points/where): the active items of active members, with
    their member and community, cheapest first within each member; one page of them.

    `community_ids` narrows to those communities (a holder spends only in its own);
    `merchant_id` to one member (its page). Two statements: the page and the count.
    """
    stmt = (
        select(ExchangeItem)
        .join(Merchant, Merchant.id == ExchangeItem.merchant_id)
        .join(Community, Community.id == Merchant.community_id)
        .where(ExchangeItem.active, Merchant.status == MerchantStatus.ACTIVE)
        .options(contains_eager(ExchangeItem.merchant).contains_eager(Merchant.community))
        .order_by(Community.name, Merchant.number, ExchangeItem.points, ExchangeItem.id)
    )
    if community_ids is not None:
        stmt = stmt.where(Merchant.community_id.in_(community_ids))
    if merchant_id is not None:
        stmt = stmt.where(ExchangeItem.merchant_id == merchant_id)
    return db.paginate(stmt, page=page, per_page=WHERE_PAGE_SIZE, error_out=False)


# --- exchanges -----------------------------------------------------------------------------


# --- figures -------------------------------------------------------------------------------


def totals_for(user_id: int) -> dict:
    """Earned (earn + award + positive corrections), spent and expired, in one query."""
    row = db.session.execute(
        select(
            func.coalesce(func.sum(case((LedgerEntry.delta > 0, LedgerEntry.delta), else_=0)), 0),
            func.coalesce(
                func.sum(case((LedgerEntry.kind == EntryKind.SPEND, -LedgerEntry.delta), else_=0)),
                0,
            ),
            func.coalesce(
                func.sum(case((LedgerEntry.kind == EntryKind.EXPIRE, -LedgerEntry.delta), else_=0)),
                0,
            ),
        ).where(LedgerEntry.user_id == user_id)
    ).one()
    return {"earned": int(row[0]), "spent": int(row[1]), "expired": int(row[2])}


def expiring_by_user(today: date, horizon_days: int) -> dict[int, list[tuple[date, int, int]]]:
    """{user id: [(expiry date, points, community id)]} due from today to today + horizon."""
    last = today + timedelta(days=horizon_days)
    account_ids = list(
        db.session.scalars(
            select(LedgerEntry.account_id)
            .where(LedgerEntry.delta > 0, LedgerEntry.expires_on.between(today, last))
            .distinct()
        )
    )
    result: dict[int, list[tuple[date, int, int]]] = {}
    for start in range(0, len(account_ids), 500):
        chunk = account_ids[start : start + 500]
        credits, debits = _credits_by_date(chunk), _debits(chunk)
        owners = db.session.execute(
            select(PointsAccount.id, PointsAccount.user_id, PointsAccount.community_id).where(
                PointsAccount.id.in_(chunk)
            )
        ).all()
        for account_id, user_id, community_id in owners:
            plan = _expiring(credits.get(account_id, []), debits.get(account_id, 0))
            due = [(d, p, community_id) for d, p in plan if today <= d <= last]
            if due:
                result[user_id] = due
    return result

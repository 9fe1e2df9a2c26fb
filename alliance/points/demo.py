"""Demo points and activities: the community's rule, exchange items of six members (the
`merchant` login's 云水人家餐厅 first), past activities with confirmed hours and earned points,
exchanges, an award, and upcoming activities to sign up for. Bulk inserts; idempotent."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from alliance import clock
from alliance.activities.models import Activity, ActivitySlot, Signup
from alliance.commitments.models import Commitment, CommitmentKind, CommitmentStatus
from alliance.db_types import utcnow
from alliance.demo.context import DemoContext
from alliance.extensions import db
from alliance.merchants.models import Merchant
from alliance.points import scoring
from alliance.points.models import (
    EntryKind,
    Exchange,
    ExchangeItem,
    LedgerEntry,
    PointsAccount,
    PointsRule,
)
from alliance.volunteers.models import VolunteerProfile

# member number → [(item, points, stock, per-person limit)]
ITEMS = {
    1: [("招牌盖饭一份", 50, 40, 2), ("饮料一瓶", 10, 200, None)],
    2: [("家常小炒一份", 60, 30, 1)],
    3: [("牛肉面一碗", 40, 50, 2)],
    5: [("面包券10元", 30, 60, 3)],
    6: [("中药代煎一次", 20, 100, None), ("血压计检测", 10, 100, None)],
    7: [("电影票一张", 120, 20, 1)],
}

# title, category, place, days ago (negative: to come), start hour, hours, emergency, people
PAST = [
    ("防汛巡查：水岸雅居地下车库", "flood", "水岸雅居地下车库", 75, 20, 4, True, 16),
    ("敲门行动：独居老人走访", "elderly", "明珠花园", 62, 9, 3, False, 20),
    ("文明创建：楼道清理", "environment", "云水明珠一期", 48, 14, 2, False, 24),
    ("疫苗接种现场引导", "epidemic", "社区卫生服务站", 35, 8, 4, False, 18),
    ("周末普法课堂", "legal", "社区党群服务中心", 27, 15, 2, False, 12),
    ("防汛沙袋装运", "flood", "社区物资仓库", 19, 22, 3, True, 20),
    ("助老理发日", "elderly", "云水明珠二期活动室", 12, 9, 3, False, 10),
    ("垃圾分类督导", "environment", "明珠花园", 5, 7, 2, False, 22),
]
UPCOMING = [
    ("汛前隐患排查", "flood", "水岸雅居", 6, 9, 4, True, 25),
    ("周六义务理发", "elderly", "云水明珠二期活动室", 9, 9, 3, False, 8),
]
# Held on their day of the story. 重阳节 is the 9th day of the 9th lunar month: in 2026 the 9th
# month began with the new moon of 10 October (Beijing time), so 重阳节 fell on 18 October.
CHONGYANG_2026 = date(2026, 10, 18)
FIXED = [
    ("重阳节敬老文艺演出", "culture", "社区党群服务中心", CHONGYANG_2026, 14, 3, False, 40),
]
# Every week on their weekday, from the start of the story to two weeks ahead.
STORY_START = date(2026, 6, 1)
SATURDAY = 5
WEEKLY = [
    ("周六文明创建：楼道清理", "environment", "云水明珠一期", SATURDAY, 9, 2, False, 10),
]
# A title naming its weekday is held on it.
TITLE_WEEKDAYS = (("周六", SATURDAY), ("周末", SATURDAY), ("周日", 6))


def _at(day_offset: int, hour: int) -> datetime:
    return _on(clock.local_today() - timedelta(days=day_offset), hour)


def _on(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), clock.LOCAL_TZ).astimezone(UTC)


def _snap(day: date, title: str, step: int) -> date:
    """The day itself, or the nearest day of the weekday the title names (step -1: earlier)."""
    for word, weekday in TITLE_WEEKDAYS:
        if title.startswith(word):
            while day.weekday() != weekday:
                day += timedelta(days=step)
    return day


def activity_days(today: date) -> list[tuple[tuple, list[date]]]:
    """Each demo activity (title, category, place, _, hour, hours, emergency, people) with the
    local days of its slots: past ones a number of days ago, upcoming ones twice a week apart,
    fixed ones on their date, weekly ones every week on their weekday."""
    plans = []
    for entry in PAST:
        plans.append((entry, [_snap(today - timedelta(days=entry[3]), entry[0], -1)]))
    for entry in UPCOMING:
        plans.append(
            (
                entry,
                [_snap(today + timedelta(days=entry[3] + 7 * k), entry[0], 1) for k in range(2)],
            )
        )
    for entry in FIXED:
        plans.append((entry, [entry[3]]))
    for entry in WEEKLY:
        day = STORY_START + timedelta(days=(entry[3] - STORY_START.weekday()) % 7)
        days = []
        while day <= today + timedelta(days=14):
            days.append(day)
            day += timedelta(days=7)
        plans.append((entry, days))
    return plans


def points_and_activities(ctx: DemoContext) -> None:
    community = ctx.communities["YSMZ"]
    for code, months in (("YSMZ", 12), ("NY", None)):
        cid = ctx.communities[code].id
        if db.session.scalar(select(PointsRule.id).where(PointsRule.community_id == cid)) is None:
            db.session.add(
                PointsRule(
                    community_id=cid,
                    points_per_hour=10,
                    emergency_percent=200,
                    night_percent=150,
                    night_start_hour=22,
                    night_end_hour=6,
                    expiry_months=months,
                )
            )
    db.session.flush()
    items = _items(ctx, community.id)
    if (
        db.session.scalar(
            select(Activity.id).where(
                Activity.community_id == community.id, Activity.title == PAST[0][0]
            )
        )
        is None
    ):
        _history(ctx, community.id, items)


def _items(ctx, community_id) -> dict[int, list[ExchangeItem]]:
    merchants = {
        m.number: m
        for m in db.session.scalars(
            select(Merchant).where(
                Merchant.community_id == community_id, Merchant.number.in_(list(ITEMS))
            )
        )
    }
    commitments = {
        c.merchant_id: c
        for c in db.session.scalars(
            select(Commitment).where(
                Commitment.community_id == community_id,
                Commitment.kind == CommitmentKind.POINTS,
                Commitment.status == CommitmentStatus.PUBLISHED,
            )
        )
    }
    have = {
        (i.merchant_id, i.title)
        for i in db.session.scalars(
            select(ExchangeItem).where(ExchangeItem.community_id == community_id)
        )
    }
    rows = []
    for number, specs in ITEMS.items():
        merchant = merchants.get(number)
        commitment = commitments.get(merchant.id) if merchant else None
        if commitment is None:
            continue
        for title, cost, stock, limit in specs:
            if (merchant.id, title) not in have:
                rows.append(
                    dict(
                        community_id=community_id,
                        merchant_id=merchant.id,
                        commitment_id=commitment.id,
                        title=title,
                        description="",
                        points=cost,
                        stock=stock,
                        per_person_limit=limit,
                        active=True,
                        created_by_id=ctx.users["merchant"].id,
                        created_at=utcnow(),
                    )
                )
    if rows:
        db.session.execute(insert(ExchangeItem), rows)
    result: dict[int, list[ExchangeItem]] = {}
    for item in db.session.scalars(
        select(ExchangeItem)
        .where(ExchangeItem.community_id == community_id)
        .order_by(ExchangeItem.id)
    ):
        result.setdefault(item.merchant_id, []).append(item)
    return result


def _history(ctx, community_id, items) -> None:
    from alliance.projects.models import Project

    secretary = ctx.users["secretary"]
    me = ctx.users["volunteer"].id
    people = list(
        db.session.scalars(
            select(VolunteerProfile.user_id)
            .where(
                VolunteerProfile.community_id == community_id, VolunteerProfile.status == "active"
            )
            .order_by(VolunteerProfile.id)
            .limit(150)
        )
    )
    if me not in people:
        people.insert(0, me)
    project = db.session.scalars(
        select(Project).where(Project.community_id == community_id).order_by(Project.id)
    ).first()
    rule = scoring.rule_for(community_id)
    slots = []
    now = utcnow()
    for n, (entry, days) in enumerate(activity_days(clock.local_today())):
        title, category, place, _when, hour, hours, emergency, size = entry
        activity = Activity(
            community_id=community_id,
            title=title,
            category=category,
            place=place,
            emergency=emergency,
            created_by_id=secretary.id,
            project_id=project.id if project and n % 3 == 0 else None,
            description=f"{title}。请穿志愿者马甲，提前10分钟到场签到。",
        )
        db.session.add(activity)
        db.session.flush()
        for k, day in enumerate(days):
            start = _on(day, hour)
            slot = ActivitySlot(
                activity_id=activity.id,
                community_id=community_id,
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                capacity=size + 10,
                taken=0,
                local_day=day,
            )
            db.session.add(slot)
            # Held, and confirmed an hour after it ended (confirmed_at below): no later than now.
            ended = start + timedelta(hours=hours + 1) < now
            slots.append((n + 11 * k, ended, slot, activity, hours, size))
    db.session.flush()

    signup_rows, earn_plan = [], []
    for n, past, slot, activity, hours, size in slots:
        chosen = [
            people[(n * 37 + j * 7) % len(people)] for j in range(size if past else size // 3)
        ]
        if past and n % 2 == 0 and me not in chosen:
            chosen[0] = me
        chosen = list(dict.fromkeys(chosen))
        slot.taken = len(chosen)
        for j, uid in enumerate(chosen):
            row = dict(
                slot_id=slot.id,
                activity_id=activity.id,
                community_id=community_id,
                user_id=uid,
                status="signed_up",
                created_at=slot.starts_at - timedelta(days=3),
            )
            if past:
                late = timedelta(minutes=(j * 7) % 20)
                minutes = hours * 60 - int(late.total_seconds() // 60)
                percent = scoring.percent_for(
                    rule,
                    emergency=activity.emergency,
                    night=scoring.is_night(slot.starts_at, rule),
                )
                earned = scoring.points_for(minutes, rule.points_per_hour, percent)
                row.update(
                    check_in_at=slot.starts_at + late,
                    check_out_at=slot.ends_at,
                    minutes=minutes,
                    confirmed_at=slot.ends_at + timedelta(hours=1),
                    confirmed_by_id=secretary.id,
                    points=earned,
                )
                earn_plan.append((slot.id, uid, earned, row["confirmed_at"], activity.title))
            signup_rows.append(row)
    db.session.flush()
    full = {
        "check_in_at": None,
        "check_out_at": None,
        "minutes": None,
        "confirmed_at": None,
        "confirmed_by_id": None,
        "points": None,
    }
    db.session.execute(insert(Signup), [full | r for r in signup_rows])
    signup_ids = {
        (s, u): i
        for i, s, u in db.session.execute(
            select(Signup.id, Signup.slot_id, Signup.user_id).where(
                Signup.community_id == community_id
            )
        )
    }

    events: dict[int, list] = {}
    for slot_id, uid, earned, at, title in earn_plan:
        events.setdefault(uid, []).append(
            (at, EntryKind.EARN, earned, title, signup_ids[(slot_id, uid)], None)
        )
    events.setdefault(me, []).append(
        (_at(40, 18), EntryKind.AWARD, 20, "防汛期间主动转移独居老人", None, None)
    )
    # Exchanges through the story, more each month: the `volunteer` login and others at
    # 云水人家餐厅 and the other members, each when its points had been earned.
    shops = {
        m.id: m for m in db.session.scalars(select(Merchant).where(Merchant.id.in_(list(items))))
    }
    exchange_rows = _exchanges(ctx, community_id, items, events, me)
    if exchange_rows:
        db.session.execute(insert(Exchange), exchange_rows)
    for x in db.session.scalars(
        select(Exchange).where(
            Exchange.fingerprint == "demo", Exchange.community_id == community_id
        )
    ):
        events.setdefault(x.user_id, []).append(
            (
                x.created_at,
                EntryKind.SPEND,
                -x.points,
                f"{shops[x.merchant_id].name}：{x.item_title}",
                None,
                x,
            )
        )

    accounts = [
        dict(
            user_id=uid,
            community_id=community_id,
            balance=0,
            show_name=uid == me,
            created_at=utcnow(),
        )
        for uid in events
    ]
    db.session.execute(insert(PointsAccount), accounts)
    account_ids = dict(
        db.session.execute(
            select(PointsAccount.user_id, PointsAccount.id).where(
                PointsAccount.user_id.in_(list(events))
            )
        ).all()
    )
    ledger, balances = [], {}
    for uid, happened in events.items():
        running = 0
        for at, kind, delta, reason, signup_id, exchange in sorted(happened, key=lambda e: e[0]):
            running += delta
            if exchange is not None:
                exchange.balance_after = running
            ledger.append(
                dict(
                    account_id=account_ids[uid],
                    user_id=uid,
                    community_id=community_id,
                    kind=str(kind),
                    delta=delta,
                    balance_after=running,
                    reason=reason[:200],
                    signup_id=signup_id,
                    exchange_id=exchange.id if exchange else None,
                    expires_on=scoring.expiry_date(
                        at.astimezone(clock.LOCAL_TZ).date(), rule.expiry_months
                    )
                    if delta > 0
                    else None,
                    expiry_key=None,
                    actor_id=secretary.id,
                    created_at=at,
                )
            )
        balances[account_ids[uid]] = running
    db.session.execute(insert(LedgerEntry), ledger)
    db.session.flush()
    for account in db.session.scalars(
        select(PointsAccount).where(PointsAccount.id.in_(list(balances)))
    ):
        account.balance = balances[account.id]
    db.session.flush()


EXCHANGES_FIRST_MONTH, EXCHANGES_GROWTH = 6, 5


def _story_months(today: date) -> list[date]:
    months, first = [], STORY_START
    while first <= today:
        months.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return months


def _exchanges(ctx, community_id, items, events, me) -> list[dict]:
    """Exchange rows from June to now: each month a few more people spend points they had
    earned by then (the balance at that moment, less what they spent before), on an item with
    stock left and within its per-person limit."""
    now = utcnow()
    merchant_ids = sorted(items)
    catalogue = [item for mid in merchant_ids for item in items[mid]]
    earned = {uid: sorted((e[0], e[2]) for e in happened) for uid, happened in events.items()}
    spenders = [me] + [u for u in earned if u != me]
    spent: dict[int, int] = {}
    taken: dict[tuple[int, int], int] = {}
    rows = []
    for m, first in enumerate(_story_months(clock.local_today(now))):
        count = EXCHANGES_FIRST_MONTH + EXCHANGES_GROWTH * m
        for j in range(count):
            day = first + timedelta(days=1 + (j * 27) // count)
            at = _on(day, 11 + j % 8)
            if at >= now:
                break
            choice = _spender(
                spenders,
                (m * 37 + j * 11) % len(spenders),
                j == 0,
                at,
                earned,
                spent,
                taken,
                catalogue,
                m + j,
            )
            if choice is None:
                continue
            uid, item, slot = choice
            taken[(item.id, uid)] = slot
            spent[uid] = spent.get(uid, 0) + item.points
            item.stock -= 1
            rows.append(
                dict(
                    item_id=item.id,
                    merchant_id=item.merchant_id,
                    community_id=community_id,
                    user_id=uid,
                    card_id=None,
                    staff_id=ctx.users["merchant"].id
                    if item.merchant_id == merchant_ids[0]
                    else None,
                    token_id=None,
                    item_title=item.title,
                    points=item.points,
                    balance_after=0,
                    slot=slot if item.per_person_limit else None,
                    idempotency_key=f"demo-{uid}-{item.id}-{slot}",
                    fingerprint="demo",
                    created_at=at,
                )
            )
    return rows


def _spender(spenders, start, me_first, at, earned, spent, taken, catalogue, turn):
    """The first person from `start` (the `volunteer` login first when asked) with points
    enough then for an item in stock and within its limit: (user, item, slot), or None."""
    order = [spenders[0]] if me_first else []
    order += [spenders[(start + i) % len(spenders)] for i in range(len(spenders))]
    for uid in order:
        balance = sum(d for t, d in earned.get(uid, []) if t < at) - spent.get(uid, 0)
        for k in range(len(catalogue)):
            item = catalogue[(turn + k) % len(catalogue)]
            slot = taken.get((item.id, uid), 0) + 1
            if (
                item.points <= balance
                and item.stock > 0
                and (item.per_person_limit is None or slot <= item.per_person_limit)
            ):
                return uid, item, slot
    return None

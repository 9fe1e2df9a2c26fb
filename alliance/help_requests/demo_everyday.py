"""Demo service orders: six months of everyday orders, so every month of the transparency page
and the dashboard shows plausible rates. Looked up by title, so seeding twice changes nothing."""

from datetime import UTC, time, timedelta

from sqlalchemy import select

from alliance import clock
from alliance.communities.models import Estate
from alliance.db_types import utcnow
from alliance.demo.context import DemoContext
from alliance.demo.names import demo_phone
from alliance.extensions import db
from alliance.help_requests import demo_records as records
from alliance.help_requests.workflow import Provider
from alliance.merchants.models import Merchant
from alliance.volunteers.models import VolunteerProfile

# The everyday needs of the six months before this one (code, title, who posts).
EVERYDAY = (
    ("repair", "楼道声控灯不亮", "resident"),
    ("elderly", "独居老人需要助餐", "grid"),
    ("legal", "装修噪音纠纷想咨询", "resident"),
    ("volunteer", "腿脚不便想请人代买药", "resident"),
    ("repair", "厨房水龙头漏水", "grid"),
    ("elderly", "老人想找人陪同去医院复查", "resident"),
    ("tax", "个体户想了解小规模纳税人政策", "grid"),
    ("volunteer", "小区绿地需要志愿者清理", "resident"),
    ("enterprise", "小店想找联盟商户合作进货", "grid"),
)


def _months_before(today, count: int):
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def everyday_orders(ctx: DemoContext) -> None:
    """Six months of ordinary orders, each step dated when it would have happened: dispatched
    a few hours after posting, accepted the same day, finished days later, most reviewed; one
    in nine dispatched late, some not reviewed, a few rated 3 stars. So every month of the
    transparency page and the dashboard shows plausible rates."""
    ysmz = ctx.communities["YSMZ"]
    member = db.session.scalars(
        select(Merchant).where(Merchant.community_id == ysmz.id, Merchant.number == 1)
    ).first()
    volunteer = db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.user_id == ctx.users["volunteer"].id)
    ).first()
    if member is None or volunteer is None:
        return
    secretary = ctx.users["secretary"]
    estates = list(
        db.session.scalars(select(Estate).where(Estate.community_id == ysmz.id).order_by(Estate.id))
    )
    providers = (
        (Provider("merchant", member.id), ctx.users["merchant"]),
        (Provider("volunteer", volunteer.id), ctx.users["volunteer"]),
    )
    n = 0
    now = utcnow()
    for m, first in enumerate(_months_before(clock.local_today(now), 6)):
        for k in range(8 + m):  # a little busier each month
            n += 1
            code, what, username = EVERYDAY[(m + k) % len(EVERYDAY)]
            day = first + timedelta(days=1 + (k * 27) // (8 + m))
            posted = clock.local_at(day, time(8 + (k * 3) % 10, 15 * (k % 4))).astimezone(UTC)
            order = records.post(
                ctx,
                ysmz,
                username,
                code,
                f"{what}（{first.month}月第{k + 1}件）",
                estate=estates[k % len(estates)] if estates else None,
                at=posted,
                contact_phone=demo_phone(10 + k % 7),
            )
            if order is None:
                continue
            provider, provider_user = providers[n % 2]
            late = n % 9 == 0
            dispatch = 80 + k if late else 2 + (k % 5)
            finish = dispatch + 24 * (1 + k % 4) + 3
            plan = [
                ("dispatch", secretary, {"provider": provider}, dispatch),
                ("accept", provider_user, {}, dispatch + 1),
                ("start", provider_user, {}, dispatch + 3),
                ("finish", provider_user, {"note": "已办结"}, finish),
            ]
            if n % 5:  # four in five are reviewed
                rating = 3 if n % 7 == 0 else 5 - (n % 3 == 0)
                note = "很满意，谢谢" if rating >= 4 else "解决了，但等得有点久"
                plan.append(
                    ("review", ctx.users[username], {"rating": rating, "note": note}, finish + 20)
                )
            # Last month's latest orders may still be open in this month's first days.
            _move_as_due(order, plan, posted, now)
    _this_month(ctx, ysmz, estates, providers)
    db.session.flush()


def _this_month(ctx, community, estates, providers) -> None:
    """The days of this month gone by: a few small orders, each done within the day or the
    next and reviewed the day after when that time has come, so this month's rates read like
    the others' rather than 0% beside the orders still open."""
    now = utcnow()
    today = clock.local_today(now)
    first = today.replace(day=1)
    gone = (today - first).days  # whole days of this month before today
    secretary = ctx.users["secretary"]
    for k in range(min(6, gone)):
        code, what, username = EVERYDAY[(k * 4 + 1) % len(EVERYDAY)]
        day = first + timedelta(days=(k * gone) // min(6, gone))
        posted = clock.local_at(day, time(8 + (k * 3) % 6, 20)).astimezone(UTC)
        order = records.post(
            ctx,
            community,
            username,
            code,
            f"{what}（{first.month}月初第{k + 1}件）",
            estate=estates[k % len(estates)] if estates else None,
            at=posted,
            contact_phone=demo_phone(20 + k),
        )
        if order is None:
            continue
        provider, provider_user = providers[k % 2]
        plan = this_month_plan(k, secretary, provider, provider_user, ctx.users[username])
        _move_as_due(order, plan, posted, now)


def this_month_plan(k: int, secretary, provider, provider_user, requester) -> list[tuple]:
    """(action, who, fields, hours after posting) of this month's k-th order, in the
    workflow's order: done within the day or the next, reviewed the day after."""
    finish = 8 + 24 * (k % 2)
    return [
        ("dispatch", secretary, {"provider": provider}, 2),
        ("accept", provider_user, {}, 3),
        ("start", provider_user, {}, 5),
        ("finish", provider_user, {"note": "已办结"}, finish),
        ("review", requester, {"rating": 5 - k % 2, "note": "很满意，谢谢"}, finish + 22),
    ]


def _move_as_due(order, plan: list[tuple], posted, now) -> None:
    """Run the plan's steps whose time has come, each dated when it happened."""
    due = steps_due(plan, posted, now)
    if due:
        records.run(order, [step[:3] for step in due], hours=[step[3] for step in due])


def steps_due(plan: list[tuple], posted, now) -> list[tuple]:
    """The plan's steps whose time has come, up to the first that has not: an order is
    never reviewed before it is finished, whatever the hour of seeding."""
    due = []
    for step in plan:
        if posted + timedelta(hours=step[3]) >= now:
            break
        due.append(step)
    return due

"""Demo service orders: the catalogue, co-building units, resources, the story's two projects and
orders in various states (one overdue, one waiting at the street office), with reviews.

Looked up by natural keys (category code, unit name, resource title, order title, project
title), so seeding twice changes nothing. Orders move through the real state machine.
"""

from datetime import UTC, time, timedelta

from sqlalchemy import select

from alliance import clock
from alliance.accounts.models import Role
from alliance.co_building.models import CoBuildingUnit, Resource
from alliance.communities.models import Estate
from alliance.demo.context import DemoContext, ensure_user
from alliance.demo.names import demo_phone
from alliance.extensions import db
from alliance.help_requests import catalogue, intake, workflow
from alliance.help_requests.models import HelpRequest, ServiceCategory, State
from alliance.help_requests.workflow import Provider
from alliance.merchants.models import Merchant, MerchantStaff
from alliance.projects import services as projects_services
from alliance.projects.models import Project
from alliance.volunteers.models import VolunteerProfile

UNITS = [
    ("绿源环保科技有限公司", "环保企业", "中药药渣、餐厨垃圾清运与无害化处理", "环保"),
    ("明德律师事务所", "律师事务所", "每月两次公益法律咨询，合同与劳动纠纷", "法律"),
    ("坞城街道社区卫生服务中心", "医疗机构", "上门巡诊、慢病随访", "卫生"),
]


def _merchant(community_id: int, name: str) -> Merchant | None:
    return db.session.scalars(
        select(Merchant).where(Merchant.community_id == community_id, Merchant.name == name)
    ).first()


def _staff(
    ctx: DemoContext, merchant: Merchant | None, username: str, display: str, phone_index: int
):
    if merchant is None:
        return None
    user = ensure_user(
        ctx,
        username,
        display,
        merchant.community,
        (Role.MERCHANT_STAFF, Role.RESIDENT),
        demo_phone(phone_index),
    )
    db.session.flush()
    linked = db.session.scalar(
        select(MerchantStaff.id).where(
            MerchantStaff.merchant_id == merchant.id, MerchantStaff.user_id == user.id
        )
    )
    if linked is None:
        db.session.add(MerchantStaff(merchant_id=merchant.id, user_id=user.id, is_owner=True))
        db.session.flush()
    return user


def _resource(street_office_id, community_id, code, title, **provider):
    found = db.session.scalar(
        select(Resource.id).where(
            Resource.title == title, Resource.street_office_id == street_office_id
        )
    )
    if found is None:
        kind = (
            "merchant"
            if provider.get("merchant_id")
            else "unit"
            if provider.get("unit_id")
            else "volunteer"
        )
        db.session.add(
            Resource(
                street_office_id=street_office_id,
                community_id=community_id,
                category_code=code,
                provider_kind=kind,
                title=title,
                **provider,
            )
        )


def _post(
    ctx,
    community,
    username,
    code,
    title,
    *,
    estate=None,
    shop=None,
    urgency="normal",
    days_ago=0,
    at=None,
    description="",
    **extra,
):
    existing = db.session.scalars(
        select(HelpRequest).where(
            HelpRequest.community_id == community.id, HelpRequest.title == title
        )
    ).first()
    if existing is not None:
        return None
    category = next(c for c in catalogue.categories_of(community.id) if c.code == code)
    order = intake.submit_request(
        community,
        ctx.users[username],
        intake.RequestInput(
            category_id=category.id,
            title=title,
            description=description,
            estate_id=estate.id if estate else None,
            shop_id=shop.id if shop else None,
            building=extra.pop("building", ""),
            urgency=urgency,
            **extra,
        ),
    )
    if days_ago or at is not None:
        moved = order.submitted_at - at if at is not None else timedelta(days=days_ago)
        order.submitted_at -= moved
        order.due_at -= moved
        order.submitted_month = clock.month_key(order.submitted_at)
        for event in order.events:
            event.created_at -= moved
    return order


def _run(order, steps, hours=None):
    """Move the order through `steps`; with `hours`, step i is then dated `hours[i]` hours
    after the order was posted, as it would have happened (the demo runs them all now)."""
    for action, username, kwargs in steps:
        workflow.transition(order, action, username, **kwargs)
    if hours is not None:
        _stamp(order, hours)


def _stamp(order: HelpRequest, hours: list[float]) -> None:
    posted = order.submitted_at
    events = list(order.events)[-len(hours) :]
    for event, after in zip(events, hours, strict=True):
        event.created_at = posted + timedelta(hours=after)
    dispatched = [e.created_at for e in events if e.action == "dispatch"]
    order.first_dispatched_at = dispatched[0] if dispatched else None
    for event in events:
        if event.to_state == State.DONE:
            order.resolved_at = event.created_at
        if event.to_state == State.CLOSED:
            order.closed_at = event.created_at
    order.updated_at = events[-1].created_at


# Logins this step creates, for `flask demo-logins`.
LOGINS = (
    ("accountant", "钱会计", "YSMZ", "merchant_staff (诚信财税事务所)"),
    ("pharmacist", "孙药师", "YSMZ", "merchant_staff (仁和堂大药房)"),
)


def help_requests(ctx: DemoContext) -> None:
    office = ctx.street_office
    for community in ctx.communities.values():
        catalogue.ensure_catalogue(community)
    units = {}
    for name, kind, what, _tag in UNITS:
        unit = db.session.scalars(
            select(CoBuildingUnit).where(
                CoBuildingUnit.street_office_id == office.id, CoBuildingUnit.name == name
            )
        ).first()
        if unit is None:
            unit = CoBuildingUnit(street_office_id=office.id, name=name, kind=kind, services=what)
            db.session.add(unit)
            db.session.flush()
        units[name] = unit

    ysmz = ctx.communities["YSMZ"]
    estates = list(
        db.session.scalars(select(Estate).where(Estate.community_id == ysmz.id).order_by(Estate.id))
    )
    firm = _merchant(ysmz.id, "诚信财税事务所")
    pharmacy = _merchant(ysmz.id, "仁和堂大药房")
    restaurant = _merchant(ysmz.id, "云水人家餐厅")
    elderly_station = _merchant(ysmz.id, "暖阳养老服务站")
    repair_shop = _merchant(ysmz.id, "利民家电维修部")
    accountant = _staff(ctx, firm, "accountant", "钱会计", 401)
    pharmacist = _staff(ctx, pharmacy, "pharmacist", "孙药师", 402)
    ctx.users.update(
        {k: v for k, v in (("accountant", accountant), ("pharmacist", pharmacist)) if v is not None}
    )

    if firm:
        _resource(
            office.id,
            ysmz.id,
            "tax",
            "免费税务讲座与申报辅导",
            merchant_id=firm.id,
            details="每月一场，面向小微企业和个体户",
            capacity="每场30家",
        )
    if elderly_station:
        _resource(
            office.id, ysmz.id, "elderly", "独居老人助餐与探访", merchant_id=elderly_station.id
        )
    if repair_shop:
        _resource(
            office.id, ysmz.id, "repair", "家电水电小修（材料费自理）", merchant_id=repair_shop.id
        )
    _resource(
        office.id,
        ysmz.id,
        "volunteer",
        "云水明珠志愿服务队：代买代办、陪同就医",
        team_name="云水明珠志愿服务队",
        capacity="30名队员",
    )
    _resource(
        office.id,
        None,
        "environment",
        "药渣、餐厨垃圾清运",
        unit_id=units["绿源环保科技有限公司"].id,
    )
    _resource(office.id, None, "legal", "公益法律咨询", unit_id=units["明德律师事务所"].id)
    _resource(office.id, None, "health", "上门巡诊", unit_id=units["坞城街道社区卫生服务中心"].id)
    db.session.flush()

    secretary, street = ctx.users["secretary"], ctx.users["street"]
    tax_orders = []
    if firm and accountant:
        for i, (username, title, days) in enumerate(
            (
                ("merchant", "小微企业不懂税务申报，想请人讲讲", 40),
                ("resident", "个体户年度汇算清缴怎么做", 38),
                ("grid", "网格内商户想了解发票新规", 36),
            )
        ):
            order = _post(
                ctx,
                ysmz,
                username,
                "tax",
                title,
                shop=restaurant if i == 0 else None,
                estate=estates[i] if i else None,
                days_ago=days,
                contact_phone=demo_phone(4 + i),
            )
            if order is None:
                continue
            _run(
                order,
                [
                    ("dispatch", secretary, {"provider": Provider("merchant", firm.id)}),
                    ("accept", accountant, {}),
                    ("start", accountant, {"note": f"第{i + 1}场讲座"}),
                    ("finish", accountant, {"note": "讲座完成，现场答疑"}),
                    (
                        "review",
                        ctx.users[username],
                        {"rating": 5 - (i == 2), "note": "讲得清楚实用"},
                    ),
                ],
                # dispatched that morning, accepted by noon, the lecture on Saturday
                hours=[3, 5, 70 + 24 * i, 73 + 24 * i, 96 + 24 * i],
            )
            tax_orders.append(order)
    if (
        tax_orders
        and db.session.scalar(
            select(Project.id).where(
                Project.community_id == ysmz.id, Project.title.like("小微企业税务讲座%")
            )
        )
        is None
    ):
        tax_resources = list(
            db.session.scalars(
                select(Resource.id).where(Resource.title == "免费税务讲座与申报辅导")
            )
        )
        projects_services.save_project(
            ysmz,
            secretary,
            projects_services.ProjectInput(
                title="小微企业税务讲座：3场，26家企业",
                category_code="tax",
                status="finished",
                summary="商户反映不懂税务申报，社区派单给联盟商户诚信财税事务所，免费开讲。",
                schedule="每周六上午，共3场",
                outcome="3场讲座，26家小微企业参加，满意度4.7",
                request_ids=[o.id for o in tax_orders],
                resource_ids=tax_resources,
            ),
        )

    if pharmacy and pharmacist:
        order = _post(
            ctx,
            ysmz,
            "pharmacist",
            "environment",
            "中药药渣无法处理",
            shop=pharmacy,
            days_ago=20,
            description="每天煎药产生药渣，垃圾站不收。",
            contact_phone=demo_phone(402),
        )
        if order is not None:
            unit = units["绿源环保科技有限公司"]
            _run(
                order,
                [
                    ("escalate", secretary, {"note": "药渣属于特殊垃圾，社区没有处置渠道"}),
                    ("assign_unit", street, {"provider": Provider("unit", unit.id)}),
                    ("finish", street, {"note": "街道协调绿源环保每周两次上门清运"}),
                    ("review", pharmacist, {"rating": 5, "note": "问题解决了，感谢街道"}),
                ],
                # escalated the same morning; the street office had it collected within two days
                hours=[4, 26, 46, 70],
            )
            projects_services.save_project(
                ysmz,
                secretary,
                projects_services.ProjectInput(
                    title="中药药渣清运",
                    category_code="environment",
                    status="finished",
                    summary="药店药渣无处处置，社区上报街道，街道联系共建单位解决。",
                    schedule="每周二、周五上门清运",
                    outcome="1家药店药渣按时清运",
                    request_ids=[order.id],
                ),
            )

    # Open orders in the queues: one overdue, one at the street office, one for the `merchant`.
    _post(
        ctx,
        ysmz,
        "resident",
        "repair",
        "独居老人家中水管漏水",
        estate=estates[0],
        building="5号楼1单元",
        urgency="urgent",
        days_ago=2,
        contact_phone=demo_phone(6),
    )
    waiting = _post(
        ctx,
        ysmz,
        "grid",
        "emergency",
        "小区外围道路积水严重",
        estate=estates[3],
        urgency="urgent",
        contact_phone=demo_phone(3),
    )
    if waiting is not None:
        _run(waiting, [("escalate", secretary, {"note": "涉及市政排水，需街道协调"})])
    if restaurant:
        lunch = _post(
            ctx,
            ysmz,
            "grid",
            "elderly",
            "为3位独居老人送午餐",
            estate=estates[1],
            on_behalf_name="王大爷",
            contact_phone=demo_phone(3),
        )
        if lunch is not None:
            _run(
                lunch, [("dispatch", secretary, {"provider": Provider("merchant", restaurant.id)})]
            )
    _post(
        ctx,
        ysmz,
        "resident",
        "legal",
        "租房合同押金纠纷想咨询",
        estate=estates[2],
        contact_phone=demo_phone(6),
    )
    ny = ctx.communities.get("NY")
    if ny is not None:
        ny_estate = db.session.scalars(select(Estate).where(Estate.community_id == ny.id)).first()
        _post(
            ctx,
            ny,
            "resident_b",
            "repair",
            "单元门禁坏了",
            estate=ny_estate,
            contact_phone=demo_phone(8),
        )
    db.session.flush()


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
    for m, first in enumerate(_months_before(clock.local_today(), 6)):
        for k in range(8 + m):  # a little busier each month
            n += 1
            code, what, username = EVERYDAY[(m + k) % len(EVERYDAY)]
            day = first + timedelta(days=1 + (k * 27) // (8 + m))
            posted = clock.local_at(day, time(8 + (k * 3) % 10, 15 * (k % 4))).astimezone(UTC)
            order = _post(
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
            steps = [
                ("dispatch", secretary, {"provider": provider}),
                ("accept", provider_user, {}),
                ("start", provider_user, {}),
                ("finish", provider_user, {"note": "已办结"}),
            ]
            hours = [dispatch, dispatch + 1, dispatch + 3, finish]
            if n % 5:  # four in five are reviewed
                rating = 3 if n % 7 == 0 else 5 - (n % 3 == 0)
                note = "很满意，谢谢" if rating >= 4 else "解决了，但等得有点久"
                steps.append(("review", ctx.users[username], {"rating": rating, "note": note}))
                hours.append(finish + 20)
            _run(order, steps, hours=hours)
    db.session.flush()


# What the members offer in the resources list, by business category (code, title).
MEMBER_RESOURCES = {
    "catering": (
        ("elderly", "独居老人助餐"),
        ("volunteer", "店员志愿服务队"),
        ("elderly", "重阳节敬老宴"),
    ),
    "bakery": (
        ("elderly", "临期面包赠送困难家庭"),
        ("volunteer", "节日慰问点心"),
        ("employment", "烘焙技能培训"),
    ),
    "pharmacy": (
        ("health", "每月免费中医义诊"),
        ("health", "上门送药"),
        ("elderly", "慢病用药提醒"),
    ),
    "cinema": (
        ("volunteer", "公益电影放映"),
        ("enterprise", "场地借用"),
        ("volunteer", "志愿者观影优惠"),
    ),
    "finance": (
        ("tax", "免费税务讲座与申报辅导"),
        ("enterprise", "小微企业记账咨询"),
        ("tax", "个体户汇算清缴代办"),
    ),
    "retail": (
        ("enterprise", "社区团购供货"),
        ("elderly", "送货上门"),
        ("emergency", "防汛物资代储"),
    ),
    "living": (
        ("repair", "家电水电小修"),
        ("employment", "学徒岗位"),
        ("repair", "老旧小区线路检查"),
    ),
    "other": (("enterprise", "企业互助对接"), ("volunteer", "志愿服务"), ("legal", "合同审阅互助")),
}
# What every member offers besides (the alliance agreement's volunteer and mutual-help parts).
EVERY_MEMBER = (
    ("volunteer", "店员参加社区志愿服务"),
    ("enterprise", "联盟商户互惠优惠"),
)
VOLUNTEER_TEAMS = (
    ("volunteer", "红色物业志愿服务队：楼道清理"),
    ("elderly", "银龄互助队：陪伴独居老人"),
    ("health", "健康守护队：量血压、讲健康"),
    ("repair", "巧手维修队：小家电义修"),
    ("legal", "法律明白人：调解邻里纠纷"),
    ("employment", "就业帮帮团：求职辅导"),
    ("volunteer", "文明劝导队：垃圾分类宣传"),
    ("emergency", "防汛应急队：巡查与转移"),
)


def three_lists(ctx: DemoContext) -> None:
    """The three lists near the story's scale (about 250 items): every member's resources,
    the volunteer teams', and a project per month and kind of need that links the month's
    orders of that kind with a resource for it."""
    ysmz = ctx.communities["YSMZ"]
    office = ctx.street_office
    members = list(
        db.session.scalars(
            select(Merchant).where(Merchant.community_id == ysmz.id).order_by(Merchant.number)
        )
    )
    for member in members:
        offers = MEMBER_RESOURCES.get(member.category, MEMBER_RESOURCES["other"]) + EVERY_MEMBER
        for code, title in offers:
            _resource(office.id, ysmz.id, code, f"{member.name}：{title}", merchant_id=member.id)
    for code, title in VOLUNTEER_TEAMS:
        team = title.split("：")[0]
        _resource(office.id, ysmz.id, code, title, team_name=team, capacity="10—30名队员")
    db.session.flush()
    resources: dict[str, list[int]] = {}
    for rid, code in db.session.execute(
        select(Resource.id, Resource.category_code)
        .where(Resource.community_id == ysmz.id)
        .order_by(Resource.id)
    ):
        resources.setdefault(code, []).append(rid)
    have = set(db.session.scalars(select(Project.title).where(Project.community_id == ysmz.id)))
    groups: dict[tuple[str, str], list[int]] = {}
    names = {c.code: c.name for c in catalogue.categories_of(ysmz.id)}
    for oid, month, code, posted in db.session.execute(
        select(
            HelpRequest.id,
            HelpRequest.submitted_month,
            ServiceCategory.code,
            HelpRequest.submitted_at,
        )
        .join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id)
        .where(HelpRequest.community_id == ysmz.id, HelpRequest.title.like("%月第%件）"))
        .order_by(HelpRequest.id)
    ):
        half = "上半月" if clock.local_date(posted).day <= 15 else "下半月"
        groups.setdefault((month, code, half), []).append(oid)
    secretary = ctx.users["secretary"]
    for n, ((month, code, half), order_ids) in enumerate(sorted(groups.items())):
        title = f"{month}{half} {names.get(code, code)}"
        if title in have:
            continue
        projects_services.save_project(
            ysmz,
            secretary,
            projects_services.ProjectInput(
                title=title,
                category_code=code,
                status="finished",
                summary=f"{month}居民提出的{names.get(code, code)}需求，派给联盟商户和志愿者办理。",
                outcome=f"{len(order_ids)}件需求全部办结",
                request_ids=order_ids,
                resource_ids=(
                    [resources[code][n % len(resources[code])]] if code in resources else []
                ),
            ),
        )
    db.session.flush()

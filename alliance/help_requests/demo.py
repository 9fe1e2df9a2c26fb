"""Demo service orders: the catalogue, co-building units, resources, the story's two projects and
orders in various states (one overdue, one waiting at the street office), with reviews.

Looked up by natural keys (category code, unit name, resource title, order title, project
title), so seeding twice changes nothing. Orders move through the real state machine.
"""

from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.co_building.models import CoBuildingUnit, Resource
from alliance.communities.models import Estate
from alliance.demo.context import DemoContext, ensure_user
from alliance.demo.names import demo_phone
from alliance.extensions import db
from alliance.help_requests import catalogue
from alliance.help_requests import demo_records as records
from alliance.help_requests.workflow import Provider
from alliance.merchants.models import Merchant, MerchantStaff
from alliance.projects import services as projects_services
from alliance.projects.models import Project

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
        records.resource(
            office.id,
            ysmz.id,
            "tax",
            "免费税务讲座与申报辅导",
            merchant_id=firm.id,
            details="每月一场，面向小微企业和个体户",
            capacity="每场30家",
        )
    if elderly_station:
        records.resource(
            office.id, ysmz.id, "elderly", "独居老人助餐与探访", merchant_id=elderly_station.id
        )
    if repair_shop:
        records.resource(
            office.id, ysmz.id, "repair", "家电水电小修（材料费自理）", merchant_id=repair_shop.id
        )
    records.resource(
        office.id,
        ysmz.id,
        "volunteer",
        "云水明珠志愿服务队：代买代办、陪同就医",
        team_name="云水明珠志愿服务队",
        capacity="30名队员",
    )
    records.resource(
        office.id,
        None,
        "environment",
        "药渣、餐厨垃圾清运",
        unit_id=units["绿源环保科技有限公司"].id,
    )
    records.resource(office.id, None, "legal", "公益法律咨询", unit_id=units["明德律师事务所"].id)
    records.resource(
        office.id, None, "health", "上门巡诊", unit_id=units["坞城街道社区卫生服务中心"].id
    )
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
            order = records.post(
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
            records.run(
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
        order = records.post(
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
            records.run(
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
    records.post(
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
    waiting = records.post(
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
        records.run(waiting, [("escalate", secretary, {"note": "涉及市政排水，需街道协调"})])
    if restaurant:
        lunch = records.post(
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
            records.run(
                lunch, [("dispatch", secretary, {"provider": Provider("merchant", restaurant.id)})]
            )
    records.post(
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
        records.post(
            ctx,
            ny,
            "resident_b",
            "repair",
            "单元门禁坏了",
            estate=ny_estate,
            contact_phone=demo_phone(8),
        )
    db.session.flush()

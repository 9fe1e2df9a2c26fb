"""Demo resources and projects: the three lists near the story's scale (every member's resources,
the volunteer teams', a project per month and kind of need). Looked up by title, so seeding twice
changes nothing."""

from sqlalchemy import select

from alliance import clock
from alliance.co_building.models import Resource
from alliance.demo.context import DemoContext
from alliance.extensions import db
from alliance.help_requests import catalogue
from alliance.help_requests import demo_records as records
from alliance.help_requests.models import RESOLVED_STATES, HelpRequest, ServiceCategory
from alliance.merchants.models import Merchant
from alliance.projects import services as projects_services
from alliance.projects.models import Project

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
    ("elderly", "助餐送餐队：为独居老人送餐"),
    ("health", "心理疏导队：陪伴倾听"),
    ("repair", "楼道安全队：消防通道巡查"),
    ("employment", "创业导师团：小店经营指导"),
    ("legal", "反诈宣传队：防诈骗讲座"),
    ("volunteer", "四点半课堂：课后托管辅导"),
    ("volunteer", "护河队：河道清理"),
    ("emergency", "敲门行动队：汛期走访困难户"),
)
TEAMS_PROJECT = "志愿服务队伍共建"


def three_lists(ctx: DemoContext) -> None:
    """The three lists at the story's scale (about 290 items): every member's resources,
    the volunteer teams', a project per month and kind of need that links the month's orders
    of that kind with a resource for it, a project per member that carries its resources (its
    agreement's services) and one for the volunteer teams: nearly every item is linked."""
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
            records.resource(
                office.id, ysmz.id, code, f"{member.name}：{title}", merchant_id=member.id
            )
    for code, title in VOLUNTEER_TEAMS:
        team = title.split("：")[0]
        records.resource(office.id, ysmz.id, code, title, team_name=team, capacity="10—30名队员")
    db.session.flush()
    resources: dict[str, list[int]] = {}
    by_member: dict[int, list[tuple[int, str]]] = {}
    teams: list[int] = []
    for rid, code, merchant_id, team_name in db.session.execute(
        select(Resource.id, Resource.category_code, Resource.merchant_id, Resource.team_name)
        .where(Resource.community_id == ysmz.id)
        .order_by(Resource.id)
    ):
        resources.setdefault(code, []).append(rid)
        if merchant_id is not None:
            by_member.setdefault(merchant_id, []).append((rid, code))
        elif team_name:
            teams.append(rid)
    have = set(db.session.scalars(select(Project.title).where(Project.community_id == ysmz.id)))
    groups: dict[tuple[str, str], list[int]] = {}
    names = {c.code: c.name for c in catalogue.categories_of(ysmz.id)}
    resolved: set[int] = set()
    for oid, month, code, posted, state in db.session.execute(
        select(
            HelpRequest.id,
            HelpRequest.submitted_month,
            ServiceCategory.code,
            HelpRequest.submitted_at,
            HelpRequest.state,
        )
        .join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id)
        # the everyday orders: "（8月第3件）", and this month's "（12月初第1件）"
        .where(HelpRequest.community_id == ysmz.id, HelpRequest.title.like("%月%第%件）"))
        .order_by(HelpRequest.id)
    ):
        half = "上半月" if clock.local_date(posted).day <= 15 else "下半月"
        groups.setdefault((month, code, half), []).append(oid)
        if state in RESOLVED_STATES:
            resolved.add(oid)
    secretary = ctx.users["secretary"]
    for n, ((month, code, half), order_ids) in enumerate(sorted(groups.items())):
        title = f"{month}{half} {names.get(code, code)}"
        if title in have:
            continue
        done = sum(1 for oid in order_ids if oid in resolved)
        projects_services.save_project(
            ysmz,
            secretary,
            projects_services.ProjectInput(
                title=title,
                category_code=code,
                status="finished" if done == len(order_ids) else "running",
                summary=f"{month}居民提出的{names.get(code, code)}需求，派给联盟商户和志愿者办理。",
                outcome=f"{len(order_ids)}件需求全部办结"
                if done == len(order_ids)
                else f"{len(order_ids)}件需求，已办结{done}件",
                request_ids=order_ids,
                resource_ids=(
                    [resources[code][n % len(resources[code])]] if code in resources else []
                ),
            ),
        )
    db.session.flush()
    for member in members:
        offered = by_member.get(member.id, [])
        title = f"{member.name}：联盟服务承诺落地"
        if not offered or title in have:
            continue
        projects_services.save_project(
            ysmz,
            secretary,
            projects_services.ProjectInput(
                title=title,
                category_code=offered[0][1],
                status="running",
                summary=f"第{member.number}家联盟商户按合作协议向居民和志愿者提供的服务。",
                resource_ids=[rid for rid, _code in offered],
            ),
        )
    if teams and TEAMS_PROJECT not in have:
        projects_services.save_project(
            ysmz,
            secretary,
            projects_services.ProjectInput(
                title=TEAMS_PROJECT,
                category_code="volunteer",
                status="running",
                summary="社区志愿服务队伍的招募、培训和日常服务。",
                resource_ids=teams,
            ),
        )
    db.session.flush()

"""Demo commitments: the story's 79 published commitments (3项承诺) of YSMZ's 23 members.

Every member publishes an integrity (信誉), a service (服务) and a points-exchange (积分兑换)
commitment (69); ten members add a second offer (10 more): 79. The story's rates are here: the
restaurant 6.8折 for both cards, the pharmacy 7折 on medicine and its monthly free TCM clinic,
the bakery and the corner shop 8.5折, the cinema's tickets, the accounting firm's tax lectures.
A few drafts and submissions wait in the secretary's queue, with one resident's report.

Members are found by (community, number) as the merchants demo numbers them 1..23; when they
do not exist yet the step does nothing. Commitments are looked up by (merchant, title), so
seeding twice changes nothing.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

# The merchants' demo steps must register (and so run) before this one.
from alliance.commitments.drafting import refresh_search_text
from alliance.commitments.models import (
    BrokenCommitmentReport,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    FulfilmentNote,
    Offer,
    ServiceDetail,
    UsagePeriod,
)
from alliance.demo.context import DemoContext
from alliance.extensions import db
from alliance.merchants.models import Agreement, Merchant

INT, SVC, PTS = CommitmentKind.INTEGRITY, CommitmentKind.SERVICE, CommitmentKind.POINTS

# number → (integrity title, rate % or None, qualifies, conditions,
#           service (what, when, where, for whom), points text)
MEMBERS = {
    1: (
        "持联盟卡、志愿者卡就餐享6.8折",
        68,
        "both",
        "堂食，凭卡结账",
        ("组织店员参加社区志愿服务", "每月第二个周日", "云水明珠社区", "社区居民"),
        "志愿服务积分可兑换招牌菜一份",
    ),
    2: (
        "持卡就餐8.5折，明码标价",
        85,
        "both",
        "堂食",
        ("为独居老人送餐上门", "每周三中午", "社区内", "独居老人"),
        "积分兑换家常菜一份",
    ),
    3: (
        "持卡吃面9折",
        90,
        "both",
        "",
        ("高考期间为考生免费加蛋", "每年6月7日—9日", "本店", "考生"),
        "积分兑换面条一碗",
    ),
    4: (
        "持卡用餐8.8折",
        88,
        "both",
        "饺子、凉菜",
        ("春节为困难户包饺子", "每年除夕前", "社区食堂", "困难家庭"),
        "积分兑换水饺一斤",
    ),
    5: (
        "面包糕点8.5折",
        85,
        "both",
        "现烤面包、蛋糕",
        ("临期面包捐赠社区爱心冰箱", "每晚8点后", "一期南门爱心冰箱", "有需要的居民"),
        "积分兑换面包一个",
    ),
    6: (
        "药品7折",
        70,
        "both",
        "药品；处方药须凭处方",
        ("免费中医义诊", "每月第一个周六上午", "仁和堂大药房二楼诊室", "社区居民"),
        "积分兑换常用药品",
    ),
    7: (
        "电影票25—35元，任何时段都低于各购票平台",
        None,
        "both",
        "",
        ("为社区老人包场放映红色电影", "每季度一次", "星光影城1号厅", "社区老年人"),
        "积分兑换电影票",
    ),
    8: (
        "财税咨询费8.5折",
        85,
        "alliance",
        "联盟单位代账、咨询",
        ("为小微企业免费讲授税务知识", "每季度一次，已讲3场", "社区党群服务中心", "社区小微企业"),
        "积分兑换一次免费财税咨询",
    ),
    9: (
        "日用品8.5折",
        85,
        "both",
        "烟酒除外",
        ("为行动不便的老人送货上门", "每天9:00—20:00", "社区内", "行动不便的老人"),
        "积分兑换粮油",
    ),
    10: (
        "水果9折",
        90,
        "both",
        "",
        ("困难户每周送水果", "每周六", "社区内", "困难家庭"),
        "积分兑换时令水果",
    ),
    11: (
        "持卡购物9.5折",
        95,
        "both",
        "特价商品除外",
        ("汛期储备应急物资", "每年6—9月", "超市仓库", "社区应急"),
        "积分兑换米面",
    ),
    12: (
        "洗衣8.5折",
        85,
        "both",
        "",
        ("为志愿者免费清洗红马甲", "随时", "本店", "社区志愿者"),
        "积分兑换干洗一件",
    ),
    13: (
        "理发8折",
        80,
        "both",
        "",
        ("为卧床老人上门理发", "每月最后一个周一", "社区内", "卧床、高龄老人"),
        "积分兑换理发一次",
    ),
    14: (
        "家政服务9折",
        90,
        "both",
        "",
        ("为困难家庭免费保洁", "每月一次", "社区内", "困难家庭"),
        "积分兑换两小时保洁",
    ),
    15: (
        "五金配件9折",
        90,
        "both",
        "",
        ("免费修理水龙头、门锁", "每周六上午", "社区广场便民摊", "社区居民"),
        "积分兑换小五金",
    ),
    16: (
        "文具8.5折",
        85,
        "both",
        "",
        ("为留守儿童赠送学习用品", "每学期开学", "社区党群服务中心", "留守儿童"),
        "积分兑换文具一套",
    ),
    17: (
        "配镜8折",
        80,
        "both",
        "镜架、镜片",
        ("免费验光", "每月第三个周六", "本店", "社区居民"),
        "积分兑换眼镜清洗护理",
    ),
    18: (
        "图书借阅、购书8.5折",
        85,
        "both",
        "",
        ("亲子阅读会", "每周日下午", "悦读书屋", "社区家庭"),
        "积分兑换图书",
    ),
    19: (
        "日间照料9折",
        90,
        "both",
        "",
        ("为高龄老人测血压", "每周二上午", "养老服务站", "高龄老人"),
        "积分兑换助浴一次",
    ),
    20: (
        "课后托管9折",
        90,
        "both",
        "",
        ("暑期公益课堂", "每年7—8月", "托管中心", "双职工家庭子女"),
        "积分兑换托管半天",
    ),
    21: (
        "家电维修工时费8折",
        80,
        "both",
        "配件按价",
        ("免费检修家电", "每月第一个周日", "社区广场便民摊", "社区居民"),
        "积分兑换上门检修一次",
    ),
    22: (
        "鲜花绿植8.5折",
        85,
        "both",
        "",
        ("节日为烈军属送花", "每年八一、春节", "社区内", "烈军属"),
        "积分兑换鲜花一束",
    ),
    23: (
        "宴席8.5折",
        85,
        "both",
        "宴席预订",
        ("重阳节为老人免费设宴", "每年重阳节", "福满楼酒家", "社区70岁以上老人"),
        "积分兑换点心一份",
    ),
}

# Ten second offers: number → (title, rate, qualifies, usage limit, period, conditions)
EXTRA_OFFERS = {
    1: ("志愿者午市套餐7折", 70, "volunteer", 1, UsagePeriod.DAY, "工作日午市"),
    2: ("志愿者早餐7折", 70, "volunteer", 1, UsagePeriod.DAY, "早餐"),
    5: ("生日蛋糕8折", 80, "both", 1, UsagePeriod.MONTH, "提前一天预订"),
    6: ("中药饮片7折", 70, "both", 4, UsagePeriod.MONTH, "中药饮片、代煎"),
    7: ("志愿者周二观影半价", 50, "volunteer", 1, UsagePeriod.WEEK, "每周二"),
    9: ("联盟单位团购8.5折", 85, "alliance", None, UsagePeriod.UNLIMITED, "满200元"),
    11: ("志愿者粮油8.8折", 88, "volunteer", 2, UsagePeriod.MONTH, "米面粮油"),
    # Its offer asks for 三星 (set by the stars demo step, once levels exist).
    13: ("三星以上志愿者染烫7折", 70, "volunteer", 1, UsagePeriod.MONTH, ""),
    17: ("学生配镜7折", 70, "both", 1, UsagePeriod.MONTH, "18岁以下学生"),
    23: ("志愿者家宴8折", 80, "volunteer", 1, UsagePeriod.WEEK, "10人以下"),
}

# Waiting for the secretary: (number, kind, title, status, rate)
WAITING = [
    (3, INT, "夜宵时段持卡8折", CommitmentStatus.PENDING, 80),
    (12, SVC, "换季免费清洗窗帘（待审）", CommitmentStatus.PENDING, None),
    (16, INT, "开学季文具7折", CommitmentStatus.PENDING, 70),
    (1, PTS, "积分兑换家宴优惠券（草稿）", CommitmentStatus.DRAFT, None),
    (20, INT, "寒假托管8.5折（草稿）", CommitmentStatus.DRAFT, 85),
]


def _published_at(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=3), time(2, 0), tzinfo=UTC)


def _build(
    merchant,
    kind,
    title,
    *,
    status,
    day,
    rate=None,
    qualifies="both",
    conditions="",
    limit=None,
    period=UsagePeriod.UNLIMITED,
    service=None,
    body="",
):
    c = Commitment(
        community_id=merchant.community_id,
        merchant=merchant,
        kind=kind,
        title=title,
        body=body,
        status=status,
    )
    if status == CommitmentStatus.PUBLISHED:
        c.published_at = c.decided_at = _published_at(day)
    elif status == CommitmentStatus.PENDING:
        c.submitted_at = datetime.now(UTC)
    if rate is not None:
        c.offer = Offer(
            rate_percent=rate,
            qualifies=qualifies,
            conditions=conditions,
            valid_from=day,
            usage_limit=limit,
            usage_period=period,
        )
    if service is not None:
        what, when_text, where, for_whom = service
        c.service = ServiceDetail(what=what, when_text=when_text, where=where, for_whom=for_whom)
    refresh_search_text(c)
    return c


def commitments(ctx: DemoContext) -> None:
    community = ctx.communities.get("YSMZ")
    if community is None:
        return
    merchants = {
        m.number: m
        for m in db.session.scalars(select(Merchant).where(Merchant.community_id == community.id))
    }
    if not merchants:
        return
    signed = dict(
        db.session.execute(
            select(Agreement.merchant_id, Agreement.signed_on).where(
                Agreement.community_id == community.id
            )
        ).all()
    )
    existing = set(
        db.session.execute(
            select(Commitment.merchant_id, Commitment.title).where(
                Commitment.community_id == community.id
            )
        ).all()
    )
    new = []

    def add(merchant, kind, title, **kwargs):
        if (merchant.id, title) not in existing:
            day = signed.get(merchant.id) or date(2026, 6, 1)
            new.append(_build(merchant, kind, title, day=day, **kwargs))
            existing.add((merchant.id, title))

    published = CommitmentStatus.PUBLISHED
    for number, (title, rate, qualifies, conditions, service, points) in MEMBERS.items():
        merchant = merchants.get(number)
        if merchant is None:
            continue
        add(
            merchant,
            INT,
            title,
            status=published,
            rate=rate,
            qualifies=qualifies,
            conditions=conditions,
            body="诚信经营，明码标价，不以次充好；持卡享受承诺优惠。",
        )
        add(merchant, SVC, service[0], status=published, service=service)
        add(merchant, PTS, points, status=published, body="志愿服务积分按联盟兑换规则在本店兑换。")
    for number, (title, rate, qualifies, limit, period, conditions) in EXTRA_OFFERS.items():
        merchant = merchants.get(number)
        if merchant is not None:
            add(
                merchant,
                INT,
                title,
                status=published,
                rate=rate,
                qualifies=qualifies,
                limit=limit,
                period=period,
                conditions=conditions,
            )
    for number, kind, title, status, rate in WAITING:
        merchant = merchants.get(number)
        if merchant is None:
            continue
        service = (
            ("换季免费清洗窗帘", "每年4月、10月", "本店", "社区老年人") if kind == SVC else None
        )
        add(merchant, kind, title, status=status, rate=rate, service=service)
    db.session.add_all(new)
    db.session.flush()
    _notes_and_report(ctx, community, merchants)


def _notes_and_report(ctx: DemoContext, community, merchants) -> None:
    """Two 践诺 notes on the pharmacy's clinic and one open report about the corner shop."""
    pharmacy, shop = merchants.get(6), merchants.get(9)
    if pharmacy is None or shop is None:
        return
    clinic = db.session.scalars(
        select(Commitment).where(Commitment.merchant_id == pharmacy.id, Commitment.kind == SVC)
    ).first()
    if clinic is not None and not db.session.scalar(
        select(FulfilmentNote.id).where(FulfilmentNote.commitment_id == clinic.id)
    ):
        secretary = ctx.users.get("secretary")
        for day, kept, note in [
            (date(2026, 7, 4), True, "7月义诊如期举行，接诊居民42人。"),
            (date(2026, 8, 1), True, "8月义诊如期举行，接诊居民37人。"),
        ]:
            db.session.add(
                FulfilmentNote(
                    commitment_id=clinic.id,
                    community_id=community.id,
                    kept=kept,
                    note=note,
                    noted_on=day,
                    recorded_by_id=secretary.id if secretary else None,
                )
            )
    offer = db.session.scalars(
        select(Commitment).where(Commitment.merchant_id == shop.id, Commitment.kind == INT)
    ).first()
    resident = ctx.users.get("resident")
    if (
        offer is not None
        and resident is not None
        and not db.session.scalar(
            select(BrokenCommitmentReport.id).where(
                BrokenCommitmentReport.commitment_id == offer.id
            )
        )
    ):
        db.session.add(
            BrokenCommitmentReport(
                commitment_id=offer.id,
                community_id=community.id,
                reporter_id=resident.id,
                text="周末出示志愿者卡，收银员说折扣只限工作日，和公示的不一样。",
            )
        )
    db.session.flush()

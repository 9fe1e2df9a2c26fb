"""Demo committee of 云水明珠社区: the secretary as chair, a liaison officer for each of the 23
members, 8 business heads, 3 resident representatives and the street office's contact; monthly
liaison meetings June–November 2026 and the heads' meetings of June and September, closed with
minutes and 16 decisions in realistic states; the December liaison meeting is scheduled, so its
agenda shows what carried over. Rows are written directly with their historical dates (the
services would stamp today's); idempotent: nothing is added once the series exist."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.clock import LOCAL_TZ
from alliance.committee.models import (
    Attendance,
    CommitteeMember,
    Decision,
    DecisionState,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MemberRole,
    Presence,
    SeriesKind,
)
from alliance.committee.services import meetings
from alliance.demo.context import DemoContext, ensure_user
from alliance.demo.names import demo_phone, person_name
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest
from alliance.merchants.models import Merchant
from alliance.points.rule_versions import RuleVersion, VersionStatus
from alliance.projects.models import Project

TERM_START = date(2026, 6, 5)
TERM_END = date(2029, 6, 4)

# (series, local date, hour, place, discussion)
MEETINGS = [
    (
        SeriesKind.LIAISON,
        date(2026, 6, 10),
        15,
        "社区党群服务中心二楼会议室",
        "赵书记通报22家商户签约情况；逐项商定志愿服务内容、积分和兑换规则；各联络员汇报本店承诺。",
    ),
    (
        SeriesKind.HEADS,
        date(2026, 6, 20),
        9,
        "社区党群服务中心二楼会议室",
        "企业负责人提出小微企业不懂税务申报、药店药渣无处处置两件难事，会议商定派单和上报。",
    ),
    (
        SeriesKind.LIAISON,
        date(2026, 7, 10),
        15,
        "社区党群服务中心二楼会议室",
        "欢迎第23家联盟商户福满楼酒家；检查承诺公示落实情况。",
    ),
    (
        SeriesKind.LIAISON,
        date(2026, 8, 10),
        15,
        "社区党群服务中心二楼会议室",
        "汛期志愿服务动员；商户反映积分兑换项目太少。",
    ),
    (
        SeriesKind.LIAISON,
        date(2026, 9, 10),
        15,
        "社区党群服务中心二楼会议室",
        "居民反映影城票价承诺，联络员说明执行情况；讨论调整积分规则的建议。",
    ),
    (
        SeriesKind.HEADS,
        date(2026, 9, 20),
        9,
        "星光影城三楼会议厅",
        "季度商谈：积分规则运行三个月，文体活动参与少，兑换项目积分偏高，会议决定10月1日起调整。",
    ),
    (
        SeriesKind.LIAISON,
        date(2026, 10, 10),
        15,
        "社区党群服务中心二楼会议室",
        "重阳节敬老活动分工；商户反映门前停车秩序乱。",
    ),
    (
        SeriesKind.LIAISON,
        date(2026, 11, 10),
        15,
        "社区党群服务中心二楼会议室",
        "年终优秀联盟商户评选办法；冬季用电安全。",
    ),
]

# (meeting index, text, owner username, due, state, drop reason, link)
DECISIONS = [
    (
        0,
        "通过志愿服务积分、赋分和兑换规则：每小时10分，应急任务×2，夜间×1.5；一次赋分不超过50分；10积分折合1元，兑换项目不超过1000分；6月15日起执行。",
        "secretary",
        date(2026, 6, 15),
        DecisionState.DONE,
        "",
        "rule:june",
    ),
    (
        0,
        "各联盟商户6月底前提交信誉、服务、积分兑换三项承诺，经审核后公示。",
        "merchant",
        date(2026, 6, 30),
        DecisionState.DONE,
        "",
        None,
    ),
    (
        0,
        "7月15日前为在册志愿者发放志愿者卡，为联盟商户发放联盟卡。",
        "secretary",
        date(2026, 7, 15),
        DecisionState.DONE,
        "",
        None,
    ),
    (
        1,
        "社区派单，由诚信财税事务所为小微企业免费开展3场税务知识讲座。",
        "accountant",
        date(2026, 8, 31),
        DecisionState.DONE,
        "",
        "project:小微企业税务讲座",
    ),
    (
        1,
        "仁和堂大药房中药药渣无处处置，由社区上报街道党工委，请街道协调共建单位清运。",
        "street",
        date(2026, 7, 31),
        DecisionState.DONE,
        "",
        "order:中药药渣无法处理",
    ),
    (
        2,
        "福满楼酒家为第23家联盟商户，7月底前指定联络员并公示三项承诺。",
        "secretary",
        date(2026, 7, 31),
        DecisionState.DONE,
        "",
        None,
    ),
    (
        2,
        "联络员每月检查本片区商户承诺公示牌，发现问题当月报社区。",
        "merchant",
        date(2026, 8, 31),
        DecisionState.DONE,
        "",
        None,
    ),
    (
        3,
        "汛期组建商户志愿服务队，参加防汛巡查和沙袋装运。",
        "secretary",
        date(2026, 8, 31),
        DecisionState.DONE,
        "",
        None,
    ),
    (
        3,
        "9月底前至少6家联盟商户上架积分兑换项目。",
        "merchant",
        date(2026, 9, 30),
        DecisionState.DONE,
        "",
        None,
    ),
    (
        4,
        "对星光影城票价承诺开展专项检查。",
        "secretary",
        date(2026, 10, 31),
        DecisionState.DROPPED,
        "联络员核实影城已按承诺执行，居民反映系误解，无需专项检查。",
        None,
    ),
    (
        5,
        "10月1日起调整规则：文体活动每小时15分；一次赋分不超过30分；兑换项目不超过500分；其余不变。",
        "secretary",
        date(2026, 10, 1),
        DecisionState.DONE,
        "",
        "rule:october",
    ),
    (
        5,
        "法律服务进企业：联系律师事务所每季度为联盟商户提供一次免费法律咨询。",
        "secretary",
        date(2026, 12, 31),
        DecisionState.IN_PROGRESS,
        "",
        None,
    ),
    (
        6,
        "重阳节组织联盟商户和志愿者开展敬老文艺演出和义务理发。",
        "secretary",
        date(2026, 10, 29),
        DecisionState.DONE,
        "",
        None,
    ),
    (
        6,
        "商户门前停车秩序：请街道协调交警部门，11月底前划定临时停车位。",
        "street",
        date(2026, 11, 30),
        DecisionState.IN_PROGRESS,
        "",
        None,
    ),
    (
        7,
        "制定年终优秀联盟商户评选办法，12月底前评出并表彰。",
        "secretary",
        date(2026, 12, 31),
        DecisionState.OPEN,
        "",
        None,
    ),
    (
        7,
        "12月15日前完成联盟商户冬季用电安全检查。",
        "grid",
        date(2026, 12, 15),
        DecisionState.OPEN,
        "",
        None,
    ),
]

RULES = {
    "june": dict(
        effective_from=date(2026, 6, 15),
        summary="积分、赋分和兑换规则（首次商定）",
        category_rates={},
        award_max=50,
        exchange_item_max=1000,
    ),
    "october": dict(
        effective_from=date(2026, 10, 1),
        summary="文体活动每小时15分；一次赋分不超过30分；兑换项目不超过500分",
        category_rates={"culture": 15},
        award_max=30,
        exchange_item_max=500,
    ),
}


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ).astimezone(UTC)


def _people(ctx: DemoContext, community) -> list[CommitteeMember]:
    shops = db.session.scalars(
        select(Merchant).where(Merchant.community_id == community.id).order_by(Merchant.number)
    ).all()
    known = {1: "merchant", 6: "pharmacist", 8: "accountant"}
    rows = [(ctx.users["secretary"], MemberRole.CHAIR, None, TERM_START)]
    for shop in shops:
        username = known.get(shop.number)
        user = ctx.users.get(username) if username else None
        if user is None:
            user = ensure_user(
                ctx,
                f"liaison{shop.number:02d}",
                person_name(600 + shop.number),
                community,
                (Role.MERCHANT_STAFF, Role.RESIDENT),
                demo_phone(600 + shop.number),
            )
        start = date(2026, 7, 7) if shop.number == 23 else TERM_START
        rows.append((user, MemberRole.LIAISON, shop, start))
    for shop in shops[:8]:
        head = ensure_user(
            ctx,
            f"head{shop.number:02d}",
            shop.contact_name or person_name(500 + shop.number),
            community,
            (Role.RESIDENT,),
            demo_phone(650 + shop.number),
        )
        rows.append((head, MemberRole.BUSINESS_HEAD, shop, TERM_START))
    reps = [ctx.users["resident"]] + [
        ensure_user(
            ctx,
            f"resrep{k}",
            person_name(680 + k),
            community,
            (Role.RESIDENT,),
            demo_phone(680 + k),
        )
        for k in (2, 3)
    ]
    rows += [(u, MemberRole.RESIDENT_REP, None, TERM_START) for u in reps]
    rows.append((ctx.users["street"], MemberRole.STREET_CONTACT, None, TERM_START))
    db.session.flush()
    result = []
    for user, role, shop, start in rows:
        member = CommitteeMember(
            community_id=community.id,
            user_id=user.id,
            role=role,
            merchant_id=shop.id if shop else None,
            term_start=start,
            term_end=TERM_END,
        )
        db.session.add(member)
        result.append(member)
    db.session.flush()
    return result


def _link(community, link: str | None) -> dict:
    if not link or link.startswith("rule:"):
        return {}
    kind, title = link.split(":", 1)
    if kind == "order":
        found = db.session.scalar(
            select(HelpRequest.id).where(
                HelpRequest.community_id == community.id, HelpRequest.title == title
            )
        )
        return {"help_request_id": found} if found else {}
    found = db.session.scalar(
        select(Project.id).where(
            Project.community_id == community.id, Project.title.like(f"{title}%")
        )
    )
    return {"project_id": found} if found else {}


def committee(ctx: DemoContext) -> None:
    community = ctx.communities["YSMZ"]
    if db.session.scalar(
        select(MeetingSeries.id).where(MeetingSeries.community_id == community.id)
    ):
        return
    people = _people(ctx, community)
    series = {kind: meetings.ensure_series(community.id, kind) for kind in SeriesKind}
    secretary = ctx.users["secretary"]
    held = []
    for n, (kind, day, hour, place, discussion) in enumerate(MEETINGS):
        starts = _at(day, hour)
        meeting = Meeting(
            community_id=community.id,
            series_id=series[kind].id,
            starts_at=starts,
            place=place,
            chair_id=secretary.id,
            recorder_id=ctx.users["grid"].id,
            status=MeetingStatus.CLOSED,
            discussion=discussion,
            closed_at=starts + timedelta(hours=2),
            created_at=starts - timedelta(days=7),
        )
        db.session.add(meeting)
        db.session.flush()
        invited = [m for m in people if m.role in series[kind].role_list and m.term_start <= day]
        for k, m in enumerate(invited):
            # Most come; every meeting has someone excused and someone absent.
            status = (
                Presence.EXCUSED
                if (k + n) % 9 == 4
                else (Presence.ABSENT if (k + 2 * n) % 11 == 7 else Presence.PRESENT)
            )
            db.session.add(
                Attendance(
                    meeting_id=meeting.id,
                    member_id=m.id,
                    user_id=m.user_id,
                    status=status,
                    method=("card" if k % 3 else "ticked") if status == Presence.PRESENT else "",
                    signed_at=starts - timedelta(minutes=10)
                    if status == Presence.PRESENT
                    else None,
                    remark="外出进货" if status == Presence.EXCUSED else "",
                )
            )
        held.append(meeting)
    db.session.flush()
    for seq, (index, text, owner, due, state, reason, link) in enumerate(DECISIONS, start=1):
        meeting = held[index]
        decision = Decision(
            community_id=community.id,
            meeting_id=meeting.id,
            year=2026,
            seq=seq,
            text=text,
            owner_id=ctx.users[owner].id,
            due_date=due,
            state=state,
            drop_reason=reason,
            created_at=meeting.starts_at + timedelta(hours=1),
            **_link(community, link),
        )
        db.session.add(decision)
        db.session.flush()
        if link and link.startswith("rule:"):
            db.session.add(
                RuleVersion(
                    community_id=community.id,
                    status=VersionStatus.ADOPTED,
                    points_per_hour=10,
                    emergency_percent=200,
                    night_percent=150,
                    night_start_hour=22,
                    night_end_hour=6,
                    expiry_months=12,
                    points_per_yuan=10,
                    decision_id=decision.id,
                    proposed_by_id=secretary.id,
                    adopted_at=decision.created_at,
                    **RULES[link.removeprefix("rule:")],
                )
            )
    db.session.flush()
    meetings.schedule(
        community,
        SeriesKind.LIAISON,
        starts_at=_at(date(2026, 12, 10), 15),
        place="社区党群服务中心二楼会议室",
        chair_id=secretary.id,
        recorder_id=ctx.users["grid"].id,
    )
    db.session.flush()

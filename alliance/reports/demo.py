"""Demo monthly reports: 云水明珠 has submitted every month from June to the last one."""

from sqlalchemy import select

from alliance.clock import local_start, local_today
from alliance.dashboard.figures import months_ending, next_month, previous_month
from alliance.demo.context import DemoContext
from alliance.extensions import db
from alliance.reports import services
from alliance.reports.models import MonthlyReport

REMARKS = {
    6: "22家商户签订合作协议，公示承诺，首批志愿者卡发放。",
    7: "第23家联盟商户签约；小微企业税务讲座筹备。",
    8: "志愿者队伍持续扩大；助餐、陪诊需求增多。",
    9: "中药药渣问题上报街道，协调共建单位解决。",
    10: "重阳节敬老活动；三场税务讲座圆满结束。",
    11: "冬季用电安全走访；积分兑换活跃。",
}


def reports(ctx: DemoContext) -> None:
    community = ctx.communities.get("YSMZ")
    secretary = ctx.users.get("secretary")
    if community is None or secretary is None:
        return
    last = previous_month(local_today().replace(day=1))
    for first in months_ending(last, 6):
        month = first.strftime("%Y-%m")
        if db.session.scalar(
            select(MonthlyReport.id).where(
                MonthlyReport.community_id == community.id, MonthlyReport.month == month
            )
        ):
            continue
        report = services.submit(community, first, REMARKS.get(first.month, ""), secretary)
        # submitted on the third day of the month after, as the story goes
        report.submitted_at = local_start(next_month(first).replace(day=3))
    db.session.flush()

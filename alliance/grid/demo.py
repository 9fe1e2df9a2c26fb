"""Demo visits (走访) of the `grid` login's grid, one a week or so from September, and the
grid's register of businesses outside the alliance."""

from datetime import date, timedelta

from sqlalchemy import select

from alliance.clock import local_today
from alliance.communities.models import Grid
from alliance.demo.context import DemoContext
from alliance.extensions import db
from alliance.grid import services
from alliance.grid.models import GridBusiness, GridVisit

VISITS = (
    ("5号楼1单元 独居的周奶奶", "血压平稳，家里水管漏水已报修，志愿者每周送一次菜。"),
    ("云水人家餐厅", "后厨油烟管道已清理，店主愿意为独居老人提供助餐。"),
    ("3号楼2单元 王大爷", "腿脚不便，想找人陪同去医院复查，已帮他在平台上代办提交。"),
    ("仁和堂大药房", "药渣每周二、周五由绿源环保上门清运，店里很满意。"),
    ("8号楼 新搬来的年轻夫妻", "介绍了志愿者卡和联盟商户优惠，他们报名了周末的清洁活动。"),
    ("1号楼楼道", "声控灯已修好，楼道杂物已清理。"),
)


def visits(ctx: DemoContext) -> None:
    worker = ctx.users.get("grid")
    if worker is None:
        return
    grid = db.session.scalars(select(Grid).where(Grid.worker_id == worker.id)).first()
    if grid is None or db.session.scalar(
        select(GridVisit.id).where(GridVisit.grid_id == grid.id).limit(1)
    ):
        return
    day = min(date(2026, 9, 7), local_today())
    for place, note in VISITS:
        services.record_visit(grid, worker, min(day, local_today()), place, note)
        day += timedelta(days=9)
    db.session.flush()


BUSINESSES = (
    ("老王理发店", "理发店", "5号楼底商", "王师傅", "13700000101"),
    ("便民五金店", "五金店", "3号楼南侧门面", "刘老板", "13700000102"),
    ("小李水果摊", "水果", "小区东门", "李姐", "13700000103"),
    ("益民快递驿站", "快递驿站", "8号楼一层", "", None),
)


def businesses(ctx: DemoContext) -> None:
    """A few shops of the `grid` login's grid that are not alliance members."""
    worker = ctx.users.get("grid")
    if worker is None:
        return
    grid = db.session.scalars(select(Grid).where(Grid.worker_id == worker.id)).first()
    if grid is None or db.session.scalar(
        select(GridBusiness.id).where(GridBusiness.grid_id == grid.id).limit(1)
    ):
        return
    for name, kind, address, contact, phone in BUSINESSES:
        services.add_business(
            grid,
            worker,
            services.BusinessInput(
                name=name,
                kind=kind,
                address=address,
                contact_name=contact,
                contact_phone=phone or "",
            ),
        )

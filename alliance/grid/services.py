"""What a grid worker sees of their grid, and the visits they record. Never commits."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role, User
from alliance.clock import local_today
from alliance.communities.models import Grid
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.grid.buildings import Building, buildings_of
from alliance.grid.models import GridVisit
from alliance.help_requests.models import OPEN_STATES, HelpRequest
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant, MerchantStatus

RECENT_VISITS = 20
ORDERS_SHOWN = 50


class GridError(DomainError):
    pass


@dataclass
class GridView:
    grid: Grid
    shops: list[Merchant]
    orders: list[HelpRequest]
    visits: list[GridVisit]
    buildings: list[Building]

    @property
    def household_count(self) -> int:
        return sum(len(b.households) for b in self.buildings)

    @property
    def to_move(self) -> int:
        return sum(b.to_move for b in self.buildings)


def grids_of(user: User) -> list[Grid]:
    return list(
        db.session.scalars(
            select(Grid)
            .options(joinedload(Grid.estate))
            .where(Grid.worker_id == user.id, Grid.community_id == user.community_id)
            .order_by(Grid.id)
        )
    )


def grid_for(user: User, grid_id: int) -> Grid | None:
    """The grid `user` may look at: their own, or any of the community whose secretary they are."""
    grid = db.session.scalars(
        select(Grid).options(joinedload(Grid.estate)).where(Grid.id == grid_id)
    ).first()
    if grid is None or grid.community_id != user.community_id:
        return None
    if grid.worker_id == user.id or user.has_role(Role.SECRETARY):
        return grid
    return None


def grid_views(grids: list[Grid], viewer: User) -> list[GridView]:
    """Shops, open orders, recent visits and the households `viewer` may see, by building,
    of each grid: four statements for all the grids."""
    estate_ids = {g.estate_id for g in grids if g.estate_id}
    shops = (
        list(
            db.session.scalars(
                select(Merchant)
                .where(Merchant.estate_id.in_(estate_ids), Merchant.status != MerchantStatus.LEFT)
                .order_by(Merchant.number)
            )
        )
        if estate_ids
        else []
    )
    shop_ids = [s.id for s in shops]
    community_ids = {g.community_id for g in grids}
    orders = (
        list(
            db.session.scalars(
                select(HelpRequest)
                .options(joinedload(HelpRequest.category))
                .where(
                    HelpRequest.community_id.in_(community_ids),
                    HelpRequest.state.in_(OPEN_STATES),
                    or_(HelpRequest.estate_id.in_(estate_ids), HelpRequest.shop_id.in_(shop_ids)),
                )
                .order_by(HelpRequest.due_at, HelpRequest.id)
                .limit(ORDERS_SHOWN)
            )
        )
        if estate_ids
        else []
    )
    grid_ids = [g.id for g in grids]
    visits = (
        list(
            db.session.scalars(
                select(GridVisit)
                .where(GridVisit.grid_id.in_(grid_ids))
                .order_by(GridVisit.visited_on.desc(), GridVisit.id.desc())
                .limit(RECENT_VISITS * max(1, len(grid_ids)))
            )
        )
        if grid_ids
        else []
    )
    buildings = buildings_of(grids, viewer)
    shop_estate = {s.id: s.estate_id for s in shops}
    views = []
    for g in grids:
        views.append(
            GridView(
                grid=g,
                shops=[s for s in shops if g.estate_id and s.estate_id == g.estate_id],
                orders=[
                    o
                    for o in orders
                    if g.estate_id
                    and (o.estate_id == g.estate_id or shop_estate.get(o.shop_id) == g.estate_id)
                ],
                visits=[v for v in visits if v.grid_id == g.id][:RECENT_VISITS],
                buildings=buildings.get(g.id, []),
            )
        )
    return views


def record_visit(grid: Grid, worker: User, visited_on: date, place: str, note: str) -> GridVisit:
    if grid.worker_id != worker.id:
        raise GridError(_l("只能记录自己网格的走访。"), code="not_your_grid", status=404)
    if visited_on > local_today():
        raise GridError(_l("走访日期不能晚于今天。"), code="future", field="visited_on")
    place = (place or "").strip()
    if not place:
        raise GridError(_l("请填写走访的住户或商户。"), code="place", field="place")
    visit = GridVisit(
        community_id=grid.community_id,
        grid_id=grid.id,
        worker_id=worker.id,
        visited_on=visited_on,
        place=place[:120],
        note=(note or "").strip()[:2000],
    )
    db.session.add(visit)
    db.session.flush()
    return visit

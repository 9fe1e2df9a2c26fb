"""Which grid a shop or an order is in: the grid page, the grid worker's queue and dispatch.

An estate may be split into several grids, so the estate alone does not say whose a shop or an
order is. The rule (the simplest that tells two grids of one estate apart):

1. A row that names its grid (`grid_id`) is in that grid. An order gets it when it is posted
   (`grid_for_new_order`); a member shop gets it from the secretary on the grid's page; a
   business of the grid's register always has one.
2. A row that names none is in its estate's grid when the estate has exactly one grid.
3. An order naming no grid and no estate of one grid is where its shop is (rules 1-2 for the shop).
4. Otherwise it is on no grid page: the secretary's queue still has it, and the secretary may
   put the shop into a grid.

When an order is posted its grid is, in this order: the business's grid; the shop's grid; the
estate's only grid; the one grid whose registered households live in the order's building; the
grid of that estate the posting grid worker looks after; else none.
"""

from collections.abc import Iterable

from sqlalchemy import and_, func, or_, select

from alliance.accounts.models import User
from alliance.co_building.models import ProviderKind
from alliance.communities.models import Estate, Grid
from alliance.emergency.household_models import Household
from alliance.extensions import db
from alliance.grid.models import GridBusiness
from alliance.help_requests.models import HelpRequest
from alliance.merchants.models import Merchant


def _single_grid_estates():
    """Estates with exactly one grid (a subquery)."""
    return (
        select(Grid.estate_id)
        .where(Grid.estate_id.is_not(None))
        .group_by(Grid.estate_id)
        .having(func.count(Grid.id) == 1)
    )


def _sole_estates_of(grid_ids):
    """Of the grids `grid_ids`, the estates where that grid is the only one."""
    return select(Grid.estate_id).where(
        Grid.id.in_(grid_ids), Grid.estate_id.in_(_single_grid_estates())
    )


def shops_in(grid_ids):
    """Members in the grids `grid_ids` (a list or a subquery of grid ids): rules 1-2."""
    return or_(
        Merchant.grid_id.in_(grid_ids),
        and_(Merchant.grid_id.is_(None), Merchant.estate_id.in_(_sole_estates_of(grid_ids))),
    )


def orders_in(grid_ids):
    """Orders in the grids `grid_ids`: rules 1-3."""
    return or_(
        HelpRequest.grid_id.in_(grid_ids),
        and_(
            HelpRequest.grid_id.is_(None),
            or_(
                HelpRequest.estate_id.in_(_sole_estates_of(grid_ids)),
                HelpRequest.shop_id.in_(select(Merchant.id).where(shops_in(grid_ids))),
            ),
        ),
    )


def dispatched_to(user_ids):
    """Orders dispatched to these grid workers."""
    return and_(
        HelpRequest.provider_kind == ProviderKind.GRID_WORKER,
        HelpRequest.provider_user_id.in_(user_ids),
    )


def grid_worker_clause(worker_id: int):
    """A grid worker's queue: the orders of their grids and those dispatched to them."""
    mine = select(Grid.id).where(Grid.worker_id == worker_id)
    return or_(orders_in(mine), dispatched_to([worker_id]))


class Placement:
    """Rules 1-3 in memory, for rows already loaded: `sole` maps an estate of one grid to it."""

    def __init__(self, estate_ids: Iterable[int]):
        estate_ids = {e for e in estate_ids if e}
        rows = (
            db.session.execute(
                select(Grid.estate_id, Grid.id).where(Grid.estate_id.in_(estate_ids))
            ).all()
            if estate_ids
            else []
        )
        grids: dict[int, list[int]] = {}
        for estate_id, grid_id in rows:
            grids.setdefault(estate_id, []).append(grid_id)
        self.sole = {e: ids[0] for e, ids in grids.items() if len(ids) == 1}

    def shop(self, shop: Merchant | None) -> int | None:
        if shop is None:
            return None
        return shop.grid_id or self.sole.get(shop.estate_id)

    def order(self, order: HelpRequest, shop: Merchant | None = None) -> int | None:
        return order.grid_id or self.sole.get(order.estate_id) or self.shop(shop)


def grid_of_order(order: HelpRequest) -> Grid | None:
    """The grid an order is in (rules 1-3); at most three statements."""
    if order.grid_id:
        return db.session.get(Grid, order.grid_id)
    estates = [order.estate_id, order.shop.estate_id if order.shop is not None else None]
    placement = Placement(estates)
    grid_id = placement.order(order, order.shop)
    return db.session.get(Grid, grid_id) if grid_id else None


def grid_for_new_order(
    estate: Estate | None,
    building: str,
    shop: Merchant | None,
    business: GridBusiness | None,
    author: User | None,
) -> int | None:
    """The grid a new order is posted in (see the module's docstring), or None."""
    if business is not None:
        return business.grid_id
    if shop is not None:
        found = Placement([shop.estate_id]).shop(shop)
        if found:
            return found
    if estate is None:
        return None
    grids = db.session.execute(
        select(Grid.id, Grid.worker_id).where(Grid.estate_id == estate.id)
    ).all()
    if len(grids) == 1:
        return grids[0][0]
    if not grids:
        return None
    building = (building or "").strip()
    if building:
        pairs = db.session.execute(
            select(Household.building, Household.grid_id)
            .where(
                Household.estate_id == estate.id,
                Household.grid_id.in_([g for g, _w in grids]),
            )
            .distinct()
        ).all()
        in_building = {g for b, g in pairs if _same_building(b, building)}
        if len(in_building) == 1:
            return in_building.pop()
    if author is not None:
        own = [g for g, worker in grids if worker == author.id]
        if len(own) == 1:
            return own[0]
    return None


def _same_building(registered: str, given: str) -> bool:
    """The register's "3" names the order's "3号楼2单元" (not "30号楼"); "5号楼" names itself."""
    registered = (registered or "").strip()
    if not registered or not given.startswith(registered):
        return False
    rest = given[len(registered) :]
    return not (registered[-1].isdigit() and rest[:1].isdigit())

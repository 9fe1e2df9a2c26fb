"""What a grid worker sees of their grid, and the visits they record. Never commits."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role, User
from alliance.clock import local_today
from alliance.co_building.models import ProviderKind
from alliance.communities.models import Grid
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.grid import membership
from alliance.grid.buildings import Building, buildings_of
from alliance.grid.models import GridBusiness, GridVisit
from alliance.help_requests.models import OPEN_STATES, HelpRequest
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant, MerchantStatus
from alliance.validators import mask_phone, normalize_phone

RECENT_VISITS = 20
ORDERS_SHOWN = 50


class GridError(DomainError):
    pass


@dataclass
class BusinessLine:
    business: GridBusiness
    phone: str  # whole for the grid's worker, masked for everyone else


@dataclass
class GridView:
    grid: Grid
    shops: list[Merchant]
    businesses: list[BusinessLine]
    orders: list[HelpRequest]
    # Open orders dispatched to the grid's worker (to accept, work on and finish).
    assigned: list[HelpRequest]
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


def _orders(stmt):
    return list(
        db.session.scalars(
            stmt.options(joinedload(HelpRequest.category), joinedload(HelpRequest.shop))
            .order_by(HelpRequest.due_at, HelpRequest.id)
            .limit(ORDERS_SHOWN)
        )
    )


def grid_views(grids: list[Grid], viewer: User) -> list[GridView]:
    """Shops (members and the register's other businesses), open orders, orders dispatched to
    the grid's worker, recent visits and the households `viewer` may see, by building, of each
    grid: a fixed number of statements for all the grids. Which grid a shop or an order is in:
    alliance.grid.membership."""
    if not grids:
        return []
    grid_ids = [g.id for g in grids]
    community_ids = {g.community_id for g in grids}
    placement = membership.Placement(g.estate_id for g in grids)
    shops = list(
        db.session.scalars(
            select(Merchant)
            .where(
                Merchant.community_id.in_(community_ids),
                Merchant.status != MerchantStatus.LEFT,
                membership.shops_in(grid_ids),
            )
            .order_by(Merchant.number)
        )
    )
    businesses = list(
        db.session.scalars(
            select(GridBusiness)
            .where(GridBusiness.grid_id.in_(grid_ids), GridBusiness.active)
            .order_by(GridBusiness.name, GridBusiness.id)
        )
    )
    workers = {g.worker_id for g in grids if g.worker_id}
    # The grids' open orders and those dispatched to their workers, in one statement.
    orders = _orders(
        select(HelpRequest).where(
            HelpRequest.community_id.in_(community_ids),
            HelpRequest.state.in_(OPEN_STATES),
            or_(membership.orders_in(grid_ids), membership.dispatched_to(workers)),
        )
    )
    visits = list(
        db.session.scalars(
            select(GridVisit)
            .where(GridVisit.grid_id.in_(grid_ids))
            .order_by(GridVisit.visited_on.desc(), GridVisit.id.desc())
            .limit(RECENT_VISITS * len(grid_ids))
        )
    )
    buildings = buildings_of(grids, viewer)
    shop_grid = {s.id: placement.shop(s) for s in shops}
    views = []
    for g in grids:
        own = g.worker_id == viewer.id
        views.append(
            GridView(
                grid=g,
                shops=[s for s in shops if shop_grid[s.id] == g.id],
                businesses=[
                    BusinessLine(b, (b.contact_phone or "") if own else mask_phone(b.contact_phone))
                    for b in businesses
                    if b.grid_id == g.id
                ],
                orders=[o for o in orders if placement.order(o, o.shop) == g.id],
                assigned=[
                    o
                    for o in orders
                    if g.worker_id
                    and o.provider_kind == ProviderKind.GRID_WORKER
                    and o.provider_user_id == g.worker_id
                ],
                visits=[v for v in visits if v.grid_id == g.id][:RECENT_VISITS],
                buildings=buildings.get(g.id, []),
            )
        )
    return views


# --- the register of non-member businesses ---------------------------------------------------


@dataclass
class BusinessInput:
    name: str
    kind: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""


def businesses_of_worker(worker: User) -> list[GridBusiness]:
    """The active businesses of the grids `worker` looks after (for the 代办 form)."""
    return list(
        db.session.scalars(
            select(GridBusiness)
            .join(Grid, Grid.id == GridBusiness.grid_id)
            .where(Grid.worker_id == worker.id, GridBusiness.active)
            .order_by(GridBusiness.name, GridBusiness.id)
        )
    )


def own_business(worker: User, business_id: int) -> GridBusiness | None:
    """A business of the register that `worker` keeps (one of their grids), or None."""
    business = db.session.get(GridBusiness, business_id)
    if business is None or business.grid.worker_id != worker.id:
        return None
    return business


def _checked(data: BusinessInput) -> dict:
    name = (data.name or "").strip()
    if not name:
        raise GridError(_l("请填写商户名称。"), code="name", field="name")
    phone = None
    if (data.contact_phone or "").strip():
        phone = normalize_phone(data.contact_phone)
        if phone is None:
            raise GridError(_l("请填写有效的手机号。"), code="phone", field="contact_phone")
    return {
        "name": name[:80],
        "kind": (data.kind or "").strip()[:40],
        "address": (data.address or "").strip()[:200],
        "contact_name": (data.contact_name or "").strip()[:40],
        "contact_phone": phone,
    }


def add_business(grid: Grid, worker: User, data: BusinessInput) -> GridBusiness:
    if grid.worker_id != worker.id:
        raise GridError(_l("只能登记自己网格的商户。"), code="not_your_grid", status=404)
    business = GridBusiness(community_id=grid.community_id, grid_id=grid.id, **_checked(data))
    db.session.add(business)
    db.session.flush()
    return business


def edit_business(business: GridBusiness, worker: User, data: BusinessInput) -> GridBusiness:
    if business.grid.worker_id != worker.id:
        raise GridError(_l("只能修改自己网格的商户。"), code="not_your_grid", status=404)
    for key, value in _checked(data).items():
        setattr(business, key, value)
    business.updated_at = utcnow()
    db.session.flush()
    return business


def retire_business(business: GridBusiness, worker: User) -> GridBusiness:
    """Off the grid's list (closed or moved away); kept for the orders that name it."""
    if business.grid.worker_id != worker.id:
        raise GridError(_l("只能修改自己网格的商户。"), code="not_your_grid", status=404)
    business.active = False
    business.updated_at = utcnow()
    db.session.flush()
    return business


# --- member shops of an estate of several grids ----------------------------------------------


def shops_to_place(grid: Grid) -> list[Merchant]:
    """Members the secretary may put into `grid`: the community's, of its estate or of none,
    not yet in it."""
    return list(
        db.session.scalars(
            select(Merchant)
            .where(
                Merchant.community_id == grid.community_id,
                Merchant.status != MerchantStatus.LEFT,
                or_(Merchant.estate_id == grid.estate_id, Merchant.estate_id.is_(None)),
                or_(Merchant.grid_id.is_(None), Merchant.grid_id != grid.id),
            )
            .order_by(Merchant.number)
        )
    )


def place_shop(grid: Grid, secretary: User, merchant_id: int | None) -> Merchant:
    """The secretary puts a member shop into `grid` (it leaves any other grid)."""
    if not (secretary.has_role(Role.SECRETARY) and secretary.community_id == grid.community_id):
        raise GridError(_l("只有本社区的书记可以划分网格。"), code="not_allowed", status=403)
    shop = db.session.get(Merchant, merchant_id) if merchant_id else None
    if shop is None or shop not in shops_to_place(grid):
        raise GridError(_l("请选择本小区的联盟商户。"), code="shop", field="merchant_id")
    shop.grid_id = grid.id
    if shop.estate_id is None:
        shop.estate_id = grid.estate_id
    db.session.flush()
    return shop


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

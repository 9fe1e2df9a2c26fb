"""Reading orders: one order with what its page needs, and each person's queue."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import gettext
from sqlalchemy import Select, and_, bindparam, case, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from alliance.accounts.models import Role, User
from alliance.co_building.models import CoBuildingUnit, ProviderKind
from alliance.communities.models import Community, Estate
from alliance.extensions import db
from alliance.grid.models import GridBusiness
from alliance.help_requests import workflow
from alliance.help_requests.models import (
    OPEN_STATES,
    WAITING_STATES,
    HelpRequest,
    OrderState,
    ServiceCategory,
    State,
    place_text,
    provider_text,
)
from alliance.merchants.models import Merchant
from alliance.merchants.staff import staffed_merchant_ids
from alliance.sql_constructs import among, one_of, rows_of_slots
from alliance.volunteers.models import VolunteerProfile


def order_options():
    return (
        joinedload(HelpRequest.category),
        joinedload(HelpRequest.community),
        joinedload(HelpRequest.estate),
        joinedload(HelpRequest.shop),
        joinedload(HelpRequest.provider_merchant),
        joinedload(HelpRequest.provider_volunteer),
        joinedload(HelpRequest.provider_unit),
        joinedload(HelpRequest.provider_user),
        joinedload(HelpRequest.business),
    )


@dataclass(frozen=True)
class OrderLine(OrderState):
    """What a list's row shows of an order (help_requests/_order_row.html): read as columns,
    not as an order with its nine relations; its fields are also the key its HTML is kept
    under (alliance.fragments)."""

    id: int
    title: str
    state: str
    urgency: str
    due_at: datetime
    category_name: str
    community_name: str
    place: str
    provider_name: str

    @property
    def category_label(self) -> str:
        return gettext(self.category_name)


_Shop = aliased(Merchant)
_ProviderMerchant = aliased(Merchant)
_ProviderUser = aliased(User)


# Built once: every queue and list of orders reads its page with it.
# The ids the lines' statement takes at once: a page of the queues (views.PAGE_SIZE).
LINES_AT_ONCE = 20

_LINES = (
    select(
        HelpRequest.id,
        HelpRequest.title,
        HelpRequest.state,
        HelpRequest.urgency,
        HelpRequest.due_at,
        ServiceCategory.name,
        Community.name,
        _Shop.name,
        GridBusiness.name,
        Estate.name,
        HelpRequest.building,
        HelpRequest.address_text,
        HelpRequest.provider_kind,
        _ProviderMerchant.name,
        VolunteerProfile.name,
        CoBuildingUnit.name,
        _ProviderUser.display_name,
    )
    .join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id)
    .join(Community, Community.id == HelpRequest.community_id)
    .outerjoin(_Shop, _Shop.id == HelpRequest.shop_id)
    .outerjoin(GridBusiness, GridBusiness.id == HelpRequest.business_id)
    .outerjoin(Estate, Estate.id == HelpRequest.estate_id)
    .outerjoin(_ProviderMerchant, _ProviderMerchant.id == HelpRequest.provider_merchant_id)
    .outerjoin(VolunteerProfile, VolunteerProfile.id == HelpRequest.provider_volunteer_id)
    .outerjoin(CoBuildingUnit, CoBuildingUnit.id == HelpRequest.provider_unit_id)
    .outerjoin(_ProviderUser, _ProviderUser.id == HelpRequest.provider_user_id)
    .where(one_of(HelpRequest.id, LINES_AT_ONCE, "id"))
)


def _line(row) -> OrderLine:
    oid, title, state, urgency, due_at, category, community, shop, business, estate = row[:10]
    building, address, kind, merchant, volunteer, unit, grid_worker = row[10:17]
    return OrderLine(
        oid,
        title,
        state,
        urgency,
        due_at,
        category,
        community,
        place_text(shop=shop, business=business, estate=estate, building=building, address=address),
        provider_text(
            kind, merchant=merchant, volunteer=volunteer, unit=unit, grid_worker=grid_worker
        ),
    )


def orders_for_list(ids: list[int]) -> list[OrderLine]:
    """The rows of a page of ids, in that order; one statement of the columns a row shows.

    The queues sort and cut their page on ids alone (with `ix_help_requests_queue` an
    index-only scan: 7.5 → 2.1 ms for 10,000 orders on PostgreSQL), then call this. Joined in
    the paging query, the relations were joined over the community's whole history before the
    sort (58 ms, see bench/RESULTS.md); here they are joined for one page.
    """
    by_id = {row[0]: _line(row) for row in rows_of_slots(_LINES, ids, LINES_AT_ONCE, "id")}
    return [by_id[i] for i in ids if i in by_id]


def row_key(order: OrderLine, now: datetime, show_community: bool) -> tuple:
    """The key a row's HTML is kept under: the line, whether it is overdue now, and whether
    the list shows communities."""
    return (order, order.is_overdue(now), show_community)


def load_order(order_id: int) -> HelpRequest | None:
    return (
        db.session.scalars(
            select(HelpRequest)
            .where(HelpRequest.id == order_id)
            .options(
                *order_options(),
                selectinload(HelpRequest.events).joinedload(workflow.HelpRequestEvent.actor),
                joinedload(HelpRequest.requester),
            )
        )
        .unique()
        .first()
    )


@dataclass
class QueueFilters:
    state: str = ""
    category: str = ""
    overdue: bool = False


def _filter_shape(filters: QueueFilters, now: datetime) -> tuple[tuple, dict]:
    """The shape of these filters (what _filtered adds) and their bind parameters."""
    state = "open" if filters.state == "open" else "one" if filters.state in set(State) else ""
    params = {"now": now}
    if state == "one":
        params["state"] = filters.state
    if filters.category:
        params["category"] = filters.category
    return (state, bool(filters.category), filters.overdue), params


def _filtered(stmt: Select, state: str, category: bool, overdue: bool) -> Select:
    """The queue filters of a shape (_filter_shape), their values as bind parameters."""
    if state == "open":
        stmt = stmt.where(among(HelpRequest.state, OPEN_STATES))
    elif state == "one":
        stmt = stmt.where(HelpRequest.state == bindparam("state"))
    if category:
        stmt = stmt.join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id).where(
            ServiceCategory.code == bindparam("category")
        )
    if overdue:
        stmt = stmt.where(overdue_clause(bindparam("now")))
    return stmt


def overdue_clause(now: datetime):
    return and_(among(HelpRequest.state, WAITING_STATES), HelpRequest.due_at < now)


EMERGENCY_CATEGORY = "emergency"  # 应急求助


def in_grids_of(worker_id: int):
    """Orders of the grids a grid worker looks after (alliance.grid.membership says which),
    and those dispatched to them."""
    from alliance.grid.membership import grid_worker_clause  # the grid domain sits above

    return grid_worker_clause(worker_id)


def secretary_queue(
    community_id: int,
    filters: QueueFilters,
    now: datetime,
    *,
    emergency: bool = False,
    worker_id: int | None = None,
) -> tuple[Select, dict]:
    """The dispatch queue's order ids, in order, and the statement's bind parameters. During
    an emergency response (`emergency`), open orders of the 应急求助 category come first, before
    everything else still in work. `worker_id`: a grid worker's part of it (in_grids_of).

    Built once per shape of filters: the queue is a busy page, and building, paging and keying
    this statement on every request cost more than running it."""
    shape, params = _filter_shape(filters, now)
    params["community_id"] = community_id
    if worker_id is not None:
        params["worker_id"] = worker_id
    return _secretary_ids(*shape, emergency, worker_id is not None), params


@cache
def _secretary_ids(
    state: str, category: bool, overdue: bool, emergency: bool, grid_worker: bool
) -> Select:
    now = bindparam("now")
    stmt = select(HelpRequest.id).where(HelpRequest.community_id == bindparam("community_id"))
    stmt = _filtered(stmt, state, category, overdue)
    if grid_worker:
        stmt = stmt.where(in_grids_of(bindparam("worker_id")))
    waiting_first = case(
        (overdue_clause(now), 0),
        (HelpRequest.state == State.SUBMITTED, 1),
        (among(HelpRequest.state, OPEN_STATES), 2),
        else_=3,  # finished ones after everything still in work
    )
    if not emergency:
        return stmt.order_by(waiting_first, HelpRequest.due_at, HelpRequest.id)
    urgent_ids = (
        select(ServiceCategory.id)
        .where(
            ServiceCategory.community_id == bindparam("community_id"),
            ServiceCategory.code == EMERGENCY_CATEGORY,
        )
        .correlate(None)  # never the order's own category, wherever the ids are joined
    )
    urgent_first = case(
        (
            and_(among(HelpRequest.state, OPEN_STATES), HelpRequest.category_id.in_(urgent_ids)),
            0,
        ),
        else_=1,
    )
    return stmt.order_by(urgent_first, waiting_first, HelpRequest.due_at, HelpRequest.id)


def escalation_queue(street_office_id: int, filters: QueueFilters, now: datetime) -> Select:
    stmt = (
        select(HelpRequest)
        .join(Community, Community.id == HelpRequest.community_id)
        .where(Community.street_office_id == street_office_id, HelpRequest.escalated)
    )
    if not filters.state:
        filters = QueueFilters(state="open", category=filters.category, overdue=filters.overdue)
    shape, params = _filter_shape(filters, now)
    stmt = _filtered(stmt, *shape).params(params)
    waiting_first = case(
        (overdue_clause(now), 0), (HelpRequest.state == State.ESCALATED, 1), else_=2
    )
    return stmt.order_by(waiting_first, HelpRequest.due_at, HelpRequest.id)


def provider_clause(user: User):
    """Orders dispatched to a member this person works for, or to them as a volunteer or a
    grid worker."""
    merchant_ids = staffed_merchant_ids(user)
    volunteer_ids = select(VolunteerProfile.id).where(VolunteerProfile.user_id == user.id)
    return or_(
        and_(
            HelpRequest.provider_kind == ProviderKind.MERCHANT,
            HelpRequest.provider_merchant_id.in_(merchant_ids),
        ),
        and_(
            HelpRequest.provider_kind == ProviderKind.VOLUNTEER,
            HelpRequest.provider_volunteer_id.in_(volunteer_ids),
        ),
        and_(
            HelpRequest.provider_kind == ProviderKind.GRID_WORKER,
            HelpRequest.provider_user_id == user.id,
        ),
    )


def provider_queue(user: User) -> Select:
    active_first = case((HelpRequest.state.in_(OPEN_STATES), 0), else_=1)
    return (
        select(HelpRequest)
        .where(provider_clause(user))
        .order_by(active_first, HelpRequest.updated_at.desc(), HelpRequest.id.desc())
    )


def requester_queue(user: User) -> Select:
    return (
        select(HelpRequest)
        .where(HelpRequest.requester_id == user.id)
        .order_by(HelpRequest.submitted_at.desc(), HelpRequest.id.desc())
    )


def is_provider_user(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return user.has_role(Role.MERCHANT_STAFF, Role.VOLUNTEER, Role.GRID_WORKER)

"""Rules of the three lists and the orders. Services flush, never commit.

State changes go through alliance.help_requests.workflow only.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from alliance.accounts.models import Role, User
from alliance.api.models import Open311Key
from alliance.clock import month_key
from alliance.communities.models import Community, Estate
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.help_requests import workflow
from alliance.help_requests.models import (
    OPEN_STATES,
    RESOLVED_STATES,
    WAITING_STATES,
    CoBuildingUnit,
    ContactMethod,
    HelpRequest,
    Project,
    ProviderKind,
    Resource,
    ServiceCategory,
    State,
    Urgency,
)
from alliance.merchants.models import Merchant, MerchantStatus
from alliance.merchants.services import staffed_merchant_ids
from alliance.validators import normalize_phone
from alliance.volunteers.models import VolunteerProfile, VolunteerStatus


class HelpRequestError(DomainError):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


# --- the service catalogue ----------------------------------------------------------------

# code, name, group, keywords, (normal, urgent, emergency) hours
DEFAULT_CATALOGUE = [
    ("legal", _l("法律援助"), _l("法律"), "法律,咨询,纠纷,合同", (72, 24, 4)),
    ("tax", _l("财税服务"), _l("企业"), "税务,财务,记账,发票", (72, 24, 8)),
    ("health", _l("健康医疗"), _l("民生"), "义诊,中医,药品,体检", (48, 12, 2)),
    ("elderly", _l("养老助老"), _l("民生"), "老人,独居,助餐,陪护", (48, 12, 2)),
    ("repair", _l("维修服务"), _l("民生"), "水电,维修,漏水,停电", (48, 12, 2)),
    ("environment", _l("环境与垃圾"), _l("环境"), "垃圾,药渣,清运,卫生", (72, 24, 4)),
    ("employment", _l("就业创业"), _l("企业"), "招聘,就业,培训,创业", (120, 48, 24)),
    ("enterprise", _l("企业互助"), _l("企业"), "互助,合作,供货", (120, 48, 24)),
    ("volunteer", _l("志愿服务"), _l("志愿"), "志愿者,帮忙,陪伴", (72, 24, 4)),
    ("emergency", _l("应急求助"), _l("应急"), "防汛,转移,停水,险情", (4, 2, 1)),
]

# A member's published service commitments show in the resources list under this category.
MERCHANT_CATEGORY_TO_SERVICE = {
    "finance": "tax",
    "pharmacy": "health",
    "living": "repair",
    "catering": "elderly",
    "bakery": "elderly",
    "retail": "enterprise",
    "cinema": "volunteer",
    "other": "enterprise",
}


def ensure_catalogue(community: Community) -> list[ServiceCategory]:
    """Give a community the ten standard categories it lacks (by code); returns them all."""
    existing = {
        c.code: c
        for c in db.session.scalars(
            select(ServiceCategory).where(ServiceCategory.community_id == community.id)
        )
    }
    for position, (code, name, group, keywords, limits) in enumerate(DEFAULT_CATALOGUE):
        if code in existing:
            continue
        existing[code] = ServiceCategory(
            community_id=community.id,
            code=code,
            name=str(name),
            group=str(group),
            keywords=keywords,
            description=str(name),
            position=position,
            limit_normal_hours=limits[0],
            limit_urgent_hours=limits[1],
            limit_emergency_hours=limits[2],
        )
        db.session.add(existing[code])
    db.session.flush()
    return sorted(existing.values(), key=lambda c: (c.position, c.id))


def categories_of(community_id: int, *, active_only=True) -> list[ServiceCategory]:
    stmt = select(ServiceCategory).where(ServiceCategory.community_id == community_id)
    if active_only:
        stmt = stmt.where(ServiceCategory.active)
    return list(db.session.scalars(stmt.order_by(ServiceCategory.position, ServiceCategory.id)))


@dataclass
class CategoryInput:
    code: str
    name: str
    description: str = ""
    group: str = ""
    keywords: str = ""
    limit_normal_hours: int = 72
    limit_urgent_hours: int = 24
    limit_emergency_hours: int = 4
    active: bool = True


def _check_category(data: CategoryInput) -> None:
    if not data.name.strip():
        raise HelpRequestError(_l("请填写类别名称。"), "name")
    for hours, name in (
        (data.limit_normal_hours, "limit_normal_hours"),
        (data.limit_urgent_hours, "limit_urgent_hours"),
        (data.limit_emergency_hours, "limit_emergency_hours"),
    ):
        if hours is None or not 1 <= int(hours) <= 24 * 60:
            raise HelpRequestError(_l("时限须在 1 到 1440 小时之间。"), name)
    if not (data.limit_emergency_hours <= data.limit_urgent_hours <= data.limit_normal_hours):
        raise HelpRequestError(_l("越紧急时限应越短：特急 ≤ 紧急 ≤ 一般。"), "limit_urgent_hours")


def create_category(community: Community, data: CategoryInput) -> ServiceCategory:
    code = (data.code or "").strip().lower()
    if not code or not code.replace("_", "").replace("-", "").isalnum() or len(code) > 32:
        raise HelpRequestError(_l("编码只能用字母、数字、- 和 _，最多 32 位。"), "code")
    _check_category(data)
    taken = db.session.scalar(
        select(ServiceCategory.id).where(
            ServiceCategory.community_id == community.id, ServiceCategory.code == code
        )
    )
    if taken:
        raise HelpRequestError(_l("这个编码已经有了。"), "code")
    position = (
        db.session.scalar(
            select(func.count(ServiceCategory.id)).where(
                ServiceCategory.community_id == community.id
            )
        )
        or 0
    )
    category = ServiceCategory(community_id=community.id, code=code, position=position)
    _apply_category(category, data)
    db.session.add(category)
    db.session.flush()
    return category


def _apply_category(category: ServiceCategory, data: CategoryInput) -> None:
    category.name = data.name.strip()
    category.description = (data.description or "").strip()
    category.group = (data.group or "").strip()
    category.keywords = (data.keywords or "").strip()
    category.limit_normal_hours = int(data.limit_normal_hours)
    category.limit_urgent_hours = int(data.limit_urgent_hours)
    category.limit_emergency_hours = int(data.limit_emergency_hours)
    category.active = bool(data.active)


def update_category(category: ServiceCategory, data: CategoryInput) -> None:
    """The code never changes: Open311 clients keep it."""
    _check_category(data)
    _apply_category(category, data)
    db.session.flush()


# --- co-building units and resources -------------------------------------------------------


@dataclass
class UnitInput:
    name: str
    kind: str = ""
    services: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    active: bool = True


def save_unit(street_office_id: int, data: UnitInput, unit: CoBuildingUnit | None = None):
    name = (data.name or "").strip()
    if not name:
        raise HelpRequestError(_l("请填写单位名称。"), "name")
    phone = None
    if data.contact_phone:
        phone = normalize_phone(data.contact_phone)
        if phone is None:
            raise HelpRequestError(_l("请填写有效的手机号。"), "contact_phone")
    clash = db.session.scalar(
        select(CoBuildingUnit.id).where(
            CoBuildingUnit.street_office_id == street_office_id, CoBuildingUnit.name == name
        )
    )
    if clash and (unit is None or clash != unit.id):
        raise HelpRequestError(_l("已有同名的共建单位。"), "name")
    if unit is None:
        unit = CoBuildingUnit(street_office_id=street_office_id)
        db.session.add(unit)
    unit.name = name
    unit.kind = (data.kind or "").strip()
    unit.services = (data.services or "").strip()
    unit.contact_name = (data.contact_name or "").strip()
    unit.contact_phone = phone
    unit.active = bool(data.active)
    db.session.flush()
    return unit


def units_of(street_office_id: int, *, active_only=True) -> list[CoBuildingUnit]:
    stmt = select(CoBuildingUnit).where(CoBuildingUnit.street_office_id == street_office_id)
    if active_only:
        stmt = stmt.where(CoBuildingUnit.active)
    return list(db.session.scalars(stmt.order_by(CoBuildingUnit.name)))


@dataclass
class ResourceInput:
    provider: str  # "merchant:3", "unit:2", "team"
    category_code: str
    title: str
    details: str = ""
    capacity: str = ""
    team_name: str = ""


def create_resource(community: Community, actor: User, data: ResourceInput) -> Resource:
    codes = {c.code for c in categories_of(community.id)}
    if data.category_code not in codes:
        raise HelpRequestError(_l("请选择服务类别。"), "category_code")
    title = (data.title or "").strip()
    if not title:
        raise HelpRequestError(_l("请填写能提供什么。"), "title")
    resource = Resource(
        street_office_id=community.street_office_id,
        category_code=data.category_code,
        title=title[:120],
        details=(data.details or "").strip()[:500],
        capacity=(data.capacity or "").strip()[:120],
    )
    kind, _sep, raw_id = (data.provider or "").partition(":")
    if kind == ProviderKind.MERCHANT:
        merchant = db.session.get(Merchant, int(raw_id)) if raw_id.isdigit() else None
        if merchant is None or merchant.community_id != community.id:
            raise HelpRequestError(_l("请选择本社区的联盟商户。"), "provider")
        resource.provider_kind, resource.merchant_id = kind, merchant.id
        resource.community_id = community.id
    elif kind == ProviderKind.UNIT:
        unit = db.session.get(CoBuildingUnit, int(raw_id)) if raw_id.isdigit() else None
        if unit is None or unit.street_office_id != community.street_office_id:
            raise HelpRequestError(_l("请选择本街道的共建单位。"), "provider")
        if not actor.has_role(Role.STREET_OFFICER):
            raise HelpRequestError(_l("共建单位的资源由街道登记。"), "provider")
        resource.provider_kind, resource.unit_id = kind, unit.id
    elif kind == "team":
        team = (data.team_name or "").strip()
        if not team:
            raise HelpRequestError(_l("请填写志愿服务队名称。"), "team_name")
        resource.provider_kind, resource.team_name = ProviderKind.VOLUNTEER, team[:80]
        resource.community_id = community.id
    else:
        raise HelpRequestError(_l("请选择资源提供方。"), "provider")
    db.session.add(resource)
    db.session.flush()
    return resource


@dataclass
class ResourceRow:
    category_code: str
    provider_kind: str
    provider_name: str
    title: str
    details: str
    source: str  # "resource" or "commitment"
    id: int


def resources_list(community: Community, category_code: str | None = None) -> list[ResourceRow]:
    """The resources list of a community: its entries, its street office's units' entries, and
    its active members' published service commitments. A fixed number of queries."""
    from alliance.commitments.models import Commitment, CommitmentKind, CommitmentStatus

    stmt = (
        select(Resource)
        .where(
            Resource.active,
            or_(
                Resource.community_id == community.id,
                and_(
                    Resource.community_id.is_(None),
                    Resource.street_office_id == community.street_office_id,
                ),
            ),
        )
        .options(
            joinedload(Resource.merchant), joinedload(Resource.unit), joinedload(Resource.volunteer)
        )
        .order_by(Resource.category_code, Resource.id)
    )
    if category_code:
        stmt = stmt.where(Resource.category_code == category_code)
    rows = [
        ResourceRow(
            r.category_code, r.provider_kind, r.provider_name, r.title, r.details, "resource", r.id
        )
        for r in db.session.scalars(stmt).unique()
    ]
    commitments = db.session.scalars(
        select(Commitment)
        .join(Merchant, Merchant.id == Commitment.merchant_id)
        .where(
            Commitment.community_id == community.id,
            Commitment.kind == CommitmentKind.SERVICE,
            Commitment.status == CommitmentStatus.PUBLISHED,
            Merchant.status == MerchantStatus.ACTIVE,
        )
        .options(joinedload(Commitment.merchant), joinedload(Commitment.service))
        .order_by(Commitment.id)
    ).unique()
    for c in commitments:
        code = MERCHANT_CATEGORY_TO_SERVICE.get(c.merchant.category, "enterprise")
        if category_code and code != category_code:
            continue
        details = c.service.what if c.service else c.body
        rows.append(
            ResourceRow(
                code,
                ProviderKind.MERCHANT,
                c.merchant.name,
                c.title,
                details or "",
                "commitment",
                c.id,
            )
        )
    return rows


# --- posting a need -----------------------------------------------------------------------


@dataclass
class RequestInput:
    category_id: int | None
    title: str
    description: str = ""
    estate_id: int | None = None
    building: str = ""
    shop_id: int | None = None
    address_text: str = ""
    urgency: str = Urgency.NORMAL
    contact_method: str = ContactMethod.PHONE
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    on_behalf_name: str = ""
    on_behalf_phone: str = ""
    photo: bytes | None = None
    extra: dict = field(default_factory=dict)


def submit_request(
    community: Community,
    author: User | None,
    data: RequestInput,
    *,
    source: str = "web",
    api_key: Open311Key | None = None,
) -> HelpRequest:
    from alliance.help_requests.photos import store_photo

    category = db.session.get(ServiceCategory, data.category_id) if data.category_id else None
    if category is None or category.community_id != community.id or not category.active:
        raise HelpRequestError(_l("请选择本社区的服务类别。"), "category_id")
    title = (data.title or "").strip()
    if not title:
        raise HelpRequestError(_l("请用一句话说明需求。"), "title")
    if len(title) > 80:
        raise HelpRequestError(_l("标题不能超过 80 字。"), "title")
    description = (data.description or "").strip()
    if len(description) > 4000:
        raise HelpRequestError(_l("描述不能超过 4000 字。"), "description")
    if data.urgency not in set(Urgency):
        raise HelpRequestError(_l("请选择紧急程度。"), "urgency")
    if data.contact_method not in set(ContactMethod):
        raise HelpRequestError(_l("请选择联系方式。"), "contact_method")
    estate = db.session.get(Estate, data.estate_id) if data.estate_id else None
    if data.estate_id and (estate is None or estate.community_id != community.id):
        raise HelpRequestError(_l("请选择本社区的小区。"), "estate_id")
    shop = db.session.get(Merchant, data.shop_id) if data.shop_id else None
    if data.shop_id and (shop is None or shop.community_id != community.id):
        raise HelpRequestError(_l("请选择本社区的联盟商户。"), "shop_id")
    if estate is None and shop is None and not (data.address_text or "").strip():
        raise HelpRequestError(_l("请选择地点：小区和楼栋，或商户门店。"), "estate_id")
    phone = None
    if data.contact_phone:
        phone = normalize_phone(data.contact_phone)
        if phone is None:
            raise HelpRequestError(_l("请填写有效的手机号。"), "contact_phone")
    if data.contact_method == ContactMethod.PHONE and not phone:
        phone = author.phone if author is not None else None
        if not phone:
            raise HelpRequestError(_l("选择电话联系时请留下手机号。"), "contact_phone")
    on_behalf_name = (data.on_behalf_name or "").strip()
    on_behalf_phone = None
    if on_behalf_name or data.on_behalf_phone:
        if author is None or not author.has_role(Role.GRID_WORKER):
            raise HelpRequestError(_l("只有网格员可以代居民提交需求。"), "on_behalf_name")
        if not on_behalf_name:
            raise HelpRequestError(_l("请填写代办的住户姓名。"), "on_behalf_name")
        if data.on_behalf_phone:
            on_behalf_phone = normalize_phone(data.on_behalf_phone)
            if on_behalf_phone is None:
                raise HelpRequestError(_l("请填写有效的手机号。"), "on_behalf_phone")
    photo_name = store_photo(data.photo) if data.photo else None

    now = utcnow()
    order = HelpRequest(
        community_id=community.id,
        community=community,
        category=category,
        requester_id=author.id if author else None,
        on_behalf_name=on_behalf_name[:40],
        on_behalf_phone=on_behalf_phone,
        title=title,
        description=description,
        estate_id=estate.id if estate else None,
        building=(data.building or "").strip()[:60],
        shop_id=shop.id if shop else None,
        address_text=(data.address_text or "").strip()[:200],
        urgency=data.urgency,
        contact_method=data.contact_method,
        contact_name=(data.contact_name or "").strip()[:40],
        contact_phone=phone,
        contact_email=(data.contact_email or "").strip()[:120],
        photo_name=photo_name,
        state=State.SUBMITTED,
        submitted_at=now,
        submitted_month=month_key(now),
        due_at=now + timedelta(hours=category.limit_hours(data.urgency)),
        updated_at=now,
        source=source,
        api_key_id=api_key.id if api_key else None,
    )
    db.session.add(order)
    db.session.flush()
    workflow.record_submission(order, author)
    db.session.flush()
    return order


# --- reading orders -----------------------------------------------------------------------


def order_options():
    return (
        joinedload(HelpRequest.category),
        joinedload(HelpRequest.community),
        joinedload(HelpRequest.estate),
        joinedload(HelpRequest.shop),
        joinedload(HelpRequest.provider_merchant),
        joinedload(HelpRequest.provider_volunteer),
        joinedload(HelpRequest.provider_unit),
    )


def orders_for_list(ids: list[int]) -> list[HelpRequest]:
    """The orders of a page of ids, in that order, with what a list shows; one statement.

    The queues sort and cut their page on ids alone (with `ix_help_requests_queue` an
    index-only scan: 7.5 → 2.1 ms for 10,000 orders on PostgreSQL), then call this. Joined in
    the paging query, the relations were joined over the community's whole history before the
    sort (58 ms, see bench/RESULTS.md); here they are joined for one page.
    """
    rows = db.session.scalars(
        select(HelpRequest).where(HelpRequest.id.in_(ids)).options(*order_options())
    ).all()
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


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


def _filtered(stmt: Select, filters: QueueFilters, now: datetime) -> Select:
    if filters.state == "open":
        stmt = stmt.where(HelpRequest.state.in_(OPEN_STATES))
    elif filters.state in set(State):
        stmt = stmt.where(HelpRequest.state == filters.state)
    if filters.category:
        stmt = stmt.join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id).where(
            ServiceCategory.code == filters.category
        )
    if filters.overdue:
        stmt = stmt.where(overdue_clause(now))
    return stmt


def overdue_clause(now: datetime):
    return and_(HelpRequest.state.in_(WAITING_STATES), HelpRequest.due_at < now)


def secretary_queue(community_id: int, filters: QueueFilters, now: datetime) -> Select:
    stmt = select(HelpRequest).where(HelpRequest.community_id == community_id)
    stmt = _filtered(stmt, filters, now)
    waiting_first = case(
        (overdue_clause(now), 0),
        (HelpRequest.state == State.SUBMITTED, 1),
        (HelpRequest.state.in_(OPEN_STATES), 2),
        else_=3,  # finished ones after everything still in work
    )
    return stmt.order_by(waiting_first, HelpRequest.due_at, HelpRequest.id)


def escalation_queue(street_office_id: int, filters: QueueFilters, now: datetime) -> Select:
    stmt = (
        select(HelpRequest)
        .join(Community, Community.id == HelpRequest.community_id)
        .where(Community.street_office_id == street_office_id, HelpRequest.escalated)
    )
    if not filters.state:
        filters = QueueFilters(state="open", category=filters.category, overdue=filters.overdue)
    stmt = _filtered(stmt, filters, now)
    waiting_first = case(
        (overdue_clause(now), 0), (HelpRequest.state == State.ESCALATED, 1), else_=2
    )
    return stmt.order_by(waiting_first, HelpRequest.due_at, HelpRequest.id)


def provider_clause(user: User):
    """Orders dispatched to a member this person works for, or to them as a volunteer."""
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
    return user.has_role(Role.MERCHANT_STAFF, Role.VOLUNTEER)


# --- dispatch help ------------------------------------------------------------------------


@dataclass
class Candidate:
    kind: str
    id: int
    name: str
    matches: bool
    rating_tenths: int | None  # 45 = 4.5 stars
    reviews: int
    open_load: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def rating_label(self) -> str:
        if self.rating_tenths is None:
            return ""
        return f"{self.rating_tenths // 10}.{self.rating_tenths % 10}"


def _stats_by(column, kind: str, ids: list[int]) -> tuple[dict, dict]:
    """Average rating (tenths) and open load per provider id, in two queries."""
    if not ids:
        return {}, {}
    ratings = {
        pid: (total, n)
        for pid, total, n in db.session.execute(
            select(column, func.sum(HelpRequest.rating), func.count(HelpRequest.rating))
            .where(
                HelpRequest.provider_kind == kind, column.in_(ids), HelpRequest.rating.is_not(None)
            )
            .group_by(column)
        )
    }
    loads = dict(
        db.session.execute(
            select(column, func.count(HelpRequest.id))
            .where(
                HelpRequest.provider_kind == kind,
                column.in_(ids),
                HelpRequest.state.in_((State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)),
            )
            .group_by(column)
        ).all()
    )
    return ratings, loads


def _tenths(total, n):
    if not n:
        return None
    return (int(total) * 10 + n // 2) // n


def rank_providers(order: HelpRequest, limit: int = 20) -> list[Candidate]:
    """Members, volunteers and co-building units ranked by category match, rating, open load.

    A fixed number of queries whatever the number of providers."""
    code = order.category.code
    merchants = db.session.scalars(
        select(Merchant)
        .where(
            Merchant.community_id == order.community_id, Merchant.status == MerchantStatus.ACTIVE
        )
        .order_by(Merchant.number)
    ).all()
    volunteers = db.session.scalars(
        select(VolunteerProfile)
        .where(
            VolunteerProfile.community_id == order.community_id,
            VolunteerProfile.status == VolunteerStatus.ACTIVE,
        )
        .order_by(VolunteerProfile.id)
    ).all()
    units = units_of(order.community.street_office_id)
    matched = db.session.execute(
        select(
            Resource.provider_kind, Resource.merchant_id, Resource.unit_id, Resource.volunteer_id
        ).where(
            Resource.active,
            Resource.category_code == code,
            Resource.street_office_id == order.community.street_office_id,
        )
    ).all()
    matched_merchants = {m for _k, m, _u, _v in matched if m}
    matched_units = {u for _k, _m, u, _v in matched if u}
    matched_volunteers = {v for _k, _m, _u, v in matched if v}
    candidates: list[Candidate] = []
    for kind, rows, column, is_match in (
        (
            ProviderKind.MERCHANT,
            merchants,
            HelpRequest.provider_merchant_id,
            lambda m: (
                m.id in matched_merchants or MERCHANT_CATEGORY_TO_SERVICE.get(m.category) == code
            ),
        ),
        (
            ProviderKind.VOLUNTEER,
            volunteers,
            HelpRequest.provider_volunteer_id,
            lambda v: v.id in matched_volunteers or code == "volunteer",
        ),
        (ProviderKind.UNIT, units, HelpRequest.provider_unit_id, lambda u: u.id in matched_units),
    ):
        ratings, loads = _stats_by(column, kind, [r.id for r in rows])
        for row in rows:
            total, n = ratings.get(row.id, (0, 0))
            candidates.append(
                Candidate(
                    kind,
                    row.id,
                    row.name,
                    bool(is_match(row)),
                    _tenths(total, n),
                    n,
                    loads.get(row.id, 0),
                )
            )
    candidates.sort(
        key=lambda c: (not c.matches, -(c.rating_tenths or 0), c.open_load, c.kind, c.id)
    )
    return candidates[:limit]


# --- transparency -------------------------------------------------------------------------


@dataclass
class MonthFigures:
    community_name: str
    month: str
    total: int
    response_rate: int | None  # percent dispatched within the limit
    resolution_rate: int | None  # percent resolved
    satisfaction_tenths: int | None

    @property
    def satisfaction_label(self) -> str:
        if self.satisfaction_tenths is None:
            return "—"
        return f"{self.satisfaction_tenths // 10}.{self.satisfaction_tenths % 10}"


def _percent(part, whole) -> int | None:
    return None if not whole else (int(part) * 100 + whole // 2) // whole


def monthly_figures(community_ids=None, months: int = 6) -> list[MonthFigures]:
    """Per community and month: response rate, resolution rate, average satisfaction. One query."""
    since = month_key(utcnow() - timedelta(days=31 * (months - 1)))
    responded = case(
        (
            and_(
                HelpRequest.first_dispatched_at.is_not(None),
                HelpRequest.first_dispatched_at <= HelpRequest.due_at,
            ),
            1,
        ),
        (
            and_(
                HelpRequest.first_dispatched_at.is_(None),
                HelpRequest.escalated,
                HelpRequest.resolved_at.is_not(None),
                HelpRequest.resolved_at <= HelpRequest.due_at,
            ),
            1,
        ),
        else_=0,
    )
    resolved = case((HelpRequest.state.in_(RESOLVED_STATES), 1), else_=0)
    counted = HelpRequest.state != State.CANCELLED
    stmt = (
        select(
            Community.name,
            HelpRequest.submitted_month,
            func.count(HelpRequest.id),
            func.sum(responded),
            func.sum(resolved),
            func.sum(HelpRequest.rating),
            func.count(HelpRequest.rating),
        )
        .join(Community, Community.id == HelpRequest.community_id)
        .where(counted, HelpRequest.submitted_month >= since)
        .group_by(Community.id, Community.name, HelpRequest.submitted_month)
        .order_by(HelpRequest.submitted_month.desc(), Community.id)
    )
    if community_ids is not None:
        stmt = stmt.where(HelpRequest.community_id.in_(community_ids))
    return [
        MonthFigures(
            name,
            month,
            total,
            _percent(resp or 0, total),
            _percent(res or 0, total),
            _tenths(stars or 0, rated),
        )
        for name, month, total, resp, res, stars, rated in db.session.execute(stmt)
    ]


def recent_public(limit: int = 20) -> list[HelpRequest]:
    return list(
        db.session.scalars(
            select(HelpRequest)
            .where(HelpRequest.state != State.CANCELLED)
            .options(
                joinedload(HelpRequest.category),
                joinedload(HelpRequest.estate),
                joinedload(HelpRequest.community),
            )
            .order_by(HelpRequest.submitted_at.desc(), HelpRequest.id.desc())
            .limit(limit)
        ).unique()
    )


def public_title(title: str, limit: int = 12) -> str:
    """Trimmed and with digits masked: no phone numbers or house numbers on public pages."""
    masked = "".join("*" if ch.isdigit() else ch for ch in title)
    return masked if len(masked) <= limit else masked[:limit] + "…"


def home_figures(community_ids) -> list[tuple[str, int]]:
    """The home page's figures (see alliance.hooks)."""
    month = month_key(utcnow())
    stmt = select(
        func.count(HelpRequest.id),
        func.sum(case((HelpRequest.state.in_(RESOLVED_STATES), 1), else_=0)),
    ).where(HelpRequest.submitted_month == month, HelpRequest.state != State.CANCELLED)
    if community_ids is not None:
        stmt = stmt.where(HelpRequest.community_id.in_(community_ids))
    total, resolved = db.session.execute(stmt).one()
    rate = _percent(resolved or 0, total or 0)
    return [
        (_l("本月工单"), total or 0),
        (_l("本月办结率"), f"{rate}%" if rate is not None else "—"),
    ]


# --- projects -----------------------------------------------------------------------------


@dataclass
class ProjectInput:
    title: str
    summary: str = ""
    schedule: str = ""
    outcome: str = ""
    status: str = "planned"
    category_code: str = ""
    request_ids: list[int] = field(default_factory=list)
    resource_ids: list[int] = field(default_factory=list)


def save_project(
    community: Community, actor: User, data: ProjectInput, project: Project | None = None
) -> Project:
    from alliance.help_requests.models import ProjectStatus

    title = (data.title or "").strip()
    if not title:
        raise HelpRequestError(_l("请填写项目名称。"), "title")
    if data.status not in set(ProjectStatus):
        raise HelpRequestError(_l("请选择项目状态。"), "status")
    clash = db.session.scalar(
        select(Project.id).where(Project.community_id == community.id, Project.title == title)
    )
    if clash and (project is None or clash != project.id):
        raise HelpRequestError(_l("已有同名项目。"), "title")
    requests_ = list(
        db.session.scalars(
            select(HelpRequest).where(
                HelpRequest.id.in_(data.request_ids or []), HelpRequest.community_id == community.id
            )
        )
    )
    if len(requests_) != len(set(data.request_ids or [])):
        raise HelpRequestError(_l("只能关联本社区的需求。"), "request_ids")
    resources = list(
        db.session.scalars(
            select(Resource).where(
                Resource.id.in_(data.resource_ids or []),
                Resource.street_office_id == community.street_office_id,
                or_(Resource.community_id == community.id, Resource.community_id.is_(None)),
            )
        )
    )
    if len(resources) != len(set(data.resource_ids or [])):
        raise HelpRequestError(_l("只能关联本社区可用的资源。"), "resource_ids")
    if project is None:
        project = Project(community_id=community.id, created_by_id=actor.id)
        db.session.add(project)
    project.title = title[:120]
    project.summary = (data.summary or "").strip()[:500]
    project.schedule = (data.schedule or "").strip()[:300]
    project.outcome = (data.outcome or "").strip()[:500]
    project.status = data.status
    project.category_code = data.category_code or ""
    project.requests = requests_
    project.resources = resources
    db.session.flush()
    return project


def projects_of(community_ids) -> Select:
    return (
        select(Project)
        .where(Project.community_id.in_(community_ids))
        .options(selectinload(Project.requests), selectinload(Project.resources))
        .order_by(Project.created_at.desc(), Project.id.desc())
    )

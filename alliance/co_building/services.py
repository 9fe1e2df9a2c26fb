"""Co-building units and the resource list (资源清单). Services flush, never commit."""

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role, User
from alliance.co_building.models import CoBuildingUnit, ProviderKind, Resource
from alliance.communities.models import Community
from alliance.extensions import db
from alliance.help_requests.catalogue import MERCHANT_CATEGORY_TO_SERVICE, categories_of
from alliance.help_requests.errors import HelpRequestError
from alliance.i18n import lazy_gettext as _l
from alliance.inputs import parse_id
from alliance.merchants.models import Merchant, MerchantStatus
from alliance.validators import normalize_phone


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
        raise HelpRequestError(_l("请填写单位名称。"), field="name")
    phone = None
    if data.contact_phone:
        phone = normalize_phone(data.contact_phone)
        if phone is None:
            raise HelpRequestError(_l("请填写有效的手机号。"), field="contact_phone")
    clash = db.session.scalar(
        select(CoBuildingUnit.id).where(
            CoBuildingUnit.street_office_id == street_office_id, CoBuildingUnit.name == name
        )
    )
    if clash and (unit is None or clash != unit.id):
        raise HelpRequestError(_l("已有同名的共建单位。"), field="name")
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


def _get(model, raw_id: str):
    key = parse_id(raw_id)
    return db.session.get(model, key) if key is not None else None


def create_resource(community: Community, actor: User, data: ResourceInput) -> Resource:
    codes = {c.code for c in categories_of(community.id)}
    if data.category_code not in codes:
        raise HelpRequestError(_l("请选择服务类别。"), field="category_code")
    title = (data.title or "").strip()
    if not title:
        raise HelpRequestError(_l("请填写能提供什么。"), field="title")
    resource = Resource(
        street_office_id=community.street_office_id,
        category_code=data.category_code,
        title=title[:120],
        details=(data.details or "").strip()[:500],
        capacity=(data.capacity or "").strip()[:120],
    )
    kind, _sep, raw_id = (data.provider or "").partition(":")
    if kind == ProviderKind.MERCHANT:
        merchant = _get(Merchant, raw_id)
        if merchant is None or merchant.community_id != community.id:
            raise HelpRequestError(_l("请选择本社区的联盟商户。"), field="provider")
        resource.provider_kind, resource.merchant_id = kind, merchant.id
        resource.community_id = community.id
    elif kind == ProviderKind.UNIT:
        unit = _get(CoBuildingUnit, raw_id)
        if unit is None or unit.street_office_id != community.street_office_id:
            raise HelpRequestError(_l("请选择本街道的共建单位。"), field="provider")
        if not actor.has_role(Role.STREET_OFFICER):
            raise HelpRequestError(_l("共建单位的资源由街道登记。"), field="provider")
        resource.provider_kind, resource.unit_id = kind, unit.id
    elif kind == "team":
        team = (data.team_name or "").strip()
        if not team:
            raise HelpRequestError(_l("请填写志愿服务队名称。"), field="team_name")
        resource.provider_kind, resource.team_name = ProviderKind.VOLUNTEER, team[:80]
        resource.community_id = community.id
    else:
        raise HelpRequestError(_l("请选择资源提供方。"), field="provider")
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

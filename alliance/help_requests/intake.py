"""Posting a need (点单): from the web form, Open311 or a secretary on someone's behalf."""

from dataclasses import dataclass, field
from datetime import timedelta

from alliance.accounts.models import Role, User
from alliance.api.models import Open311Key
from alliance.clock import month_key
from alliance.communities.models import Community, Estate
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.help_requests import workflow
from alliance.help_requests.errors import HelpRequestError
from alliance.help_requests.models import (
    ContactMethod,
    HelpRequest,
    ServiceCategory,
    State,
    Urgency,
)
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant
from alliance.validators import normalize_phone


@dataclass
class RequestInput:
    category_id: int | None
    title: str
    description: str = ""
    estate_id: int | None = None
    building: str = ""
    shop_id: int | None = None
    # A business of the grid's register (not an alliance member), for a grid worker's 代办.
    business_id: int | None = None
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


# While an emergency response runs, an 应急求助 order is due within this, whatever its urgency.
EMERGENCY_DUE = timedelta(hours=1)


def _time_allowed(community: Community, category: ServiceCategory, urgency: str) -> timedelta:
    from alliance.emergency.services import is_running_in  # the emergency domain sits above

    allowed = timedelta(hours=category.limit_hours(urgency))
    if category.code == "emergency" and is_running_in(community):
        return min(allowed, EMERGENCY_DUE)
    return allowed


def _business(community: Community, author: User | None, business_id: int | None):
    """The business of the grid's register a grid worker posts for (their own grid's only)."""
    if not business_id:
        return None
    from alliance.grid.models import GridBusiness  # the grid domain sits above

    business = db.session.get(GridBusiness, business_id)
    if (
        business is None
        or business.community_id != community.id
        or not business.active
        or author is None
        or business.grid.worker_id != author.id
    ):
        raise HelpRequestError(_l("请选择自己网格内登记的商户。"), field="business_id")
    return business


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
        raise HelpRequestError(_l("请选择本社区的服务类别。"), field="category_id")
    title = (data.title or "").strip()
    if not title:
        raise HelpRequestError(_l("请用一句话说明需求。"), field="title")
    if len(title) > 80:
        raise HelpRequestError(_l("标题不能超过 80 字。"), field="title")
    description = (data.description or "").strip()
    if len(description) > 4000:
        raise HelpRequestError(_l("描述不能超过 4000 字。"), field="description")
    if data.urgency not in set(Urgency):
        raise HelpRequestError(_l("请选择紧急程度。"), field="urgency")
    if data.contact_method not in set(ContactMethod):
        raise HelpRequestError(_l("请选择联系方式。"), field="contact_method")
    estate = db.session.get(Estate, data.estate_id) if data.estate_id else None
    if data.estate_id and (estate is None or estate.community_id != community.id):
        raise HelpRequestError(_l("请选择本社区的小区。"), field="estate_id")
    shop = db.session.get(Merchant, data.shop_id) if data.shop_id else None
    if data.shop_id and (shop is None or shop.community_id != community.id):
        raise HelpRequestError(_l("请选择本社区的联盟商户。"), field="shop_id")
    business = _business(community, author, data.business_id)
    if business is not None and estate is None:
        estate = business.grid.estate
    if (
        estate is None
        and shop is None
        and business is None
        and not (data.address_text or "").strip()
    ):
        raise HelpRequestError(_l("请选择地点：小区和楼栋，或商户门店。"), field="estate_id")
    phone = None
    if data.contact_phone:
        phone = normalize_phone(data.contact_phone)
        if phone is None:
            raise HelpRequestError(_l("请填写有效的手机号。"), field="contact_phone")
    if data.contact_method == ContactMethod.PHONE and not phone:
        phone = author.phone if author is not None else None
        if not phone:
            raise HelpRequestError(_l("选择电话联系时请留下手机号。"), field="contact_phone")
    on_behalf_name = (data.on_behalf_name or "").strip()
    if business is not None and not on_behalf_name:
        # Who asked: the business's contact person, or the business itself.
        on_behalf_name = business.contact_name or business.name
    on_behalf_phone = None
    if on_behalf_name or data.on_behalf_phone:
        if author is None or not author.has_role(Role.GRID_WORKER):
            raise HelpRequestError(_l("只有网格员可以代居民提交需求。"), field="on_behalf_name")
        if not on_behalf_name:
            raise HelpRequestError(_l("请填写代办的住户姓名。"), field="on_behalf_name")
        if data.on_behalf_phone:
            on_behalf_phone = normalize_phone(data.on_behalf_phone)
            if on_behalf_phone is None:
                raise HelpRequestError(_l("请填写有效的手机号。"), field="on_behalf_phone")
    photo_name = store_photo(data.photo) if data.photo else None
    from alliance.grid.membership import grid_for_new_order  # the grid domain sits above

    grid_id = grid_for_new_order(estate, data.building, shop, business, author)

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
        business_id=business.id if business else None,
        grid_id=grid_id,
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
        due_at=now + _time_allowed(community, category, data.urgency),
        updated_at=now,
        source=source,
        api_key_id=api_key.id if api_key else None,
    )
    db.session.add(order)
    db.session.flush()
    workflow.record_submission(order, author)
    db.session.flush()
    return order

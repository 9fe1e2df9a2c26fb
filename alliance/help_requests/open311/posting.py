"""POST a Service Request: who may post (api_key) and turning the spec's fields into an intake."""

from flask import Response, request
from flask_babel import gettext as _
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.api import tokens as api_tokens
from alliance.communities.models import Community, Estate
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.help_requests import errors, intake
from alliance.help_requests.models import ContactMethod, ServiceCategory, Urgency
from alliance.help_requests.open311.rendering import Open311Error, render
from alliance.help_requests.open311.schemas import Open311CreatedSchema
from alliance.help_requests.photos import PhotoError
from alliance.inputs import parse_id


def _authenticated_poster(community: Community):
    """(key, user) for the api_key: a secretary-issued key or a cards API token; else 403."""
    raw = (request.form.get("api_key") or request.args.get("api_key") or "").strip()
    if not raw:
        raise Open311Error(403, _("缺少 api_key，无法提交。"))
    key = api_tokens.key_for(raw)
    if key is not None:
        if key.community_id != community.id:
            raise Open311Error(403, _("这个 api_key 不能向该社区提交。"))
        key.last_used_at = utcnow()
        return key, None
    user = api_tokens.user_for_token(raw)
    if user is None or not user.is_active:
        raise Open311Error(403, _("api_key 无效，无法提交。"))
    in_office = (
        user.has_role(Role.STREET_OFFICER) and user.street_office_id == community.street_office_id
    )
    if user.community_id != community.id and not in_office:
        raise Open311Error(403, _("这个 api_key 不能向该社区提交。"))
    return None, user


def _float(name: str, low: float, high: float) -> float | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, _("%(name)s 须为数字。", name=name)) from None
    if not low <= value <= high:
        raise Open311Error(400, _("%(name)s 超出范围。", name=name))
    return value


def create_request(community: Community) -> Response:
    key, user = _authenticated_poster(community)
    code = (request.form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code。"))
    category = db.session.scalars(
        select(ServiceCategory).where(
            ServiceCategory.community_id == community.id,
            ServiceCategory.code == code,
            ServiceCategory.active,
        )
    ).first()
    if category is None:
        raise Open311Error(404, _("找不到 service_code「%(code)s」。", code=code[:40]))
    lat, lon = _float("lat", -90, 90), _float("long", -180, 180)
    address = (request.form.get("address_string") or "").strip()
    address_id = (request.form.get("address_id") or "").strip()
    estate_raw = (request.form.get("attribute[estate]") or "").strip() or address_id
    if (lat is None) != (lon is None):
        raise Open311Error(400, _("lat 和 long 须同时提供。"))
    if lat is None and not address and not estate_raw:
        raise Open311Error(400, _("缺少地点：请提供 lat 和 long、address_string 或 address_id。"))
    estate_id = None
    if estate_raw:
        estate_key = parse_id(estate_raw)
        estate = db.session.get(Estate, estate_key) if estate_key else None
        if estate is None or estate.community_id != community.id:
            raise Open311Error(400, _("address_id 不是本社区的小区编号。"))
        estate_id = estate.id
    if lat is not None:
        address = f"{address} ({lat:.6f},{lon:.6f})".strip()
    description = (request.form.get("description") or "").strip()
    if len(description) > 4000:
        raise Open311Error(400, _("description 不能超过 4000 字。"))
    title = (
        (request.form.get("attribute[title]") or "").strip() or description[:30] or category.name
    )
    urgency = (request.form.get("attribute[urgency]") or Urgency.NORMAL).strip()
    if urgency not in set(Urgency):
        raise Open311Error(400, _("attribute[urgency] 只能是 normal、urgent 或 emergency。"))
    phone = (request.form.get("phone") or "").strip()
    name = " ".join(
        p
        for p in (
            (request.form.get("last_name") or "").strip(),
            (request.form.get("first_name") or "").strip(),
        )
        if p
    )
    data = intake.RequestInput(
        category_id=category.id,
        title=title[:80],
        description=description,
        estate_id=estate_id,
        building=(request.form.get("attribute[building]") or "")[:60],
        address_text=address[:200],
        urgency=urgency,
        contact_method=ContactMethod.PHONE
        if phone or (user and user.phone)
        else ContactMethod.INBOX,
        contact_name=name[:40] or (user.display_name if user else ""),
        contact_phone=phone,
        contact_email=(request.form.get("email") or "")[:120],
    )
    try:
        order = intake.submit_request(community, user, data, source="open311", api_key=key)
    except (errors.HelpRequestError, PhotoError) as exc:
        raise Open311Error(400, str(exc.message)) from exc
    db.session.commit()
    notice = _("社区将在 %(hours)d 小时内派单。", hours=category.limit_hours(urgency))
    return render(
        "service_requests",
        [
            Open311CreatedSchema().dump(
                {
                    "service_request_id": order.id,
                    "service_notice": notice,
                    "account_id": str(user.id) if user else None,
                }
            )
        ],
    )

"""Reading Open311 service requests: the public, anonymised rows and the filters of GET requests."""

from datetime import UTC, datetime, timedelta

from flask import request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.help_requests import figures
from alliance.help_requests.models import OPEN_STATES, HelpRequest, ServiceCategory, State
from alliance.help_requests.open311.rendering import Open311Error, w3
from alliance.help_requests.open311.schemas import Open311ServiceSchema
from alliance.inputs import parse_id

MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
# Filters beyond these years are typing mistakes (and year 1 − 90 days overflows datetime).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2200
CLOSED_STATES = tuple(s for s in State if s not in OPEN_STATES)


def service(category: ServiceCategory) -> dict:
    return Open311ServiceSchema().dump(
        {
            "service_code": category.code,
            "service_name": category.name,
            "description": category.description or category.name,
            "metadata": True,
            "type": "realtime",
            "keywords": category.keywords,
            "group": category.group,
        }
    )


def request_row(order: HelpRequest) -> dict:
    closed = order.state in CLOSED_STATES
    place = ", ".join(
        p for p in (order.estate.name if order.estate else "", order.community.name) if p
    )
    return {
        "service_request_id": order.id,
        "status": "closed" if closed else "open",
        "status_notes": order.state_label,
        "service_name": order.category.name,
        "service_code": order.category.code,
        "description": figures.public_summary(order) or order.category.name,
        "agency_responsible": order.public_provider_name or order.community.name,
        "service_notice": None,
        "requested_datetime": w3(order.submitted_at),
        "updated_datetime": w3(order.updated_at),
        "expected_datetime": None if closed else w3(order.due_at),
        "address": place,
        "address_id": str(order.estate_id) if order.estate_id else None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def request_query(community: Community):
    return (
        select(HelpRequest)
        .where(HelpRequest.community_id == community.id)
        .options(
            joinedload(HelpRequest.category),
            joinedload(HelpRequest.estate),
            joinedload(HelpRequest.community),
            joinedload(HelpRequest.provider_merchant),
            joinedload(HelpRequest.provider_volunteer),
            joinedload(HelpRequest.provider_unit),
            joinedload(HelpRequest.provider_user),
        )
    )


def _parse_w3(name: str) -> datetime | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise ValueError(moment.year)
    except ValueError:
        raise Open311Error(
            400, _("%(name)s 须为 W3C 日期时间，例如 2026-05-01T00:00:00Z。", name=name)
        ) from None
    if moment.tzinfo is None:
        raise Open311Error(400, _("%(name)s 须带时区，例如 2026-05-01T00:00:00+08:00。", name=name))
    return moment.astimezone(UTC)


def _csv(name: str) -> list[str]:
    return [p.strip() for p in (request.args.get(name) or "").split(",") if p.strip()]


def find_requests(community: Community) -> list[HelpRequest]:
    stmt = request_query(community)
    ids = _csv("service_request_id")
    if ids:
        wanted = [parse_id(i) for i in ids]
        if None in wanted or len(ids) > MAX_RESULTS:
            raise Open311Error(400, _("service_request_id 须为逗号分隔的编号。"))
        stmt = stmt.where(HelpRequest.id.in_(wanted))
        return list(db.session.scalars(stmt.order_by(HelpRequest.id)).unique())
    start, end = _parse_w3("start_date"), _parse_w3("end_date")
    if start and end and end < start:
        raise Open311Error(400, _("end_date 不能早于 start_date。"))
    if start and end and end - start > MAX_SPAN:
        raise Open311Error(400, _("start_date 到 end_date 不能超过 90 天。"))
    if start is None and end is None:
        end = utcnow()
        start = end - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    stmt = stmt.where(HelpRequest.submitted_at >= start, HelpRequest.submitted_at <= end)
    codes = _csv("service_code")
    if codes:
        stmt = stmt.join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id).where(
            ServiceCategory.code.in_(codes)
        )
    statuses = {s.lower() for s in _csv("status")}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status 只能是 open 或 closed。"))
    if statuses == {"open"}:
        stmt = stmt.where(HelpRequest.state.in_(OPEN_STATES))
    elif statuses == {"closed"}:
        stmt = stmt.where(HelpRequest.state.in_(CLOSED_STATES))
    stmt = stmt.order_by(HelpRequest.submitted_at.desc(), HelpRequest.id.desc()).limit(MAX_RESULTS)
    return list(db.session.scalars(stmt).unique())

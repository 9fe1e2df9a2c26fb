"""The demo's building blocks for service orders: a resource in the list, an order posted (dated
back when asked) and moved through the real state machine, each step dated when it would have
happened. Every one looks its record up by natural key first, so seeding twice changes nothing.
"""

from datetime import timedelta

from sqlalchemy import select

from alliance import clock
from alliance.co_building.models import Resource
from alliance.extensions import db
from alliance.help_requests import catalogue, intake, workflow
from alliance.help_requests.models import HelpRequest, State


def resource(street_office_id, community_id, code, title, **provider):
    found = db.session.scalar(
        select(Resource.id).where(
            Resource.title == title, Resource.street_office_id == street_office_id
        )
    )
    if found is None:
        kind = (
            "merchant"
            if provider.get("merchant_id")
            else "unit"
            if provider.get("unit_id")
            else "volunteer"
        )
        db.session.add(
            Resource(
                street_office_id=street_office_id,
                community_id=community_id,
                category_code=code,
                provider_kind=kind,
                title=title,
                **provider,
            )
        )


def post(
    ctx,
    community,
    username,
    code,
    title,
    *,
    estate=None,
    shop=None,
    urgency="normal",
    days_ago=0,
    at=None,
    description="",
    **extra,
):
    existing = db.session.scalars(
        select(HelpRequest).where(
            HelpRequest.community_id == community.id, HelpRequest.title == title
        )
    ).first()
    if existing is not None:
        return None
    category = next(c for c in catalogue.categories_of(community.id) if c.code == code)
    order = intake.submit_request(
        community,
        ctx.users[username],
        intake.RequestInput(
            category_id=category.id,
            title=title,
            description=description,
            estate_id=estate.id if estate else None,
            shop_id=shop.id if shop else None,
            building=extra.pop("building", ""),
            urgency=urgency,
            **extra,
        ),
    )
    if days_ago or at is not None:
        moved = order.submitted_at - at if at is not None else timedelta(days=days_ago)
        order.submitted_at -= moved
        order.due_at -= moved
        order.submitted_month = clock.month_key(order.submitted_at)
        for event in order.events:
            event.created_at -= moved
    return order


def run(order, steps, hours=None):
    """Move the order through `steps`; with `hours`, step i is then dated `hours[i]` hours
    after the order was posted, as it would have happened (the demo runs them all now)."""
    for action, username, kwargs in steps:
        workflow.transition(order, action, username, **kwargs)
    if hours is not None:
        _stamp(order, hours)


def _stamp(order: HelpRequest, hours: list[float]) -> None:
    posted = order.submitted_at
    events = list(order.events)[-len(hours) :]
    for event, after in zip(events, hours, strict=True):
        event.created_at = posted + timedelta(hours=after)
    dispatched = [e.created_at for e in events if e.action == "dispatch"]
    order.first_dispatched_at = dispatched[0] if dispatched else None
    for event in events:
        if event.to_state == State.DONE:
            order.resolved_at = event.created_at
        if event.to_state == State.CLOSED:
            order.closed_at = event.created_at
    order.updated_at = events[-1].created_at

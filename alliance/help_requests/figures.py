"""Transparency: the public figures and the anonymised recent orders."""

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from alliance.clock import month_key
from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.help_requests.errors import HelpRequestError
from alliance.help_requests.matching import _tenths
from alliance.help_requests.models import (
    RESOLVED_STATES,
    HelpRequest,
    State,
)
from alliance.i18n import lazy_gettext as _l


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


def responded_in_time():
    """1 when the order was answered within its time limit: dispatched by its due time, or (for
    an order the street office took straight on) resolved by it; else 0. The dashboard's
    response rate (alliance.dashboard.figures) sums this same expression."""
    return case(
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


def monthly_figures(community_ids=None, months: int = 6) -> list[MonthFigures]:
    """Per community and month: response rate, resolution rate, average satisfaction. One query."""
    since = month_key(utcnow() - timedelta(days=31 * (months - 1)))
    responded = responded_in_time()
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


_LONG_NUMBER = re.compile(r"\d{4,}")
SUMMARY_MAX = 60


def mask_numbers(text: str) -> str:
    """Runs of four or more digits (phones, house and room numbers) become asterisks; short
    numbers stay, so "为3位独居老人送午餐" reads as written."""
    return _LONG_NUMBER.sub(lambda m: "*" * len(m.group()), text)


def public_summary(order: HelpRequest) -> str:
    """What public pages say of an order: the summary the secretary approved, else nothing
    (the category and estate stand alone). Never the resident's own title."""
    return mask_numbers(order.public_summary or "")


def set_public_summary(order: HelpRequest, text: str) -> None:
    """The secretary's approved public summary (empty: none). Flushes, never commits."""
    text = " ".join((text or "").split())
    if len(text) > SUMMARY_MAX:
        raise HelpRequestError(
            _l("摘要最多%(n)d个字。", n=SUMMARY_MAX), field="summary", code="summary_too_long"
        )
    order.public_summary = text
    db.session.flush()


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

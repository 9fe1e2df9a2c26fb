"""The monthly report: the month's figures against the previous month, the three lists'
progress, decisions made and highlights; submitted by the secretary, read by the street office.

Everything is computed from the records through alliance.dashboard.figures, in a fixed number
of statements per report (the street office's list: per page, not per community).
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import User
from alliance.clock import local_start
from alliance.co_building.models import Resource
from alliance.committee.models import Decision
from alliance.communities.models import Community
from alliance.dashboard.figures import (
    MonthFigures,
    figures_for,
    next_month,
    previous_month,
    street_total,
)
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.help_requests.figures import mask_numbers
from alliance.help_requests.models import RESOLVED_STATES, HelpRequest, ServiceCategory, State
from alliance.projects.models import Project, ProjectStatus
from alliance.reports.models import MonthlyReport

HIGHLIGHTS = 5
REMARKS_MAX = 2000


class ReportError(DomainError):
    pass


@dataclass
class ListsProgress:
    needs: int = 0  # orders posted by the month's end (needs list), cancelled left out
    needs_resolved: int = 0
    resources: int = 0  # active resources of the community by the month's end
    projects: dict[str, int] = field(default_factory=dict)  # by status

    @property
    def projects_total(self) -> int:
        return sum(self.projects.values())

    @property
    def total(self) -> int:
        return self.needs + self.resources + self.projects_total


@dataclass
class Highlight:
    title: str
    category: str
    rating: int
    comment: str


@dataclass
class Report:
    community: Community
    month: str
    first: date
    figures: MonthFigures
    previous: MonthFigures
    lists: ListsProgress
    decisions: list[Decision]
    highlights: list[Highlight]
    submitted: MonthlyReport | None

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(figure, this month, previous month, change) for the table and the PDF."""
        return figure_rows(self.figures, self.previous)


def _fmt_rate(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _change(now, before, *, rate=False) -> str:
    if now is None or before is None:
        return "—"
    diff = now - before
    if rate:
        return f"{diff:+.1f}" if diff else "0"
    if isinstance(diff, float):
        return f"{diff:+.1f}" if diff else "0"
    return f"{diff:+d}" if diff else "0"


def figure_rows(f: MonthFigures, p: MonthFigures) -> list[tuple[str, str, str, str]]:
    rows = []
    for label, now, before in (
        (_("联盟商户"), f.members, p.members),
        (_("志愿者"), f.volunteers, p.volunteers),
        (_("有效卡"), f.cards, p.cards),
        (_("公示承诺"), f.commitments_total, p.commitments_total),
        (_("核销次数"), f.redemptions, p.redemptions),
        (_("受理工单"), f.orders_received, p.orders_received),
        (_("志愿服务（小时）"), f.volunteer_hours, p.volunteer_hours),
        (_("发放积分"), f.points_earned, p.points_earned),
        (_("兑换积分"), f.points_spent, p.points_spent),
    ):
        shown = f"{now:.1f}" if isinstance(now, float) else str(now)
        was = f"{before:.1f}" if isinstance(before, float) else str(before)
        rows.append((label, shown, was, _change(now, before)))
    rows.insert(
        5,
        (
            _("为居民节省（元）"),
            f"{f.savings_fen / 100:.2f}",
            f"{p.savings_fen / 100:.2f}",
            _change(round(f.savings_fen / 100, 2), round(p.savings_fen / 100, 2)),
        ),
    )
    for label, now, before in (
        (_("响应率"), f.response_rate, p.response_rate),
        (_("办结率"), f.resolution_rate, p.resolution_rate),
        (_("满意率"), f.satisfaction_rate, p.satisfaction_rate),
    ):
        rows.append((label, _fmt_rate(now), _fmt_rate(before), _change(now, before, rate=True)))
    return rows


def lists_progress(community_id: int, first: date) -> ListsProgress:
    end = local_start(next_month(first))
    needs, resolved = db.session.execute(
        select(
            func.count(HelpRequest.id),
            func.sum(case((HelpRequest.state.in_(RESOLVED_STATES), 1), else_=0)),
        ).where(
            HelpRequest.community_id == community_id,
            HelpRequest.submitted_at < end,
            HelpRequest.state != State.CANCELLED,
        )
    ).one()
    resources = db.session.scalar(
        select(func.count(Resource.id)).where(
            Resource.community_id == community_id,
            Resource.active.is_(True),
            Resource.created_at < end,
        )
    )
    projects = dict(
        db.session.execute(
            select(Project.status, func.count(Project.id))
            .where(Project.community_id == community_id, Project.created_at < end)
            .group_by(Project.status)
        ).all()
    )
    return ListsProgress(
        needs=int(needs or 0),
        needs_resolved=int(resolved or 0),
        resources=int(resources or 0),
        projects={s.value: int(projects.get(s.value, 0)) for s in ProjectStatus},
    )


def decisions_made(community_id: int, first: date) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision)
            .options(joinedload(Decision.community))
            .where(
                Decision.community_id == community_id,
                Decision.created_at >= local_start(first),
                Decision.created_at < local_start(next_month(first)),
            )
            .order_by(Decision.year, Decision.seq)
        )
    )


def highlights(community_id: int, first: date) -> list[Highlight]:
    """Orders finished in the month with a good review (4 or 5 stars), best first; each told
    by the summary the secretary approved for the public page (long numbers masked), else by
    its category: never the resident's own words, no names."""
    rows = db.session.execute(
        select(HelpRequest.public_summary, ServiceCategory.name, HelpRequest.rating)
        .join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id)
        .where(
            HelpRequest.community_id == community_id,
            HelpRequest.resolved_at >= local_start(first),
            HelpRequest.resolved_at < local_start(next_month(first)),
            HelpRequest.rating >= 4,
        )
        .order_by(HelpRequest.rating.desc(), HelpRequest.resolved_at.desc(), HelpRequest.id)
        .limit(HIGHLIGHTS)
    ).all()
    # Without an approved summary the category alone tells it (not "志愿服务：志愿服务").
    return [Highlight(_shorten(mask_numbers(t or "")), c, r, "") for t, c, r in rows]


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def submitted_report(community_id: int, month: str) -> MonthlyReport | None:
    return db.session.scalars(
        select(MonthlyReport).where(
            MonthlyReport.community_id == community_id, MonthlyReport.month == month
        )
    ).first()


def build(community: Community, first: date) -> Report:
    prev = previous_month(first)
    f_prev, f_now = figures_for([community.id], [prev, first])[community.id]
    return Report(
        community=community,
        month=first.strftime("%Y-%m"),
        first=first,
        figures=f_now,
        previous=f_prev,
        lists=lists_progress(community.id, first),
        decisions=decisions_made(community.id, first),
        highlights=highlights(community.id, first),
        submitted=submitted_report(community.id, first.strftime("%Y-%m")),
    )


def submit(community: Community, first: date, remarks: str, actor: User) -> MonthlyReport:
    """The secretary sends the month's report up (again: the remarks are replaced)."""
    month = first.strftime("%Y-%m")
    if local_start(first) > utcnow():
        raise ReportError(_("这个月还没有开始，不能报送。"), code="future_month", field="remarks")
    remarks = (remarks or "").strip()
    if len(remarks) > REMARKS_MAX:
        raise ReportError(
            _("工作小结最多 %(n)d 字。", n=REMARKS_MAX), code="too_long", field="remarks"
        )
    report = submitted_report(community.id, month)
    if report is None:
        report = MonthlyReport(community_id=community.id, month=month)
        db.session.add(report)
    report.remarks = remarks
    report.submitted_by_id = actor.id
    report.submitted_at = utcnow()
    db.session.flush()
    return report


@dataclass
class StreetRow:
    community: Community
    figures: MonthFigures
    submitted: MonthlyReport | None


def street_overview(communities: list[Community], first: date):
    """Every community's month for the street office, with the street-wide sum: 10 statements."""
    ids = [c.id for c in communities]
    month = first.strftime("%Y-%m")
    per = figures_for(ids, [first])
    reports = {
        r.community_id: r
        for r in db.session.scalars(
            select(MonthlyReport).where(
                MonthlyReport.community_id.in_(ids), MonthlyReport.month == month
            )
        )
    }
    rows = [StreetRow(c, per[c.id][0], reports.get(c.id)) for c in communities]
    total = street_total(per, [first])[0]
    return rows, total

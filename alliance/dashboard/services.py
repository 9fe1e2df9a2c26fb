"""The dashboard's view: figures of the communities a person runs, as charts and tables.

Everything comes from alliance.dashboard.figures (the same numbers as the public API), in a
fixed number of statements.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from alliance.accounts.models import Role, User
from alliance.clock import local_start
from alliance.commitments.models import KIND_LABELS
from alliance.communities.models import Community
from alliance.communities.services import visible_community_ids
from alliance.dashboard import charts
from alliance.dashboard.figures import (
    COMMITMENT_KINDS,
    MonthFigures,
    figures_for,
    months_ending,
    next_month,
    orders_breakdown,
    street_total,
)
from alliance.emergency import mobilisation, report
from alliance.extensions import db
from alliance.help_requests.models import State
from alliance.templating import fen_to_yuan

PERIODS = (3, 6, 12)
DEFAULT_PERIOD = 6


@dataclass
class Dashboard:
    communities: list[Community]
    months: list[date]
    month_labels: list[str]
    per_community: dict[int, list[MonthFigures]]
    total: list[MonthFigures] | None  # the street-wide sum, for a street officer
    summary_columns: list[str]
    summary_rows: list[tuple[str, list[str]]]
    charts: list[charts.Chart]
    emergency: "EmergencyMonths"

    @property
    def last_label(self) -> str:
        return self.month_labels[-1]


def communities_of(user: User) -> list[Community]:
    return list(
        db.session.scalars(
            select(Community)
            .where(Community.id.in_(visible_community_ids(user)))
            .order_by(Community.id)
        )
    )


def _rate_text(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _summary(columns: list[tuple[str, MonthFigures]]) -> list[tuple[str, list[str]]]:
    def row(label, getter):
        return (label, [getter(f) for _, f in columns])

    rows = [
        row(_("联盟商户"), lambda f: str(f.members)),
        row(_("志愿者"), lambda f: str(f.volunteers)),
        row(_("有效卡"), lambda f: str(f.cards)),
    ]
    rows += [
        row(_("%(kind)s承诺", kind=KIND_LABELS[kind]), lambda f, k=kind: str(f.commitments[k]))
        for kind in COMMITMENT_KINDS
    ]
    rows += [
        row(_("核销次数"), lambda f: str(f.redemptions)),
        row(_("为居民节省（元）"), lambda f: fen_to_yuan(f.savings_fen)),
        row(_("受理工单"), lambda f: str(f.orders_received)),
        row(_("响应率"), lambda f: _rate_text(f.response_rate)),
        row(_("办结率"), lambda f: _rate_text(f.resolution_rate)),
        row(_("满意率"), lambda f: _rate_text(f.satisfaction_rate)),
        row(_("志愿服务（小时）"), lambda f: f"{f.volunteer_hours:.1f}"),
        row(_("发放积分"), lambda f: str(f.points_earned)),
        row(_("兑换积分"), lambda f: str(f.points_spent)),
    ]
    return rows


@dataclass
class EmergencyMonths:
    """Per month of the period, over the person's communities, counted by the same functions
    as the response report (`GET /api/v1/emergencies/<id>/report`): turn-outs (arrivals at
    call-ups), hazards found and closed (销号), people moved (转移). Drills left out."""

    turnouts: list[int]
    hazards_found: list[int]
    hazards_closed: list[int]
    people_moved: list[int]


def emergency_months(community_ids: list[int], months: list[date]) -> EmergencyMonths:
    """Four statements, whatever the period or the records."""
    windows = [
        (local_start(m), local_start(next_month(m)) - timedelta(microseconds=1)) for m in months
    ]
    hazards = report.hazard_counts(community_ids, windows)
    return EmergencyMonths(
        turnouts=mobilisation.turnouts_between(community_ids, windows),
        hazards_found=[found for _checked, found, _closed in hazards],
        hazards_closed=[closed for _checked, _found, closed in hazards],
        people_moved=report.people_moved_between(community_ids, windows),
    )


def build(user: User, last_month: date, period: int) -> Dashboard:
    communities = communities_of(user)
    ids = [c.id for c in communities]
    months = months_ending(last_month, period)
    labels = [m.strftime("%Y-%m") for m in months]
    per_community = figures_for(ids, months)
    street = user.has_role(Role.STREET_OFFICER) and len(communities) > 1
    total = street_total(per_community, months) if street else None

    columns = [(c.name, per_community[c.id][-1]) for c in communities]
    if total is not None:
        columns.append((_("全街道合计"), total[-1]))

    def series(getter):
        return [(c.name, [getter(f) for f in per_community[c.id]]) for c in communities]

    chart_list = []
    if len(communities) == 1:
        only = per_community[ids[0]]
        chart_list.append(
            charts.series_chart(
                _("三率（%）"),
                labels,
                [
                    (_("响应率"), [f.response_rate for f in only]),
                    (_("办结率"), [f.resolution_rate for f in only]),
                    (_("满意率"), [f.satisfaction_rate for f in only]),
                ],
                kind="line",
                unit="%",
                max_value=100,
            )
        )
    else:
        for title, getter in (
            (_("响应率（%）"), lambda f: f.response_rate),
            (_("办结率（%）"), lambda f: f.resolution_rate),
            (_("满意率（%）"), lambda f: f.satisfaction_rate),
        ):
            chart_list.append(
                charts.series_chart(
                    title, labels, series(getter), kind="line", unit="%", max_value=100
                )
            )
    for title, getter, kind in (
        (_("受理工单"), lambda f: f.orders_received, "bar"),
        (_("核销次数"), lambda f: f.redemptions, "bar"),
        (_("为居民节省（元）"), lambda f: round(f.savings_fen / 100, 2), "bar"),
        (_("志愿服务（小时）"), lambda f: f.volunteer_hours, "bar"),
        (_("发放积分"), lambda f: f.points_earned, "bar"),
        (_("兑换积分"), lambda f: f.points_spent, "bar"),
        (_("联盟商户"), lambda f: f.members, "line"),
        (_("志愿者"), lambda f: f.volunteers, "line"),
        (_("有效卡"), lambda f: f.cards, "line"),
    ):
        chart_list.append(charts.series_chart(title, labels, series(getter), kind=kind))
    kind_labels = [str(KIND_LABELS[k]) for k in COMMITMENT_KINDS]
    chart_list.append(
        charts.series_chart(
            _("%(month)s 公示承诺（按类别）", month=labels[-1]),
            kind_labels,
            [
                (c.name, [per_community[c.id][-1].commitments[k] for k in COMMITMENT_KINDS])
                for c in communities
            ],
        )
    )
    by_state, by_category = orders_breakdown(ids, months)
    period_text = f"{labels[0]}—{labels[-1]}"
    if by_state:
        chart_list.append(
            charts.series_chart(
                _("工单状态（%(period)s）", period=period_text),
                [State(s).label for s, _n in by_state],
                [(_("工单"), [n for _s, n in by_state])],
            )
        )
    if by_category:
        chart_list.append(
            charts.series_chart(
                _("工单类别（%(period)s）", period=period_text),
                [name for name, _n in by_category],
                [(_("工单"), [n for _name, n in by_category])],
            )
        )
    emergency = emergency_months(ids, months)
    chart_list.append(
        charts.series_chart(
            _("应急：出动、隐患与转移"),
            labels,
            [
                (_("出动人次"), emergency.turnouts),
                (_("发现隐患"), emergency.hazards_found),
                (_("隐患销号"), emergency.hazards_closed),
                (_("转移群众（人）"), emergency.people_moved),
            ],
        )
    )
    return Dashboard(
        emergency=emergency,
        communities=communities,
        months=months,
        month_labels=labels,
        per_community=per_community,
        total=total,
        summary_columns=[name for name, _f in columns],
        summary_rows=_summary(columns),
        charts=chart_list,
    )

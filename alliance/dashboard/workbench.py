"""The workbench (工作台): the waiting work of the people who run a community, most urgent first.

Each kind of work is one line: how many wait, how long the oldest has waited, and the page
where it is done. The secretary's lines are counted in one statement (a UNION ALL), the street
officer's in two, whatever the data.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import DateTime, cast, func, literal, null, select, union_all

from alliance.accounts.models import Role, User
from alliance.activities.models import Signup, SignupStatus
from alliance.clock import local_today
from alliance.commitments.models import BrokenCommitmentReport, Commitment, CommitmentStatus
from alliance.committee.models import Decision, DecisionState
from alliance.communities.models import Community, Estate
from alliance.db_types import utcnow
from alliance.emergency.duty import FLAG_AHEAD
from alliance.emergency.models import DutyAssignment, DutyShift, EmergencyPost, PostArea, PostKind
from alliance.emergency.services import running_clause
from alliance.emergency.supply_models import Stock, StockMove, SupplyItem
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest, HelpRequestEvent, State
from alliance.help_requests.queues import overdue_clause
from alliance.merchants.models import ApplicationStatus, MerchantApplication
from alliance.points.models import ExchangeItem
from alliance.reports.models import MonthlyReport
from alliance.volunteers.models import VolunteerApplication, VolunteerApplicationStatus

LOW_STOCK = 5  # an exchange item with this many or fewer left is worth restocking
DECISIONS_AHEAD = timedelta(days=7)  # decisions due within a week show up


@dataclass
class Task:
    kind: str
    label: str
    count: int
    oldest: datetime | None  # the oldest waiting item's moment (None: no age to show)
    href: str
    urgent: bool = False
    community: str = ""

    @property
    def age(self) -> str:
        return age_text(self.oldest)


def age_text(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in words: "3天", "5小时", "刚刚"."""
    if moment is None:
        return ""
    seconds = max(0, int(((now or utcnow()) - moment).total_seconds()))
    if seconds >= 86400:
        return _("%(n)d 天", n=seconds // 86400)
    if seconds >= 3600:
        return _("%(n)d 小时", n=seconds // 3600)
    return _("不到 1 小时")


def _line(kind: str, stmt_from, moment_col, *where):
    return (
        select(
            literal(kind).label("kind"),
            func.count().label("n"),
            func.min(moment_col).label("oldest"),
        )
        .select_from(stmt_from)
        .where(*where)
    )


# Most urgent first: the order of the lines on the page. The gaps in duty and zones show only
# while a response covers the community, and then they come first.
SECRETARY_KINDS = (
    "duty_gaps",
    "posts_unnamed",
    "estates_uncovered",
    "orders_overdue",
    "orders_returned",
    "supplies_low",
    "orders_to_dispatch",
    "commitment_reports",
    "decisions_due",
    "commitments_to_review",
    "member_applications",
    "volunteer_applications",
    "hours_to_confirm",
    "low_stock",
)


def _secretary_labels() -> dict[str, tuple[str, str, bool]]:
    return {
        "duty_gaps": (
            _("应急值班：一周内没有带班领导的班次"),
            url_for("emergency.duty_index"),
            True,
        ),
        "posts_unnamed": (
            _("应急：没有责任人的责任区、先锋岗"),
            url_for("emergency.posts_index"),
            True,
        ),
        "estates_uncovered": (
            _("应急：没有责任区覆盖的小区"),
            url_for("emergency.posts_index"),
            True,
        ),
        "supplies_low": (
            _("低于最低储备的应急物资"),
            url_for("emergency.supplies_index"),
            False,
        ),
        "orders_overdue": (
            _("超时未派的工单"),
            url_for("help_requests.queue", overdue=1),
            True,
        ),
        "orders_returned": (
            _("街道退回的工单"),
            url_for("help_requests.queue", state=State.SUBMITTED),
            True,
        ),
        "orders_to_dispatch": (
            _("待派单的工单"),
            url_for("help_requests.queue", state=State.SUBMITTED),
            False,
        ),
        "commitment_reports": (_("承诺问题反映"), url_for("commitments.reports"), False),
        "decisions_due": (_("一周内到期的决议"), url_for("committee.decisions_index"), False),
        "commitments_to_review": (_("待审核的承诺"), url_for("commitments.review"), False),
        "member_applications": (_("入盟申请"), url_for("merchants.review_queue"), False),
        "volunteer_applications": (_("志愿者申请"), url_for("volunteers.queue"), False),
        "hours_to_confirm": (_("待确认的服务时长"), url_for("activities.manage"), False),
        "low_stock": (
            _("库存不多的兑换项目（%(n)d 件及以下）", n=LOW_STOCK),
            url_for("points.admin"),
            False,
        ),
    }


NO_AGE = ("low_stock", "decisions_due", "estates_uncovered")


def _emergency_lines(community_id: int, now: datetime) -> list:
    """Supplies below their minimum level (age: since their stock last moved), and, while a
    response covers the community, its gaps: duty shifts of the coming week without a leader
    (age: since the shift was planned), zones and posts without a named person (since they
    were set up), estates no zone covers (no age). Lines of the one UNION ALL statement."""
    running = running_clause(community_id)
    in_stock = (
        select(func.coalesce(func.sum(Stock.quantity), 0))
        .where(Stock.item_id == SupplyItem.id)
        .scalar_subquery()
    )
    last_moved = select(func.max(StockMove.at)).where(StockMove.item_id == SupplyItem.id)
    has_leader = (
        select(DutyAssignment.id)
        .where(DutyAssignment.shift_id == DutyShift.id, DutyAssignment.is_leader.is_(True))
        .exists()
    )
    covered = (
        select(PostArea.estate_id)
        .join(EmergencyPost, EmergencyPost.id == PostArea.post_id)
        .where(
            EmergencyPost.community_id == community_id,
            EmergencyPost.kind == PostKind.ZONE,
            PostArea.estate_id.is_not(None),
        )
    )
    return [
        _line(
            "duty_gaps",
            DutyShift,
            DutyShift.created_at,
            DutyShift.community_id == community_id,
            DutyShift.ends_at > now,
            DutyShift.starts_at < now + FLAG_AHEAD,
            ~has_leader,
            running,
        ),
        _line(
            "posts_unnamed",
            EmergencyPost,
            EmergencyPost.created_at,
            EmergencyPost.community_id == community_id,
            EmergencyPost.responsible_id.is_(None),
            running,
        ),
        _line(
            "estates_uncovered",
            Estate,
            # Estates have no date: a typed NULL, or PostgreSQL cannot unite it with the others.
            cast(null(), DateTime()),
            Estate.community_id == community_id,
            Estate.id.not_in(covered),
            running,
        ),
        _line(
            "supplies_low",
            SupplyItem,
            last_moved.scalar_subquery(),
            SupplyItem.community_id == community_id,
            SupplyItem.minimum_units > 0,
            in_stock < SupplyItem.minimum_units,
        ),
    ]


def secretary_tasks(community_id: int, now: datetime | None = None) -> list[Task]:
    """The secretary's waiting work, most urgent first; lines with nothing waiting left out."""
    now = now or utcnow()
    today = local_today(now)
    here = HelpRequest.community_id == community_id
    # Returned (退回社区) by the street office: waiting again, with a "return" in its timeline.
    returned = (
        select(HelpRequestEvent.id)
        .where(
            HelpRequestEvent.help_request_id == HelpRequest.id,
            HelpRequestEvent.action == "return",
        )
        .exists()
    )
    lines = [
        *_emergency_lines(community_id, now),
        _line("orders_overdue", HelpRequest, HelpRequest.due_at, here, overdue_clause(now)),
        _line(
            "orders_returned",
            HelpRequest,
            HelpRequest.updated_at,
            here,
            HelpRequest.state == State.SUBMITTED,
            returned,
        ),
        _line(
            "orders_to_dispatch",
            HelpRequest,
            HelpRequest.submitted_at,
            here,
            HelpRequest.state == State.SUBMITTED,
            ~returned,
        ),
        _line(
            "commitment_reports",
            BrokenCommitmentReport,
            BrokenCommitmentReport.created_at,
            BrokenCommitmentReport.community_id == community_id,
            BrokenCommitmentReport.status == "open",
        ),
        _line(
            "decisions_due",
            Decision,
            Decision.created_at,
            Decision.community_id == community_id,
            Decision.state.in_((DecisionState.OPEN, DecisionState.IN_PROGRESS)),
            Decision.due_date <= today + DECISIONS_AHEAD,
        ),
        _line(
            "commitments_to_review",
            Commitment,
            Commitment.submitted_at,
            Commitment.community_id == community_id,
            Commitment.status == CommitmentStatus.PENDING,
        ),
        _line(
            "member_applications",
            MerchantApplication,
            MerchantApplication.created_at,
            MerchantApplication.community_id == community_id,
            MerchantApplication.status == ApplicationStatus.PENDING,
        ),
        _line(
            "volunteer_applications",
            VolunteerApplication,
            VolunteerApplication.created_at,
            VolunteerApplication.community_id == community_id,
            VolunteerApplication.status == VolunteerApplicationStatus.PENDING,
        ),
        _line(
            "hours_to_confirm",
            Signup,
            Signup.check_out_at,
            Signup.community_id == community_id,
            Signup.status == SignupStatus.SIGNED_UP,
            Signup.minutes.is_not(None),
            Signup.confirmed_at.is_(None),
        ),
        _line(
            "low_stock",
            ExchangeItem,
            ExchangeItem.created_at,
            ExchangeItem.community_id == community_id,
            ExchangeItem.active.is_(True),
            ExchangeItem.stock <= LOW_STOCK,
        ),
    ]
    rows = {row.kind: row for row in db.session.execute(union_all(*lines))}
    labels = _secretary_labels()
    tasks = []
    for kind in SECRETARY_KINDS:
        row = rows.get(kind)
        if row is None or not row.n:
            continue
        label, href, urgent = labels[kind]
        # Decisions, exchange stock and estates have no waiting age worth showing.
        oldest = None if kind in NO_AGE else row.oldest
        tasks.append(Task(kind, label, int(row.n), oldest, href, urgent=urgent))
    return tasks


def street_tasks(street_office_id: int, now: datetime | None = None) -> list[Task]:
    """The street officer's waiting work across the office's communities, most urgent first:
    escalations waiting for the office, each community's overdue orders, then the monthly
    reports the communities have sent for last month. Three statements."""
    now = now or utcnow()
    in_office = HelpRequest.community_id.in_(
        select(Community.id).where(Community.street_office_id == street_office_id)
    )
    escalated = db.session.execute(
        select(func.count(), func.min(HelpRequest.updated_at)).where(
            in_office, HelpRequest.state == State.ESCALATED
        )
    ).one()
    tasks = []
    if escalated[0]:
        tasks.append(
            Task(
                "escalations",
                _("上报街道待办的事项"),
                int(escalated[0]),
                escalated[1],
                url_for("help_requests.escalations"),
                urgent=True,
            )
        )
    overdue = db.session.execute(
        select(
            Community.id, Community.name, func.count(HelpRequest.id), func.min(HelpRequest.due_at)
        )
        .join(Community, Community.id == HelpRequest.community_id)
        .where(in_office, overdue_clause(now))
        .group_by(Community.id, Community.name)
        .order_by(func.min(HelpRequest.due_at), Community.id)
    ).all()
    for community_id, name, n, oldest in overdue:
        tasks.append(
            Task(
                "orders_overdue",
                _("%(community)s：超时未派的工单", community=name),
                int(n),
                oldest,
                url_for("help_requests.escalations", community=community_id, overdue=1),
                urgent=True,
                community=name,
            )
        )
    last = _previous_month_key(now)
    submitted = db.session.execute(
        select(func.count(MonthlyReport.id), func.min(MonthlyReport.submitted_at)).where(
            MonthlyReport.community_id.in_(
                select(Community.id).where(Community.street_office_id == street_office_id)
            ),
            MonthlyReport.month == last,
        )
    ).one()
    if submitted[0]:
        tasks.append(
            Task(
                "monthly_reports",
                _("各社区报送的 %(month)s 月度工作报表", month=last),
                int(submitted[0]),
                submitted[1],
                url_for("reports.monthly_index", month=last),
            )
        )
    return tasks


def _previous_month_key(now: datetime) -> str:
    first = local_today(now).replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def tasks_for(user: User, now: datetime | None = None) -> list[Task] | None:
    """The workbench of a secretary or a street officer; None for everyone else."""
    if user.has_role(Role.STREET_OFFICER) and user.street_office_id:
        return street_tasks(user.street_office_id, now)
    if user.has_role(Role.SECRETARY) and user.community_id:
        return secretary_tasks(user.community_id, now)
    return None

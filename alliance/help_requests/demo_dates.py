"""The demo's resources and projects dated in the story, not at seeding time: a member's
resources in the days after it signed, the street office's units' at the start, the volunteer
teams' as they formed from June to November; a project once the last of its needs was posted
and its resources listed, in office hours. So every monthly report counts the lists it had then
and the exports show when each entry was made."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update

from alliance import clock
from alliance.co_building.models import Resource
from alliance.db_types import utcnow
from alliance.demo.context import DemoContext
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest
from alliance.merchants.models import Merchant
from alliance.projects.models import Project, project_requests, project_resources

STORY_START = date(2026, 6, 1)
TEAMS_FORMED = (date(2026, 6, 8), date(2026, 11, 20))
OPENS, CLOSES = 9, 18  # office hours, local


def office_hours(moment: datetime) -> datetime:
    """The moment itself when the office is open, else its next opening (9:30 local)."""
    local = moment.astimezone(clock.LOCAL_TZ)
    if local.hour >= CLOSES:
        local = datetime.combine(local.date() + timedelta(days=1), time(OPENS, 30), local.tzinfo)
    elif local.hour < OPENS:
        local = datetime.combine(local.date(), time(OPENS, 30), local.tzinfo)
    return local.astimezone(UTC)


def date_the_lists(ctx: DemoContext) -> None:
    now = utcnow()
    signed = dict(db.session.execute(select(Merchant.id, Merchant.created_at)).all())
    made = db.session.execute(
        select(Resource.id, Resource.merchant_id, Resource.community_id)
        .where(Resource.created_at >= ctx.started_at)
        .order_by(Resource.id)
    ).all()
    teams = [rid for rid, merchant_id, community_id in made if not merchant_id and community_id]
    first, last = TEAMS_FORMED
    rows = []
    for i, (rid, merchant_id, community_id) in enumerate(made):
        if merchant_id in signed:
            day = clock.local_date(signed[merchant_id]) + timedelta(days=1 + i % 5)
        elif community_id is None:  # the street office's co-building units
            day = STORY_START + timedelta(days=1 + i % 3)
        else:
            k = teams.index(rid)
            day = first + timedelta(days=(k * (last - first).days) // max(1, len(teams)))
        at = clock.local_at(day, time(OPENS + i % 8, (i * 7) % 60)).astimezone(UTC)
        rows.append({"id": rid, "created_at": min(now, at)})
    if rows:
        db.session.execute(update(Resource), rows)

    projects = list(
        db.session.scalars(select(Project.id).where(Project.created_at >= ctx.started_at))
    )
    if not projects:
        return
    latest: dict[int, datetime] = {}
    for pid, at in (
        db.session.execute(
            select(project_requests.c.project_id, func.max(HelpRequest.submitted_at))
            .join(HelpRequest, HelpRequest.id == project_requests.c.help_request_id)
            .where(project_requests.c.project_id.in_(projects))
            .group_by(project_requests.c.project_id)
        ).all()
        + db.session.execute(
            select(project_resources.c.project_id, func.max(Resource.created_at))
            .join(Resource, Resource.id == project_resources.c.resource_id)
            .where(project_resources.c.project_id.in_(projects))
            .group_by(project_resources.c.project_id)
        ).all()
    ):
        at = _aware(at)
        latest[pid] = max(latest.get(pid, at), at)
    rows = [
        {"id": pid, "created_at": min(now, office_hours(at + timedelta(hours=2 + pid % 4)))}
        for pid, at in latest.items()
    ]
    if rows:
        db.session.execute(update(Project), rows)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

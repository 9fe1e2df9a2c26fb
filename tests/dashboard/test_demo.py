"""The demo tells its story in time: every one of the last six months has plausible rates."""

from sqlalchemy import func, select

from alliance.clock import local_today
from alliance.communities.models import Community
from alliance.dashboard.figures import figures_for, months_ending, parse_month, previous_month
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest


def test_every_month_of_the_demo_shows_work_done_and_rates(demo_seeded, runner, app):
    orders = db.session.scalar(select(func.count(HelpRequest.id)))
    ysmz = db.session.scalars(select(Community).where(Community.code == "YSMZ")).one()
    last = previous_month(local_today().replace(day=1))
    for f in figures_for([ysmz.id], months_ending(last, 6))[ysmz.id]:
        assert f.orders_received >= 8, f.month
        assert f.response_rate is not None and f.response_rate >= 60, f.month
        assert f.resolution_rate is not None and f.resolution_rate >= 80, f.month
        assert f.satisfaction_rate is not None and f.satisfaction_rate >= 50, f.month
    assert runner.invoke(args=["seed-demo", "--password", "DemoPass123"]).exit_code == 0
    assert db.session.scalar(select(func.count(HelpRequest.id))) == orders


def test_the_demo_alliance_grows_from_june(demo_seeded, runner, app):
    ysmz = db.session.scalars(select(Community).where(Community.code == "YSMZ")).one()
    june, july, november = (
        figures_for([ysmz.id], [parse_month(m)])[ysmz.id][0]
        for m in ("2026-06", "2026-07", "2026-11")
    )
    assert (june.members, july.members) == (22, 23)  # the 23rd signed on 7 July
    assert 0 < june.volunteers < july.volunteers < november.volunteers == 600
    assert 0 < june.cards < november.cards


def test_the_three_lists_hold_the_storys_scale_and_are_linked(demo_seeded, runner, app):
    from alliance.co_building.models import Resource
    from alliance.projects.models import Project, project_requests, project_resources

    ysmz = db.session.scalars(select(Community).where(Community.code == "YSMZ")).one()
    needs = db.session.scalar(
        select(func.count(HelpRequest.id)).where(HelpRequest.community_id == ysmz.id)
    )
    resources = db.session.scalar(
        select(func.count(Resource.id)).where(Resource.community_id == ysmz.id)
    )
    projects = db.session.scalar(
        select(func.count(Project.id)).where(Project.community_id == ysmz.id)
    )
    linked_needs = db.session.scalar(
        select(func.count(func.distinct(project_requests.c.help_request_id)))
    )
    linked_resources = db.session.scalar(
        select(func.count(func.distinct(project_resources.c.resource_id)))
    )
    linking_projects = db.session.scalar(
        select(func.count(Project.id)).where(
            Project.community_id == ysmz.id,
            Project.id.in_(select(project_requests.c.project_id))
            | Project.id.in_(select(project_resources.c.project_id)),
        )
    )
    total = needs + resources + projects
    assert 280 <= total <= 330  # "290+ items"
    assert linked_needs >= needs * 0.9
    assert linked_resources >= resources * 0.8
    assert linking_projects == projects
    assert (linked_needs + linked_resources + linking_projects) / total >= 0.9
    assert runner.invoke(args=["seed-demo", "--password", "DemoPass123"]).exit_code == 0
    assert (
        db.session.scalar(select(func.count(Project.id)).where(Project.community_id == ysmz.id))
        == projects
    )


def test_weekly_activities_keep_their_weekday_and_chongyang_is_on_its_day(demo_seeded, runner, app):
    from datetime import date

    from alliance.activities.models import Activity, ActivitySlot

    days = {}
    for title, day in db.session.execute(
        select(Activity.title, ActivitySlot.local_day).join(
            ActivitySlot, ActivitySlot.activity_id == Activity.id
        )
    ):
        days.setdefault(title, []).append(day)
    saturdays = [t for t in days if t.startswith(("周六", "周末"))]
    assert "周六文明创建：楼道清理" in saturdays and "周六义务理发" in saturdays
    for title in saturdays:
        assert {d.weekday() for d in days[title]} == {5}, title  # Saturday, every time
    cleanup = sorted(days["周六文明创建：楼道清理"])
    assert all((b - a).days == 7 for a, b in zip(cleanup, cleanup[1:], strict=False))
    # every month of the story, June to November, has its Saturday cleanups
    assert {d.month for d in cleanup if d.year == 2026} >= {6, 7, 8, 9, 10, 11}
    # 重阳节 (9th day of the 9th lunar month) was 18 October 2026
    assert days["重阳节敬老文艺演出"] == [date(2026, 10, 18)]


def test_every_story_month_has_confirmed_volunteer_hours(demo_seeded, runner, app):
    ysmz = db.session.scalars(select(Community).where(Community.code == "YSMZ")).one()
    months = [parse_month(f"2026-{m:02d}") for m in range(6, 12)]
    for f in figures_for([ysmz.id], months)[ysmz.id]:
        assert f.volunteer_hours > 0, f.month

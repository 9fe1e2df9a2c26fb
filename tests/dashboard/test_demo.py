"""The demo tells its story in time: every one of the last six months has plausible rates."""

from sqlalchemy import func, select

from alliance.clock import local_today
from alliance.communities.models import Community
from alliance.dashboard.figures import figures_for, months_ending, parse_month, previous_month
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest


def test_every_month_of_the_demo_shows_work_done_and_rates(runner, app):
    assert runner.invoke(args=["seed-demo", "--password", "DemoPass123"]).exit_code == 0
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


def test_the_demo_alliance_grows_from_june(runner, app):
    assert runner.invoke(args=["seed-demo", "--password", "DemoPass123"]).exit_code == 0
    ysmz = db.session.scalars(select(Community).where(Community.code == "YSMZ")).one()
    june, july, november = (
        figures_for([ysmz.id], [parse_month(m)])[ysmz.id][0]
        for m in ("2026-06", "2026-07", "2026-11")
    )
    assert (june.members, july.members) == (22, 23)  # the 23rd signed on 7 July
    assert 0 < june.volunteers < july.volunteers < november.volunteers == 600
    assert 0 < june.cards < november.cards


def test_the_three_lists_hold_the_storys_scale_and_are_linked(runner, app):
    from alliance.co_building.models import Resource
    from alliance.projects.models import Project, project_requests

    assert runner.invoke(args=["seed-demo", "--password", "DemoPass123"]).exit_code == 0
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
    linked = db.session.scalar(
        select(func.count(func.distinct(project_requests.c.help_request_id)))
    )
    assert 220 <= needs + resources + projects <= 330
    assert linked >= needs * 0.9

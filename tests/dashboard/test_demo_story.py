"""The demo tells its story in time (issue 17): every month from June to November has
redemptions, savings, points exchanged and rates; the lists, cards and audit log are dated in
the story, not at seeding time."""

import re

import pytest
from sqlalchemy import select

from alliance.cards.models import Card
from alliance.clock import LOCAL_TZ, local_date, local_today
from alliance.communities.models import Community
from alliance.extensions import db

STORY = [f"2026-{m:02d}" for m in range(6, 12)]


@pytest.fixture
def demo(demo_seeded):
    return db.session.scalars(select(Community).where(Community.code == "YSMZ")).one()


def test_every_story_month_has_redemptions_savings_points_spent_and_rates(demo, client):
    for month in STORY:
        answer = client.get(f"/api/v1/communities/{demo.code}/figures?month={month}")
        assert answer.status_code == 200, month
        f = answer.get_json()
        assert f["redemptions"] > 0 and f["savings_fen"] > 0, month
        assert f["points_spent"] > 0, month
        assert f["orders_received"] > 0, month
        for name in ("response_rate", "resolution_rate", "satisfaction_rate"):
            assert f[name] is not None and f[name] > 0, (month, name)
    figures = [
        client.get(f"/api/v1/communities/{demo.code}/figures?month={m}").get_json() for m in STORY
    ]
    # the alliance grows: November's counter is busier than June's
    assert figures[-1]["redemptions"] > figures[0]["redemptions"]
    assert figures[-1]["points_spent"] > figures[0]["points_spent"]


def test_this_month_is_not_zero_percent_once_a_few_days_have_gone(demo, client):
    today = local_today()
    f = client.get(f"/api/v1/communities/{demo.code}/figures").get_json()
    assert f["orders_received"] > 0
    if today.day >= 3:  # orders posted on the 1st are done by the 2nd
        assert f["resolution_rate"] is not None and f["resolution_rate"] > 0
        assert f["response_rate"] is not None and f["response_rate"] > 0


def test_the_monthly_report_counts_the_lists_made_by_then(demo, as_user):
    client = as_user("secretary", "DemoPass123")
    page = client.get(f"/reports/monthly/{demo.code}/2026-09").get_data(as_text=True)
    resources = int(re.search(r"资源清单：(\d+) 项", page)[1])
    projects = int(re.search(r"项目清单：(\d+) 项", page)[1])
    assert resources > 0 and projects > 0
    june = client.get(f"/reports/monthly/{demo.code}/2026-06").get_data(as_text=True)
    # the lists grew after June: September's report holds more projects than June's
    assert int(re.search(r"项目清单：(\d+) 项", june)[1]) < projects


def test_projects_come_after_their_needs_and_resources_before_today(demo):
    from alliance.co_building.models import Resource
    from alliance.help_requests.models import HelpRequest
    from alliance.projects.models import Project

    resources = db.session.scalars(select(Resource).where(Resource.community_id == demo.id))
    assert {local_date(r.created_at).month for r in resources} >= {6, 7, 8, 9, 10, 11}
    for project in db.session.scalars(select(Project).where(Project.community_id == demo.id)):
        assert local_date(project.created_at) < local_today()
        for need in project.requests:
            assert project.created_at > need.submitted_at, project.title
        assert 9 <= project.created_at.astimezone(LOCAL_TZ).hour < 18
    assert db.session.scalar(select(HelpRequest.id).limit(1)) is not None


def test_cards_are_in_force_from_the_day_they_were_issued(demo):
    cards = db.session.scalars(select(Card).where(Card.community_id == demo.id)).all()
    assert len(cards) > 600
    for card in cards:
        assert card.valid_from == local_date(card.created_at), card.number
    assert min(c.valid_from for c in cards).month == 6


def test_the_audit_page_reads_the_storys_approvals(demo, as_user):
    client = as_user("secretary", "DemoPass123")
    page = client.get(
        f"/communities/{demo.id}/audit?kind=VolunteerApplication&until=2026-06-30"
    ).get_data(as_text=True)
    assert re.search(r"赵书记 批准了 志愿者申请", page)
    assert re.search(r'datetime="2026-06-\d\d', page)
    page = client.get(f"/communities/{demo.id}/audit?kind=MerchantApplication").get_data(
        as_text=True
    )
    assert "赵书记 批准了 入盟申请（云水人家餐厅）" in page
    for kind, words in (
        ("Commitment", "公示了 承诺"),
        ("HelpRequest", "派出了 工单"),
        ("Card", "新建了 卡片"),
    ):
        page = client.get(f"/communities/{demo.id}/audit?kind={kind}").get_data(as_text=True)
        assert words in page, kind

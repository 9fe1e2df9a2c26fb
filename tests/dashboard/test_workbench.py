"""The workbench on the home page: each kind of waiting work with its count and oldest age."""

import re
from datetime import timedelta

from sqlalchemy import select

from alliance.commitments.models import CommitmentStatus
from alliance.db_types import utcnow
from alliance.emergency.supply_models import StockMove
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest, HelpRequestEvent
from alliance.merchants.models import MerchantApplication
from alliance.volunteers.models import VolunteerApplication
from tests.commitments.factories import create_commitment, create_merchant
from tests.conftest import office_with_community
from tests.dashboard.factories import category_of, insert_orders, order_row


def _tasks(html):
    """{kind: (count, age text)} of the workbench lines, in page order."""
    tasks = {}
    for block in re.findall(r'<a class="task-line.*?</a>', html, re.S):
        kind = re.search(r'data-kind="([a-z_]+)"', block)[1]
        age = re.search(r'class="task-age">最早的已等 ([^<]*)</small>', block)
        count = re.search(r'task-count">(\d+)<', block)[1]
        tasks[kind] = (int(count), age[1] if age else "")
    return tasks


def _wait(world, now, number=1):
    cat = category_of(world.a)
    insert_orders(
        [
            # overdue: submitted four days ago, due after three
            order_row(world.a, cat, now - timedelta(days=4)),
            # waiting, not yet due, posted five hours ago
            order_row(world.a, cat, now - timedelta(hours=5)),
            # returned by the street office: escalated once, sent back, waiting again
            order_row(world.a, cat, now - timedelta(hours=2), updated_at=now - timedelta(hours=1)),
            # B's waiting order is not A's work
            order_row(world.b, category_of(world.b), now - timedelta(days=9)),
            # escalated to the street office
            order_row(world.a, cat, now - timedelta(days=1), state="escalated", escalated=True),
        ]
    )
    returned = db.session.scalars(
        select(HelpRequest)
        .where(HelpRequest.community_id == world.a.id)
        .order_by(HelpRequest.id.desc())
    ).all()[1]
    db.session.add_all(
        HelpRequestEvent(
            help_request_id=returned.id,
            community_id=world.a.id,
            action=action,
            from_state=a,
            to_state=b,
            created_at=now - timedelta(hours=k),
        )
        for k, (action, a, b) in enumerate(
            (("return", "escalated", "submitted"), ("escalate", "submitted", "escalated"))
        )
    )
    for k in range(3):
        db.session.add(
            VolunteerApplication(
                community_id=world.a.id,
                user_id=world.users["resident"].id,
                name=f"申请人{k}",
                phone="13900002222",
                created_at=now - timedelta(days=2 + k),
            )
        )
    shop = create_merchant(world.a, number)
    pending = create_commitment(shop, status=CommitmentStatus.PENDING)
    pending.submitted_at = now - timedelta(hours=30)
    db.session.add(
        MerchantApplication(
            community_id=world.a.id,
            applicant_id=world.users["resident"].id,
            name="新开面馆",
            address="云水路1号",
            category="catering",
            contact_name="王",
            contact_phone="13900003333",
        )
    )
    db.session.commit()


def test_secretary_home_lists_waiting_work_most_urgent_first(as_user, world):
    now = utcnow()
    _wait(world, now)
    html = as_user("secretary_a").get("/").get_data(as_text=True)
    tasks = _tasks(html)
    assert list(tasks) == [
        "orders_overdue",
        "orders_returned",
        "orders_to_dispatch",
        "commitments_to_review",
        "member_applications",
        "volunteer_applications",
    ]
    assert tasks["orders_overdue"][0] == 1
    assert tasks["orders_to_dispatch"] == (2, "4 天")
    assert tasks["orders_returned"] == (1, "1 小时")
    assert tasks["commitments_to_review"] == (1, "1 天")
    assert tasks["volunteer_applications"] == (3, "4 天")
    assert tasks["member_applications"][0] == 1
    # one tap to the work
    assert 'href="/requests/queue?overdue=1" data-kind="orders_overdue"' in html


def test_street_officer_sees_escalations_and_each_communitys_overdue(as_user, world):
    now = utcnow()
    _wait(world, now)
    html = as_user("street").get("/").get_data(as_text=True)
    tasks = _tasks(html)
    assert tasks["escalations"][0] == 1
    assert "甲社区：超时未派的工单" in html and "乙社区：超时未派的工单" in html


def test_street_officers_overdue_line_lands_on_that_communitys_overdue_orders(as_user, world):
    """One tap from the line to the orders it counts (not to the community's settings page)."""

    _wait(world, utcnow())
    # The secretary's queue with the same filters first: its kept filter form has no community.
    as_user("secretary_a").get("/requests/queue?state=&overdue=1")
    client = as_user("street")
    html = client.get("/").get_data(as_text=True)
    href = f"/requests/escalations?community={world.a.id}&amp;overdue=1"
    assert f'href="{href}" data-kind="orders_overdue"' in html
    page = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    assert "超时工单 · 甲社区" in page
    # Filtering again stays on that community.
    assert f'<input type="hidden" name="community" value="{world.a.id}">' in page
    assert "共 1 条" in page and page.count('class="order-link"') == 1
    # another office's community is not the officer's to read
    _other, elsewhere = office_with_community(code="NY", name="南园街道")
    assert client.get(f"/requests/escalations?community={elsewhere.id}").status_code == 404


def test_nothing_waiting_says_so_and_others_have_no_workbench(as_user, world):
    html = as_user("secretary_b").get("/").get_data(as_text=True)
    assert "眼下没有等着处理的工作。" in html
    assert "待办工作" not in as_user("resident").get("/").get_data(as_text=True)


def test_workbench_statements_do_not_grow(as_user, world, count_statements):
    client = as_user("secretary_a")
    client.get("/")
    with count_statements() as small:
        client.get("/")
    _wait(world, utcnow(), number=1)
    _wait(world, utcnow(), number=2)
    with count_statements() as large:
        client.get("/")
    assert large.count == small.count


def test_street_officer_sees_last_months_reports_sent_up(as_user, world):
    from alliance.clock import local_today
    from alliance.reports.models import MonthlyReport

    last = (local_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    db.session.add(MonthlyReport(community_id=world.a.id, month=last, remarks=""))
    db.session.add(MonthlyReport(community_id=world.b.id, month="2020-01", remarks=""))
    db.session.commit()
    html = as_user("street").get("/").get_data(as_text=True)
    assert _tasks(html)["monthly_reports"][0] == 1
    assert f'href="/reports/monthly?month={last}" data-kind="monthly_reports"' in html


def _emergency_gaps(world, now):
    """Low supplies; and the gaps a response would show: a leaderless shift tomorrow, a post
    without a person, an estate no zone covers (甲一小区; 乙's estate is not A's work)."""
    from alliance.emergency import duty, posts, supplies

    secretary = world.users["secretary_a"]
    store = supplies.create_store(world.a, name="一号仓库", place="东门", actor=secretary)
    boats = supplies.create_item(world.a, kind="boat", name="", minimum=3, actor=secretary)
    bags = supplies.create_item(world.a, kind="sandbag", name="", minimum=100, actor=secretary)
    vests = supplies.create_item(world.a, kind="life_jacket", name="", minimum=0, actor=secretary)
    supplies.move(store, boats, kind="receive", count=2, actor=secretary)
    supplies.move(store, bags, kind="receive", count=500, actor=secretary)
    supplies.move(store, vests, kind="receive", count=1, actor=secretary)
    db.session.flush()
    db.session.execute(
        StockMove.__table__.update()
        .where(StockMove.item_id == boats.id)
        .values(at=now - timedelta(days=2, hours=1))
    )
    posts.create_post(
        world.a, posts.PostInput(kind="post", name="物资先锋岗"), actor=secretary
    ).created_at = now - timedelta(hours=3)
    shift = duty.create_shift(
        world.a,
        duty.ShiftInput(
            starts_at=now + timedelta(days=1), hours=12, place="值班室", people=("volunteer",)
        ),
        actor=secretary,
    )
    shift.created_at = now - timedelta(hours=6)
    db.session.commit()


def _respond(world):
    from alliance.emergency import services

    services.start_response(
        services.Target(community=world.a),
        kind="flood",
        level="IV",
        reason="暴雨",
        drill=False,
        actor=None,
    )
    db.session.commit()


def test_low_supplies_always_and_duty_and_zone_gaps_during_a_response(as_user, world):
    now = utcnow()
    _emergency_gaps(world, now)
    client = as_user("secretary_a")
    html = client.get("/").get_data(as_text=True)
    tasks = _tasks(html)
    # no response: only the supplies below their minimum (boats 2 < 3), aged by their last move
    assert tasks == {"supplies_low": (1, "2 天")}
    assert 'href="/emergency/supplies" data-kind="supplies_low"' in html
    _respond(world)
    html = client.get("/").get_data(as_text=True)
    tasks = _tasks(html)
    assert list(tasks) == ["duty_gaps", "posts_unnamed", "estates_uncovered", "supplies_low"]
    assert tasks["duty_gaps"] == (1, "6 小时")
    assert tasks["posts_unnamed"] == (1, "3 小时")
    assert tasks["estates_uncovered"] == (1, "")
    assert 'href="/emergency/duty" data-kind="duty_gaps"' in html
    assert 'href="/emergency/posts" data-kind="posts_unnamed"' in html
    # B has no response and no gaps
    assert "duty_gaps" not in _tasks(as_user("secretary_b").get("/").get_data(as_text=True))


def test_emergency_lines_keep_the_workbench_statements_fixed(as_user, world, count_statements):
    _respond(world)
    client = as_user("secretary_a")
    client.get("/")
    with count_statements() as small:
        client.get("/")
    _emergency_gaps(world, utcnow())
    with count_statements() as large:
        html = client.get("/").get_data(as_text=True)
    assert "duty_gaps" in _tasks(html)
    assert large.count == small.count


def test_a_volume_below_its_minimum_is_low_stock_in_hundredths(as_user, world):
    """Volumes are stored in hundredths of a m³: 1.75 m³ is below a 2 m³ minimum, 2.5 m³ is
    not below 1.5 m³ (the line compares stored steps with stored steps)."""
    from alliance.emergency import supplies

    secretary = world.users["secretary_a"]
    store = supplies.create_store(world.a, name="砂石料场", place="", actor=secretary)
    gravel = supplies.create_item(world.a, kind="gravel", name="", minimum="2", actor=secretary)
    stakes = supplies.create_item(world.a, kind="stakes", name="", minimum="1.5", actor=secretary)
    supplies.move(store, gravel, kind="receive", count="1.75", actor=secretary)
    supplies.move(store, stakes, kind="receive", count="2.5", actor=secretary)
    db.session.commit()
    html = as_user("secretary_a").get("/").get_data(as_text=True)
    assert _tasks(html)["supplies_low"][0] == 1

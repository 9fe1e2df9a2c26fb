"""Every change that concerns a person tells them: one test per domain's events."""

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select

from alliance import clock
from alliance.activities import services as activities
from alliance.cards import services as cards
from alliance.commitments import fulfilment, workflow
from alliance.commitments.models import CommitmentStatus
from alliance.extensions import db
from alliance.merchants import applications as merchant_applications
from alliance.notifications.models import Notification
from alliance.points import ledger, scoring
from alliance.volunteers import services as volunteers
from tests.commitments.factories import create_commitment, create_merchant
from tests.merchants.factories import make_application, terms
from tests.points.factories import make_activity, make_volunteer


def told(user):
    """(kind, Chinese title, English title, link) of each notification the user got, oldest first."""
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    out = []
    for n in rows:
        with force_locale("zh_CN"):
            zh = n.title
        with force_locale("en"):
            en = n.title
        out.append((n.kind, zh, en, n.link))
    return out


def _apply_as_volunteer(world):
    application = volunteers.apply(
        world.users["resident"],
        volunteers.VolunteerData(
            name="李四",
            phone="13800001111",
            estate_id=world.estate_a.id,
            building="1号楼",
            skills="",
            availability="",
        ),
    )
    db.session.commit()
    return application


def test_volunteer_application_approved_and_rejected(world):
    application = _apply_as_volunteer(world)
    volunteers.approve(application, world.users["secretary_a"])
    db.session.commit()
    kinds = [k for k, *_ in told(world.users["resident"])]
    # Approval issues the volunteer card too: both are told.
    assert kinds == ["card.issued", "volunteer.approved"]
    _kind, zh, en, link = told(world.users["resident"])[1]
    assert zh == "您的志愿者申请已通过，欢迎加入甲社区志愿者队伍"
    assert en.startswith("Your volunteer application was approved") and link == "/me/card"


def test_volunteer_application_rejected_says_why(world):
    application = _apply_as_volunteer(world)
    volunteers.reject(application, world.users["secretary_a"], "资料不全")
    db.session.commit()
    [(kind, zh, en, _link)] = told(world.users["resident"])
    assert kind == "volunteer.rejected" and zh == "您的志愿者申请未通过"
    note = db.session.scalars(select(Notification)).one()
    with force_locale("en"):
        assert note.body == "Reason: 资料不全"


def test_member_application_approved_sent_back_and_rejected(world):
    applicant = world.users["resident"]
    first = make_application(applicant, name="明珠小馆")
    merchant_applications.request_changes(first, world.users["secretary_a"], "请补营业执照")
    db.session.commit()
    merchant_applications.approve_application(first, world.users["secretary_a"], terms())
    db.session.commit()
    second = make_application(applicant, name="明珠二馆")
    merchant_applications.reject_application(second, world.users["secretary_a"], "重复申请")
    db.session.commit()
    got = told(applicant)
    assert [k for k, *_ in got] == ["member.returned", "member.approved", "member.rejected"]
    assert got[0][1] == "“明珠小馆”的入盟申请需要修改"
    assert got[1][1] == "“明珠小馆”已成为联盟成员（第1号）"
    assert got[1][2] == "“明珠小馆” is now an alliance member (no. 1)"
    assert got[2][2] == "The membership application of “明珠二馆” was not approved"


def test_commitment_approved_rejected_and_reported(world):
    staff = world.users["merchant"]
    shop = create_merchant(world.a, 1, name="明珠面馆", staff=[staff])
    good = create_commitment(shop, title="明码标价", status=CommitmentStatus.PENDING)
    bad = create_commitment(shop, title="全场免费", status=CommitmentStatus.PENDING)
    db.session.commit()
    workflow.approve_commitment(good, world.users["secretary_a"])
    workflow.reject_commitment(bad, world.users["secretary_a"], "不现实")
    db.session.commit()
    fulfilment.report_broken(good, world.users["resident"], "结账时没有标价")
    db.session.commit()
    got = told(staff)
    assert [k for k, *_ in got] == [
        "commitment.approved",
        "commitment.rejected",
        "commitment.reported",
    ]
    assert got[2][1] == "有居民反映承诺“明码标价”未兑现"
    assert got[2][2] == "A resident reports that commitment “明码标价” was not kept"


def test_card_issued_reported_lost_and_reissued(world):
    holder = world.users["volunteer"]
    make_volunteer(holder, world.a)
    card = cards.issue_card(holder, "volunteer")
    db.session.commit()
    cards.change_status(card, "lost")
    db.session.commit()
    new = cards.reissue(card, world.users["secretary_a"])
    db.session.commit()
    got = told(holder)
    assert [k for k, *_ in got] == ["card.issued", "card.lost", "card.reissued"]
    assert got[0][1] == f"您的联盟卡已发放，卡号 {card.number}"
    assert got[2][2].startswith(f"Your alliance card was reissued: new number {new.number}")


def test_points_awarded_and_spent(world):
    holder = world.users["volunteer"]
    ledger.award(holder, "20", "扶老人过马路", world.users["secretary_a"])
    db.session.commit()
    got = told(holder)
    assert got == [
        (
            "points.awarded",
            "您获得 20 积分：扶老人过马路",
            "You earned 20 points: 扶老人过马路",
            "/me/points",
        )
    ]


def test_points_spent_at_a_member(world):
    from alliance.counter.exchanges import exchange
    from alliance.merchants.models import Merchant
    from tests.points.factories import counter_setup

    s = counter_setup(world, balance=25, cost=10)
    shop = db.session.get(Merchant, s.shop_id)
    exchange(
        merchant=shop,
        staff=world.users["merchant"],
        raw_code=s.code,
        item_id=s.item_id,
        idempotency_key="k-1",
    )
    db.session.commit()
    kind, zh, en, link = told(world.users["volunteer"])[-1]
    assert kind == "points.spent" and zh == "您使用 10 积分兑换了“明珠面馆：牛肉面一碗”"
    assert en == "You spent 10 points on “明珠面馆：牛肉面一碗”"


def _earned(world, months, days_ago):
    from alliance.db_types import utcnow
    from alliance.points.models import LedgerEntry

    rule = scoring.rule_for(world.a.id)
    rule.expiry_months = months
    db.session.add(rule)
    db.session.flush()
    ledger.post_entry(
        user_id=world.users["volunteer"].id,
        community_id=world.a.id,
        kind="award",
        delta=15,
        reason="活动",
        now=utcnow() - timedelta(days=days_ago),
    )
    db.session.commit()
    return db.session.scalars(select(LedgerEntry)).one()


def test_points_expiring_within_thirty_days_are_told_once(world):
    from alliance.notifications.periodic import notify_points_expiring

    entry = _earned(world, months=1, days_ago=31)
    today = clock.local_today()
    assert 0 <= (entry.expires_on - today).days <= 30
    assert notify_points_expiring(today) == 1
    assert notify_points_expiring(today) == 0  # the next day's run does not repeat it
    kind, zh, _en, _link = told(world.users["volunteer"])[-1]
    assert kind == "points.expiring"
    assert zh == f"您有 15 积分将于 {entry.expires_on.isoformat()} 过期"


def test_points_expiring_later_are_not_told_yet(world):
    from alliance.notifications.periodic import notify_points_expiring

    entry = _earned(world, months=2, days_ago=0)
    assert (entry.expires_on - clock.local_today()).days > 30
    assert notify_points_expiring() == 0


def test_activity_signup_confirmed_changed_and_cancelled(world):
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a)
    activity = make_activity(world.a, world.users["secretary_a"], title="清洁家园")
    db.session.commit()
    activities.sign_up(activity.slots[0], volunteer)
    db.session.commit()
    activities.update_activity(
        activity,
        activities.ActivityInput(title="清洁家园", category="environment", place="东门广场"),
    )
    db.session.commit()
    activities.cancel_activity(activity)
    db.session.commit()
    got = told(volunteer)
    assert [k for k, *_ in got] == [
        "activity.signup_confirmed",
        "activity.slot_changed",
        "activity.cancelled",
    ]
    assert got[0][1].startswith("您已报名“清洁家园”，时间 ")
    assert got[2][2] == "“清洁家园” has been cancelled"


def test_order_past_due_is_told_to_the_secretary(world):
    from alliance.db_types import utcnow
    from alliance.help_requests import catalogue as help_requests
    from alliance.notifications.periodic import notify_orders_overdue
    from tests.help_requests.factories import post_need

    help_requests.ensure_catalogue(world.a)
    post_need(world)
    db.session.commit()
    assert notify_orders_overdue(utcnow() + timedelta(days=30)) == 1
    got = told(world.users["secretary_a"])[-1]
    assert got[0] == "order.overdue" and got[1] == "有 1 张工单已超过办理时限"

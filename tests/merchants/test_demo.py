"""The demo builds the story's members and volunteers, idempotently and quickly."""

from sqlalchemy import func, select

from alliance.accounts.models import Role, User
from alliance.communities.models import Community
from alliance.merchants.models import (
    Agreement,
    ApplicationStatus,
    Merchant,
    MerchantApplication,
    MerchantStaff,
)
from alliance.volunteers.models import VolunteerApplication, VolunteerProfile
from tests.conftest import login

MODELS = [
    User,
    Merchant,
    Agreement,
    MerchantStaff,
    MerchantApplication,
    VolunteerProfile,
    VolunteerApplication,
]


def _counts(db):
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_demo_members_and_volunteers(runner, db, app):
    # How fast it seeds (under 10 s) is measured by make bench (bench/timings.py).
    result = runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
    assert result.exit_code == 0, result.output
    first = _counts(db)
    assert runner.invoke(args=["seed-demo", "--password", "DemoPass123"]).exit_code == 0
    db.session.expire_all()
    assert _counts(db) == first

    ysmz = db.session.scalars(select(Community).where(Community.code == "YSMZ")).one()
    members = db.session.scalars(
        select(Merchant).where(Merchant.community_id == ysmz.id).order_by(Merchant.number)
    ).all()
    assert [m.number for m in members] == list(range(1, 24))
    assert {m.category for m in members} >= {
        "catering",
        "bakery",
        "pharmacy",
        "cinema",
        "finance",
        "retail",
    }
    signed = [m.agreement.signed_on for m in members]
    assert all(d.year == 2026 and d.month == 6 and d.day <= 10 for d in signed[:22])
    assert str(signed[22]) == "2026-07-07"
    ny = db.session.scalar(
        select(func.count(Merchant.id)).join(Community).where(Community.code == "NY")
    )
    assert ny >= 2

    merchant = db.session.scalars(select(User).where(User.username == "merchant")).one()
    link = db.session.scalars(
        select(MerchantStaff).where(MerchantStaff.user_id == merchant.id)
    ).one()
    assert link.is_owner and link.merchant.category == "catering"

    volunteers = db.session.scalar(
        select(func.count(VolunteerProfile.id)).where(
            VolunteerProfile.community_id == ysmz.id, VolunteerProfile.status == "active"
        )
    )
    assert volunteers == 600
    volunteer = db.session.scalars(select(User).where(User.username == "volunteer")).one()
    assert Role.VOLUNTEER in volunteer.roles
    assert db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.user_id == volunteer.id)
    ).one()
    assert (
        db.session.scalar(
            select(func.count(VolunteerApplication.id)).where(
                VolunteerApplication.status == "pending"
            )
        )
        >= 2
    )
    assert (
        db.session.scalar(
            select(func.count(MerchantApplication.id)).where(
                MerchantApplication.status.in_(
                    [ApplicationStatus.PENDING, ApplicationStatus.CHANGES_REQUESTED]
                )
            )
        )
        >= 2
    )

    # the demo logins see their pages
    client = app.test_client()
    assert login(client, "merchant", "DemoPass123").status_code == 303
    assert "云水人家餐厅" in client.get("/merchants/mine").get_data(as_text=True)
    client = app.test_client()
    assert login(client, "volunteer", "DemoPass123").status_code == 303
    assert "在岗" in client.get("/volunteers/me").get_data(as_text=True)
    client = app.test_client()
    assert login(client, "secretary", "DemoPass123").status_code == 303
    assert "好邻居烧烤" in client.get("/merchants/review").get_data(as_text=True)
    assert "谢晓云" in client.get("/volunteers/applications").get_data(as_text=True)

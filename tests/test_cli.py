from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from alliance.accounts.models import Role, User
from alliance.activities.models import Signup
from alliance.cards.models import Redemption
from alliance.communities.demo import DEMO_LOGINS
from alliance.communities.models import Community, Estate, Grid, StreetOffice
from alliance.help_requests.models import HelpRequest, HelpRequestEvent
from alliance.points.models import Exchange, LedgerEntry
from tests.conftest import login


def _counts(db):
    models = [User, Community, Estate, Grid, StreetOffice]
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def test_seed_demo_builds_the_story_and_is_idempotent(runner, db, app):
    result = runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
    assert result.exit_code == 0, result.output
    first = _counts(db)
    result = runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _counts(db) == first
    ysmz = db.session.scalars(select(Community).where(Community.code == "YSMZ")).one()
    assert ysmz.name == "云水明珠社区"
    assert len(ysmz.estates) == 4
    assert first["Community"] == 2
    grids = db.session.scalars(select(Grid).where(Grid.community_id == ysmz.id)).all()
    assert grids and all(g.worker_id for g in grids)
    assert len({g.worker_id for g in grids}) == len(grids)


# Rows the seed dates in the story: none may lie after the moment it ran.
_DATED = [
    (HelpRequestEvent, HelpRequestEvent.created_at),
    (HelpRequest, HelpRequest.first_dispatched_at),
    (HelpRequest, HelpRequest.resolved_at),
    (LedgerEntry, LedgerEntry.created_at),
    (Signup, Signup.confirmed_at),
    (Exchange, Exchange.created_at),
    (Redemption, Redemption.created_at),
]


@pytest.mark.parametrize(
    "now",
    [
        # This month's next-day orders: once reviewed (30 h) before they were done (32 h).
        "2026-12-07T09:45:00+00:00",
        # Half an hour into a month, and into a year, in Shanghai: last month's latest orders
        # and the activities that just ended are not done yet.
        "2026-12-31T16:30:00+00:00",
        "2027-02-28T16:30:00+00:00",
        # Half an hour after the Saturday 9-11 volunteer slot (confirmed an hour after it ends).
        "2026-12-12T03:30:00+00:00",
    ],
)
def test_the_demo_seeds_at_any_hour_and_dates_nothing_later(runner, db, now):
    with time_machine.travel(datetime.fromisoformat(now), tick=True):
        result = runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
        finished = datetime.now(UTC)
    assert result.exit_code == 0, result.output
    for model, column in _DATED:
        latest = db.session.scalar(select(func.max(column)).select_from(model))
        assert latest is None or latest <= finished, (column, latest, finished)


def test_every_demo_login_works(runner, app):
    runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
    for username, *_ in DEMO_LOGINS:
        client = app.test_client()
        assert login(client, username, "DemoPass123").status_code == 303, username
        assert client.get("/me").status_code == 200


def test_seed_if_empty_leaves_existing_data_alone(runner, world):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has data" in result.output


def test_demo_logins_are_printed(runner):
    output = runner.invoke(args=["demo-logins"]).output
    for username, *_ in DEMO_LOGINS:
        assert username in output


def test_create_admin_makes_a_secretary(runner, world, db, app):
    result = runner.invoke(
        args=[
            "create-admin",
            "--username",
            "newsec",
            "--name",
            "新书记",
            "--role",
            "secretary",
            "--community",
            "AAA",
            "--password",
            "Strong123pw",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.username == "newsec")).one()
    assert user.has_role(Role.SECRETARY) and user.community_id == world.a.id
    client = app.test_client()
    login(client, "newsec", "Strong123pw")
    assert client.get(f"/communities/{world.a.id}/people").status_code == 200


def test_create_admin_makes_a_street_officer(runner, world, db):
    result = runner.invoke(
        args=[
            "create-admin",
            "--username",
            "newstreet",
            "--name",
            "街道",
            "--role",
            "street_officer",
            "--street-office",
            "WC",
            "--password",
            "Strong123pw",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.username == "newstreet")).one()
    assert user.has_role(Role.STREET_OFFICER) and user.street_office_id == world.office.id


def test_create_admin_refuses_bad_input(runner, world, db):
    weak = runner.invoke(
        args=[
            "create-admin",
            "--username",
            "x1",
            "--name",
            "x",
            "--role",
            "secretary",
            "--community",
            "AAA",
            "--password",
            "weak",
        ]
    )
    assert weak.exit_code != 0
    unknown = runner.invoke(
        args=[
            "create-admin",
            "--username",
            "x2",
            "--name",
            "x",
            "--role",
            "secretary",
            "--community",
            "NOPE",
            "--password",
            "Strong123pw",
        ]
    )
    assert unknown.exit_code != 0 and "no community" in unknown.output
    dup = runner.invoke(
        args=[
            "create-admin",
            "--username",
            "resident",
            "--name",
            "x",
            "--role",
            "secretary",
            "--community",
            "AAA",
            "--password",
            "Strong123pw",
        ]
    )
    assert dup.exit_code != 0
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.username.in_(["x1", "x2"]))) == 0
    )

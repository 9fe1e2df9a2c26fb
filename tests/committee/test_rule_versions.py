"""Rules that change by decision: the ledger applies the version in force on the service day."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from alliance import clock
from alliance.activities import service_hours
from alliance.activities.models import Activity, ActivitySlot, Signup
from alliance.committee.services import CommitteeError, decisions
from alliance.committee.services.decisions import DecisionInput
from alliance.extensions import db
from alliance.points import ledger, rule_versions, scoring
from alliance.points.errors import PointsError
from alliance.points.models import LedgerEntry
from alliance.points.rule_versions import RuleVersionError
from tests.committee.factories import attend, hold, make_committee
from tests.points.factories import make_volunteer

BASE = {
    "points_per_hour": "10",
    "emergency_percent": "200",
    "night_percent": "150",
    "night_start_hour": "22",
    "night_end_hour": "6",
    "award_max": "50",
    "points_per_yuan": "10",
    "exchange_item_max": "1000",
    "expiry_months": "",
}


def _propose(world, effective, **changes):
    values = {**BASE, **{k: v for k, v in changes.items() if k != "rates"}}
    values["category_rates"] = changes.get("rates", {})
    return rule_versions.propose(
        world.a.id,
        values,
        effective_from=effective,
        summary=f"{effective.isoformat()}起的规则",
        actor_id=world.users["secretary_a"].id,
    )


def _adopt(world, meeting, version):
    return decisions.pass_decision(
        meeting,
        DecisionInput(
            text=version.summary,
            owner=world.users["secretary_a"],
            due_date=version.effective_from,
            rule_version_id=version.id,
        ),
        actor=world.users["secretary_a"],
    )


def _served(world, day: date, minutes=60, category="environment"):
    """A confirmed-ready sign-up for a 10:00 (Shanghai) slot on `day`."""
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a)
    start = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    activity = Activity(
        community_id=world.a.id, title=f"服务{day}", category=category, place="广场"
    )
    db.session.add(activity)
    db.session.flush()
    slot = ActivitySlot(
        activity_id=activity.id,
        community_id=world.a.id,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
        taken=1,
        local_day=day,
    )
    db.session.add(slot)
    db.session.flush()
    signup = Signup(
        slot_id=slot.id,
        activity_id=activity.id,
        community_id=world.a.id,
        user_id=volunteer.id,
        check_in_at=start,
        check_out_at=start + timedelta(minutes=minutes),
        minutes=minutes,
    )
    db.session.add(signup)
    db.session.flush()
    return signup


@pytest.fixture
def quorate(world, make_user):
    c = make_committee(world, make_user, liaisons=2)
    meeting = hold(world)
    attend(meeting, [u.id for u in c.officers])
    return meeting


def test_ledger_applies_the_version_in_force_on_the_service_day(world, quorate):
    june = _propose(world, date(2026, 6, 1), points_per_hour="10")
    october = _propose(world, date(2026, 10, 1), points_per_hour="12", rates={"environment": "15"})
    _adopt(world, quorate, june)
    _adopt(world, quorate, october)
    db.session.commit()
    secretary = world.users["secretary_a"]
    before = _served(world, date(2026, 9, 30))
    after = _served(world, date(2026, 10, 1))
    other_kind = _served(world, date(2026, 10, 2), category="culture")
    assert service_hours.confirm(before, secretary) == 10
    assert service_hours.confirm(after, secretary) == 15  # environment's own rate
    assert service_hours.confirm(other_kind, secretary) == 12  # the base rate of October
    db.session.commit()
    entries = {e.signup_id: e.delta for e in db.session.scalars(select(LedgerEntry))}
    assert entries == {before.id: 10, after.id: 15, other_kind.id: 12}


def test_a_version_that_would_rewrite_confirmed_points_is_refused(world, quorate):
    _adopt(world, quorate, _propose(world, date(2026, 6, 1)))
    db.session.commit()
    service_hours.confirm(_served(world, date(2026, 9, 15)), world.users["secretary_a"])
    db.session.commit()
    with pytest.raises(RuleVersionError) as exc:
        _propose(world, date(2026, 9, 15), points_per_hour="20")
    assert exc.value.field == "effective_from"
    assert "不能改写已确认的积分" in str(exc.value.message)
    # A past date after the last confirmed service is fine.
    ok = _propose(world, date(2026, 9, 16), points_per_hour="20")
    db.session.commit()
    # Adoption checks again: a service confirmed meanwhile blocks it, nothing half-saved.
    service_hours.confirm(_served(world, date(2026, 9, 20)), world.users["secretary_a"])
    db.session.commit()
    count_before = len(decisions.of_meeting(quorate))
    with pytest.raises(RuleVersionError):
        _adopt(world, quorate, ok)
    db.session.rollback()
    assert len(decisions.of_meeting(quorate)) == count_before
    assert db.session.get(rule_versions.RuleVersion, ok.id).status == "proposed"


def test_a_proposed_version_applies_only_once_adopted(world, quorate):
    _propose(world, date(2026, 6, 1), points_per_hour="30")
    db.session.commit()
    assert scoring.rule_at(world.a.id, date(2026, 7, 1)).points_per_hour == 10  # the default
    assert not rule_versions.has_versions(world.a.id)


def test_without_quorum_a_rule_change_cannot_be_adopted(world, make_user):
    c = make_committee(world, make_user, liaisons=4)
    meeting = hold(world)
    attend(meeting, [c.officers[0].id])
    version = _propose(world, date(2026, 6, 1))
    db.session.commit()
    with pytest.raises(CommitteeError) as exc:
        _adopt(world, meeting, version)
    assert exc.value.code == "no_quorum"
    db.session.rollback()
    assert db.session.get(rule_versions.RuleVersion, version.id).status == "proposed"


def test_scoring_and_exchange_rules_in_force_limit_awards_and_items(world, quorate):
    from tests.points.factories import make_item, make_shop

    today = clock.local_today()
    _adopt(world, quorate, _propose(world, today, award_max="20", exchange_item_max="200"))
    db.session.commit()
    with pytest.raises(PointsError) as exc:
        ledger.award(world.users["volunteer"], 21, "好人好事", world.users["secretary_a"])
    assert exc.value.code == "over_award_rule"
    assert ledger.award(world.users["volunteer"], 20, "好人好事", world.users["secretary_a"])
    shop, commitment = make_shop(world.a, [world.users["merchant"]], number=700)
    with pytest.raises(PointsError) as exc:
        make_item(commitment, world.users["merchant"], cost=201)
    assert exc.value.code == "over_exchange_rule"


def test_rules_page_lists_versions_with_their_decisions_and_stops_direct_edits(
    world, quorate, as_user
):
    decision = _adopt(world, quorate, _propose(world, date(2026, 6, 1)))
    db.session.commit()
    client = as_user("secretary_a")
    page = client.get("/points/rules").get_data(as_text=True)
    assert f'href="/committee/decisions/{decision.id}"' in page
    assert decision.number in page
    r = client.post("/points/rules", data={**BASE, "points_per_hour": "99"})
    assert r.status_code == 422
    assert "已由协调委员会决议管理" in r.get_data(as_text=True)
    assert scoring.rule_for(world.a.id).points_per_hour == 10

"""The committee's rules: members, quorum, decisions and their numbers, carry-over, minutes."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from alliance.committee.models import (
    CommitteeMember,
    Decision,
    MemberRole,
    Proposal,
)
from alliance.committee.services import CommitteeError, agenda, decisions, meetings, members
from alliance.committee.services.decisions import DecisionInput
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.notifications.models import Notification
from tests.committee.factories import TERM, attend, hold, make_committee


def _decide(meeting, world, text="请街道协调中药渣处理", **kw):
    data = DecisionInput(
        text=text,
        owner=kw.pop("owner", world.users["secretary_a"]),
        due_date=kw.pop("due_date", date(2026, 7, 10)),
        **kw,
    )
    return decisions.pass_decision(meeting, data, actor=world.users["secretary_a"])


def test_quorum_is_more_than_half_by_default_and_a_series_setting(world, make_user):
    c = make_committee(world, make_user, liaisons=5)  # chair + 5 = 6 invited
    meeting = hold(world)
    assert meetings.count(meeting).invited == 6
    assert meetings.count(meeting).needed == 4  # 3 of 6 is half, not more than half
    attend(meeting, [u.id for u in c.officers[:3]])
    assert not meetings.count(meeting).quorate
    meetings.set_quorum(meeting.series, "50")
    db.session.commit()
    assert meetings.count(meeting).needed == 3 and meetings.count(meeting).quorate


def test_without_quorum_a_decision_is_refused_and_can_be_kept_as_a_proposal(world, make_user):
    c = make_committee(world, make_user, liaisons=4)
    meeting = hold(world)
    attend(meeting, [c.officers[0].id])
    with pytest.raises(CommitteeError) as exc:
        _decide(meeting, world)
    assert exc.value.code == "no_quorum"
    assert "未达法定人数" in str(exc.value.message)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Decision.id))) == 0
    proposal = decisions.record_proposal(
        meeting,
        DecisionInput(text="请街道协调中药渣处理", owner=None, due_date=None),
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    later = hold(world, when=datetime(2026, 7, 10, 7, 0, tzinfo=UTC))
    kinds = {(i.kind, i.ref_id) for i in agenda.items_of(later)}
    assert ("no_quorum", proposal.id) in kinds


def test_a_decision_needs_an_owner_and_a_due_date(world, make_user):
    c = make_committee(world, make_user, liaisons=2)
    meeting = hold(world)
    attend(meeting, [u.id for u in c.officers] + [world.users["secretary_a"].id])
    with pytest.raises(CommitteeError) as exc:
        _decide(meeting, world, owner=None)
    assert exc.value.field == "owner"
    with pytest.raises(CommitteeError) as exc:
        _decide(meeting, world, due_date=None)
    assert exc.value.field == "due_date"
    with pytest.raises(CommitteeError) as exc:
        _decide(meeting, world, owner=world.users["resident_b"])
    assert exc.value.code == "owner_elsewhere"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_decisions_are_numbered_per_community_and_year_and_notify(world, make_user):
    c = make_committee(world, make_user, liaisons=2)
    meeting = hold(world)
    attend(meeting, [u.id for u in c.officers])
    first = _decide(meeting, world, owner=c.officers[0])
    second = _decide(meeting, world, text="开展税务知识讲座")
    db.session.commit()
    assert (first.number, second.number) == ("甲〔2026〕1号", "甲〔2026〕2号")
    next_year = hold(world, when=datetime(2027, 1, 10, 7, 0, tzinfo=UTC))
    attend(next_year, [u.id for u in c.officers])
    assert _decide(next_year, world).number == "甲〔2027〕1号"
    owner_notes = [
        n.title
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id == c.officers[0].id)
        )
    ]
    assert "您负责的决议：甲〔2026〕1号" in owner_notes
    # The other officer was invited: told of both decisions.
    others = [
        n.title
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id == c.officers[1].id)
        )
    ]
    assert "协调委员会决议：甲〔2026〕2号" in others


def test_undone_decisions_carry_over_and_overdue_ones_are_marked(world, make_user):
    c = make_committee(world, make_user, liaisons=2)
    june = hold(world)
    attend(june, [u.id for u in c.officers])
    late = _decide(june, world, text="请街道协调中药渣处理", due_date=date(2026, 6, 30))
    pending = _decide(june, world, text="开展税务讲座", due_date=date(2026, 9, 30))
    done = _decide(june, world, text="公示兑换规则", due_date=date(2026, 6, 20))
    decisions.change_state(done, "done", "", world.users["secretary_a"])
    db.session.commit()
    july = hold(world, when=datetime(2026, 7, 10, 7, 0, tzinfo=UTC))
    items = {i.ref_id: i.kind for i in agenda.items_of(july) if i.source_key.startswith("dec")}
    assert items == {late.id: "overdue", pending.id: "carry"}
    # Building again adds nothing; a removed item does not come back.
    item = next(i for i in agenda.items_of(july) if i.ref_id == pending.id)
    agenda.remove_item(july, item)
    assert agenda.build(july) == 0
    assert pending.id not in {i.ref_id for i in agenda.items_of(july)}


def test_dropping_a_decision_needs_a_reason_and_only_owner_or_secretary(world, make_user):
    c = make_committee(world, make_user, liaisons=2)
    meeting = hold(world)
    attend(meeting, [u.id for u in c.officers])
    d = _decide(meeting, world, owner=c.officers[0])
    db.session.commit()
    with pytest.raises(CommitteeError) as exc:
        decisions.change_state(d, "dropped", " ", c.officers[0])
    assert exc.value.code == "reason_required"
    with pytest.raises(CommitteeError) as exc:
        decisions.change_state(d, "done", "", c.officers[1])
    assert exc.value.code == "not_owner"
    decisions.change_state(d, "dropped", "街道已统一安排", c.officers[0])
    assert d.state == "dropped" and d.drop_reason == "街道已统一安排"
    with pytest.raises(CommitteeError):
        decisions.change_state(d, "done", "", world.users["secretary_a"])


def test_a_liaison_officer_must_be_of_the_community_and_one_per_member(world, make_user):
    c = make_committee(world, make_user, liaisons=1)
    shop = c.shops[0]
    with pytest.raises(CommitteeError) as exc:
        members.name_liaison(shop, world.users["resident_b"], term_start=TERM)
    assert exc.value.code == "other_community"
    assert "不是本社区的人" in str(exc.value.message)
    db.session.rollback()
    members.name_liaison(shop, world.users["resident"], term_start=date(2026, 8, 1))
    db.session.commit()
    current = members.liaison_of(shop.id)
    assert current.user_id == world.users["resident"].id
    old = db.session.scalars(
        select(CommitteeMember).where(CommitteeMember.user_id == c.officers[0].id)
    ).one()
    assert not old.active and old.term_end == date(2026, 8, 1)


def test_the_database_keeps_one_current_liaison_per_member(world, make_user):
    from sqlalchemy.exc import IntegrityError

    c = make_committee(world, make_user, liaisons=1)
    db.session.add(
        CommitteeMember(
            community_id=world.a.id,
            user_id=world.users["resident"].id,
            role=MemberRole.LIAISON,
            merchant_id=c.shops[0].id,
            term_start=TERM,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_liaison_officers_propose_items_for_the_agenda(world, make_user):
    c = make_committee(world, make_user, liaisons=1)
    with pytest.raises(CommitteeError):
        decisions.propose_item(world.users["resident"], "停车难", "")
    p = decisions.propose_item(c.officers[0], "商户门前停车难", "周末尤其严重")
    db.session.commit()
    meeting = hold(world)
    assert ("proposal", p.id) in {(i.kind, i.ref_id) for i in agenda.items_of(meeting)}
    attend(meeting, [c.officers[0].id, world.users["secretary_a"].id])
    _decide(meeting, world, text="协调停车", proposal_id=p.id)
    db.session.commit()
    assert db.session.get(Proposal, p.id).decided


def test_agenda_gathers_overdue_orders_reports_and_reviews(world, make_user):
    from alliance.commitments.models import BrokenCommitmentReport, CommitmentStatus
    from tests.commitments.factories import create_commitment

    c = make_committee(world, make_user, liaisons=1)
    pending = create_commitment(c.shops[0], title="待审承诺", status=CommitmentStatus.PENDING)
    kept = create_commitment(c.shops[0], title="八五折")
    report = BrokenCommitmentReport(
        commitment_id=kept.id,
        community_id=world.a.id,
        reporter_id=world.users["resident"].id,
        text="没有打折",
    )
    db.session.add(report)
    db.session.commit()
    meeting = hold(world, when=utcnow() + timedelta(days=1))
    kinds = {(i.kind, i.ref_id) for i in agenda.items_of(meeting)}
    assert ("review", pending.id) in kinds and ("report", report.id) in kinds


def test_minutes_after_seven_days_need_a_reason_and_are_recorded(world, make_user):
    make_committee(world, make_user, liaisons=1)
    meeting = hold(world)
    closed_at = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    meetings.close(meeting, now=closed_at)
    meetings.save_minutes(
        meeting,
        discussion="讨论了积分规则",
        recorder_id=None,
        reason="",
        actor_id=1,
        now=closed_at + timedelta(days=6),
    )
    db.session.commit()
    with pytest.raises(CommitteeError) as exc:
        meetings.save_minutes(
            meeting,
            discussion="改过的纪要",
            recorder_id=None,
            reason="",
            actor_id=1,
            now=closed_at + timedelta(days=8),
        )
    assert exc.value.code == "reason_required"
    db.session.rollback()
    assert db.session.get(type(meeting), meeting.id).discussion == "讨论了积分规则"
    meetings.save_minutes(
        meeting,
        discussion="改过的纪要",
        recorder_id=None,
        reason="补记请假人员",
        actor_id=world.users["secretary_a"].id,
        now=closed_at + timedelta(days=8),
    )
    db.session.commit()
    assert [e.reason for e in meetings.edits_of(meeting)] == ["", "补记请假人员"]


def test_a_closed_meeting_takes_no_more_decisions_or_attendance(world, make_user):
    c = make_committee(world, make_user, liaisons=1)
    meeting = hold(world)
    attend(meeting, [c.officers[0].id, world.users["secretary_a"].id])
    meetings.close(meeting)
    with pytest.raises(CommitteeError):
        _decide(meeting, world)
    row = meetings.attendance_of(meeting)[0]
    with pytest.raises(CommitteeError):
        meetings.tick(meeting, row, "absent")
    assert row.status == "present"

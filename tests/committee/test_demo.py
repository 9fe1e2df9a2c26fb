from sqlalchemy import func, select

from alliance.committee.models import AgendaItem, CommitteeMember, Decision, Meeting, MeetingSeries
from alliance.extensions import db
from alliance.points import scoring
from alliance.points.rule_versions import RuleVersion


def test_demo_has_the_committee_meetings_and_decisions_and_is_idempotent(
    demo_seeded, runner, client
):
    # The demo, then the command again: seeding twice changes nothing.
    result = runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    roles = dict(
        db.session.execute(
            select(CommitteeMember.role, func.count(CommitteeMember.id)).group_by(
                CommitteeMember.role
            )
        ).all()
    )
    assert roles == {
        "chair": 1,
        "liaison": 23,
        "business_head": 8,
        "resident_rep": 3,
        "street_contact": 1,
    }
    kinds = db.session.execute(
        select(MeetingSeries.kind, func.count(Meeting.id))
        .join(Meeting, Meeting.series_id == MeetingSeries.id)
        .group_by(MeetingSeries.kind)
    ).all()
    assert dict(kinds) == {"liaison": 7, "heads": 2}  # Jun–Nov held, December scheduled
    assert db.session.scalar(select(func.count(Decision.id))) == 16
    states = set(db.session.scalars(select(Decision.state)))
    assert states == {"open", "in_progress", "done", "dropped"}
    versions = db.session.scalars(select(RuleVersion).order_by(RuleVersion.effective_from)).all()
    assert [v.effective_from.isoformat() for v in versions] == ["2026-06-15", "2026-10-01"]
    community_id = versions[0].community_id
    from datetime import date

    assert scoring.rule_at(community_id, date(2026, 10, 2)).per_hour_for("culture") == 15
    assert scoring.rule_at(community_id, date(2026, 9, 30)).per_hour_for("culture") == 10
    # December's agenda carries the undone decisions over.
    december = db.session.scalars(select(Meeting).where(Meeting.status == "planned")).one()
    carried = db.session.scalar(
        select(func.count(AgendaItem.id)).where(
            AgendaItem.meeting_id == december.id, AgendaItem.kind.in_(("carry", "overdue"))
        )
    )
    assert carried == 4
    page = client.get("/committee/decisions?community=YSMZ").get_data(as_text=True)
    assert "云水明珠〔2026〕5号" in page and "中药药渣" in page

from datetime import UTC, date, datetime

from alliance.committee.models import MemberRole
from alliance.committee.services import agenda, decisions, meetings, members
from alliance.committee.services.decisions import DecisionInput
from alliance.extensions import db
from tests.authz.matrix import Case, everyone, only, signed_in
from tests.commitments.factories import create_merchant


def setup(world) -> dict:
    a, secretary = world.a, world.users["secretary_a"]
    chair = members.add_member(
        a, user=secretary, role=MemberRole.CHAIR, term_start=date(2026, 1, 1)
    )
    shop = create_merchant(a, 951, name="矩阵委员店", staff=[world.users["merchant"]])
    members.name_liaison(shop, world.users["merchant"], term_start=date(2026, 1, 1))
    meeting = meetings.schedule(
        a, "liaison", starts_at=datetime(2026, 6, 10, 7, 0, tzinfo=UTC), place="会议室"
    )
    rows = meetings.attendance_of(meeting)
    for row in rows:
        meetings.tick(meeting, row, "present")
    item = agenda.add_item(meeting, "矩阵议题")
    agenda.add_item(meeting, "第二个议题")
    decision = decisions.pass_decision(
        meeting,
        DecisionInput(text="矩阵决议", owner=secretary, due_date=date(2026, 7, 1)),
        actor=secretary,
    )
    db.session.commit()
    second = agenda.items_of(meeting)[-1]
    return {
        "member": chair.id,
        "committee_shop": shop.id,
        "meeting": meeting.id,
        "attendance": rows[0].id,
        "agenda_item": second.id if second.id != item.id else item.id,
        "decision": decision.id,
    }


SECRETARIES = ("secretary_a", "secretary_b")
A_ONLY = {"secretary_b": 404}

ROWS = {
    "committee.index": Case("GET", "/committee/", {**signed_in(200), "street": 403}),
    "committee.add_member": Case("POST", "/committee/members", only(*SECRETARIES, ok=422)),
    "committee.end_member": Case(
        "POST", "/committee/members/{member}/end", only("secretary_a", ok=303, **A_ONLY)
    ),
    # Only the member's owner names its liaison officer; others do not see the page at all.
    "committee.liaison": Case(
        "GET", "/committee/liaison/{committee_shop}", only("merchant", other=404)
    ),
    "committee.propose": Case("GET", "/committee/proposals/new", only("merchant")),
    "committee.propose_rule": Case("GET", "/committee/rules/new", only(*SECRETARIES)),
    "committee.decisions_index": Case("GET", "/committee/decisions?community=AAA", everyone(200)),
    "committee.decision": Case("GET", "/committee/decisions/{decision}", everyone(200)),
    "committee.meetings_index": Case("GET", "/committee/meetings", only(*SECRETARIES)),
    "committee.schedule": Case(
        "POST", "/committee/series/liaison/schedule", only(*SECRETARIES, ok=422)
    ),
    "committee.quorum": Case(
        "POST", "/committee/series/liaison/quorum", only(*SECRETARIES, ok=303)
    ),
    "committee.meeting": Case(
        "GET", "/committee/meetings/{meeting}", only("secretary_a", **A_ONLY)
    ),
    "committee.scan": Case(
        "POST", "/committee/meetings/{meeting}/scan", only("secretary_a", ok=422, **A_ONLY)
    ),
    "committee.tick": Case(
        "POST",
        "/committee/meetings/{meeting}/attendance/{attendance}",
        only("secretary_a", ok=303, **A_ONLY),
        data={"status": "excused"},
    ),
    "committee.add_item": Case(
        "POST", "/committee/meetings/{meeting}/agenda", only("secretary_a", ok=422, **A_ONLY)
    ),
    "committee.refresh_agenda": Case(
        "POST",
        "/committee/meetings/{meeting}/agenda/refresh",
        only("secretary_a", ok=303, **A_ONLY),
    ),
    "committee.edit_item": Case(
        "POST",
        "/committee/meetings/{meeting}/agenda/{agenda_item}/up",
        only("secretary_a", ok=303, **A_ONLY),
    ),
    "committee.add_decision": Case(
        "POST", "/committee/meetings/{meeting}/decisions", only("secretary_a", ok=422, **A_ONLY)
    ),
    "committee.save_minutes": Case(
        "POST",
        "/committee/meetings/{meeting}/minutes",
        only("secretary_a", ok=303, **A_ONLY),
        data={"discussion": "矩阵纪要"},
    ),
    "committee.close": Case(
        "POST", "/committee/meetings/{meeting}/close", only("secretary_a", ok=303, **A_ONLY)
    ),
    # The printed minutes: the secretary and the people invited (the liaison officer).
    "committee.minutes": Case(
        "GET", "/committee/meetings/{meeting}/minutes", only("secretary_a", "merchant")
    ),
    "committee_api.community_decisions": Case(
        "GET", "/api/v1/communities/AAA/decisions", everyone(200)
    ),
}

"""The committee on the web: holding a meeting, the public decisions, the API, the minutes."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from alliance.committee.models import Decision, Meeting, Proposal
from alliance.committee.services import decisions, meetings
from alliance.committee.services.decisions import DecisionInput
from alliance.extensions import db
from tests.committee.factories import attend, hold, make_committee
from tests.points.factories import give_card, make_volunteer


def test_secretary_holds_a_meeting_from_schedule_to_minutes(world, make_user, as_user):
    c = make_committee(world, make_user, liaisons=2)
    make_volunteer(c.officers[0], world.a)
    card = give_card(c.officers[0], world.a)
    db.session.commit()
    client = as_user("secretary_a")
    r = client.post(
        "/committee/series/liaison/schedule",
        data={"liaison-starts_at": "2026-06-10T15:00", "liaison-place": "社区二楼会议室"},
    )
    assert r.status_code == 303
    meeting = db.session.scalars(select(Meeting)).one()
    assert r.headers["Location"].endswith(f"/committee/meetings/{meeting.id}")
    base = f"/committee/meetings/{meeting.id}"
    # Sign-in by the scanned card URL, then the chair ticked by the secretary.
    r = client.post(f"{base}/scan", data={"card": f"https://example.org/c/{card.code}"})
    assert r.status_code == 303
    rows = {a.user_id: a for a in meetings.attendance_of(meeting)}
    assert rows[c.officers[0].id].method == "card"
    # One of three present: no quorum, the decision is refused and nothing is saved.
    r = client.post(
        f"{base}/decisions",
        data={"text": "开展税务讲座", "owner": "liaison0", "due_date": "2026-07-31"},
    )
    assert r.status_code == 422
    assert "未达法定人数" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Decision.id))) == 0
    chair_row = rows[world.users["secretary_a"].id]
    assert (
        client.post(f"{base}/attendance/{chair_row.id}", data={"status": "present"}).status_code
        == 303
    )
    # Owner and due date are required.
    r = client.post(f"{base}/decisions", data={"text": "开展税务讲座"})
    assert r.status_code == 422
    assert "每项决议都要有负责人" in r.get_data(as_text=True)
    r = client.post(
        f"{base}/decisions",
        data={"text": "开展税务讲座", "owner": "liaison0", "due_date": "2026-07-31"},
    )
    assert r.status_code == 303
    assert db.session.scalars(select(Decision)).one().number == "甲〔2026〕1号"
    assert (
        client.post(f"{base}/minutes", data={"discussion": "会计事务所愿意免费讲三次"}).status_code
        == 303
    )
    assert client.post(f"{base}/close").status_code == 303
    page = client.get(f"{base}/minutes").get_data(as_text=True)
    assert "会议纪要" in page and "社区二楼会议室" in page and "会计事务所愿意免费讲三次" in page
    assert "甲〔2026〕1号" in page and "2026-07-31" in page and "联络员0" in page
    assert "2026年6月10日 15:00" in page


def test_no_quorum_can_be_recorded_as_a_proposal_from_the_form(world, make_user, as_user):
    make_committee(world, make_user, liaisons=3)
    meeting = hold(world)
    client = as_user("secretary_a")
    r = client.post(
        f"/committee/meetings/{meeting.id}/decisions",
        data={"text": "请街道协调药渣", "as_proposal": "1"},
    )
    assert r.status_code == 303
    assert db.session.scalars(select(Proposal.title)).all() == ["请街道协调药渣"]


def _public_world(world, make_user):
    c = make_committee(world, make_user, liaisons=2)
    meeting = hold(world)
    attend(meeting, [u.id for u in c.officers])
    rows = meetings.attendance_of(meeting)
    meetings.tick(meeting, rows[0], "excused", "出差在外地")
    decision = decisions.pass_decision(
        meeting,
        DecisionInput(text="联系街道处理中药渣", owner=c.officers[0], due_date=date(2026, 7, 1)),
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return c, decision


def test_public_decisions_hold_no_attendance_or_personal_data(world, make_user, client):
    c, decision = _public_world(world, make_user)
    for url in ("/committee/decisions?community=AAA", f"/committee/decisions/{decision.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "联系街道处理中药渣" in page and "甲〔2026〕1号" in page
        for private in ("联络员0", "联络员1", "出差在外地", "出席", "请假", "liaison0"):
            assert private not in page, (url, private)
    body = client.get("/api/v1/communities/AAA/decisions").get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["number"] == "甲〔2026〕1号"
    assert item["meeting"] == {
        "date": "2026-06-10",
        "kind": "liaison",
        "kind_label": "联络员月商谈",
    }
    assert item["state"] == "open" and item["due_date"] == "2026-07-01"
    text = str(body)
    for private in ("联络员0", "出差在外地", "owner", "attendance"):
        assert private not in text
    assert client.get("/api/v1/communities/NOPE/decisions").status_code == 404


def test_the_owner_updates_progress_and_the_public_sees_the_state(world, make_user, as_user):
    c, decision = _public_world(world, make_user)
    client = as_user("liaison0")
    r = client.post(f"/committee/decisions/{decision.id}", data={"state": "dropped"})
    assert r.status_code == 422 and "撤销决议须写明原因" in r.get_data(as_text=True)
    r = client.post(
        f"/committee/decisions/{decision.id}", data={"state": "done", "reason": "已处理"}
    )
    assert r.status_code == 303
    client.get("/logout")
    page = client.get("/committee/decisions?community=AAA&state=done").get_data(as_text=True)
    assert "联系街道处理中药渣" in page
    assert c.officers


def test_a_member_names_its_liaison_officer_but_not_from_another_community(
    world, make_user, as_user
):
    c = make_committee(world, make_user, liaisons=1)
    client = as_user("liaison0")
    r = client.post(
        f"/committee/liaison/{c.shops[0].id}",
        data={"person": "resident_b", "term_start": "2026-08-01"},
    )
    assert r.status_code == 422
    assert "不是本社区的人" in r.get_data(as_text=True)
    r = client.post(
        f"/committee/liaison/{c.shops[0].id}",
        data={"person": "resident", "term_start": "2026-08-01"},
    )
    assert r.status_code == 303
    page = client.get(f"/committee/liaison/{c.shops[0].id}").get_data(as_text=True)
    assert "现任联络员：" + world.users["resident"].display_name in page


def test_editing_old_minutes_without_a_reason_is_refused(world, make_user, as_user):
    make_committee(world, make_user, liaisons=1)
    meeting = hold(world)
    meetings.close(meeting, now=datetime(2026, 6, 10, 9, 0, tzinfo=UTC))
    db.session.commit()
    client = as_user("secretary_a")
    r = client.post(f"/committee/meetings/{meeting.id}/minutes", data={"discussion": "改写"})
    assert r.status_code == 422
    assert "修改纪要须写明原因" in r.get_data(as_text=True)
    assert db.session.get(Meeting, meeting.id).discussion == ""


def test_openapi_documents_the_decisions_api(client):
    doc = client.get("/api/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/communities/{code}/decisions"]["get"]
    assert operation["tags"] == ["committee"]
    assert "DecisionPublic" in doc["components"]["schemas"]

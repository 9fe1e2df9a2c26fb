"""Party identity, task forces, call-ups by inbox and SMS, answers, card check-in, turn-outs."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.emergency import mobilisation, services
from alliance.emergency import roster as party_roster
from alliance.emergency.models import AnswerState, CallUpAnswer
from alliance.emergency.services import EmergencyError, Target
from alliance.extensions import db
from alliance.notifications.models import Notification, OutboxMessage
from tests.points.factories import give_card, make_volunteer


@pytest.fixture
def squad(world, make_user):
    """A commando team of A: leader `volunteer`, members v1 and v2 with cards."""
    people = [world.users["volunteer"]] + [
        make_user(
            f"v{i}",
            community=world.a,
            roles=(Role.VOLUNTEER, Role.RESIDENT),
            phone=f"1390000000{i}",
        )
        for i in (1, 2)
    ]
    cards = {}
    for person in people:
        make_volunteer(person, world.a)
        cards[person.username] = give_card(person, world.a)
    team = mobilisation.create_task_force(
        world.a,
        name="第一党员突击队",
        kind="commando",
        leader="volunteer",
        members=["v1", "v2", ""],
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return team, people, cards


def _respond(world, drill=False):
    response = services.start_response(
        Target(community=world.a),
        kind="flood",
        level="IV",
        reason="暴雨",
        drill=drill,
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return response


def test_party_identity_is_declared_by_the_person_and_shown_on_the_roster(world, as_user):
    client = as_user("volunteer")
    r = client.post("/emergency/party", data={"status": "member", "branch": ""})
    assert r.status_code == 422 and "请填写所在党支部。" in r.get_data(as_text=True)
    r = client.post(
        "/emergency/party",
        data={"status": "probationary", "branch": "云水明珠社区党支部", "show_on_card": "y"},
    )
    assert r.status_code == 303
    row = party_roster.membership_of(world.users["volunteer"].id)
    assert (row.status, row.branch, row.show_on_card) == (
        "probationary",
        "云水明珠社区党支部",
        True,
    )
    roster = as_user("secretary_a").get("/emergency/roster").get_data(as_text=True)
    assert "预备党员" in roster and "云水明珠社区党支部" in roster
    assert (
        "共 4 人，其中党员和入党积极分子 1 人。" in roster
    )  # volunteer, merchant, grid, secretary
    # A resident without a volunteer or staff role has nothing to declare here.
    assert as_user("resident").get("/emergency/party").status_code == 403
    # Clearing it removes it.
    as_user("volunteer").post("/emergency/party", data={"status": "", "branch": ""})
    assert party_roster.membership_of(world.users["volunteer"].id) is None


def test_a_call_up_reaches_every_member_by_inbox_and_sms_and_says_drill(world, squad, as_user):
    team, people, _cards = squad
    with pytest.raises(EmergencyError) as exc:
        mobilisation.call_up(
            team, assembly_point="社区广场", task="", actor=world.users["volunteer"]
        )
    assert exc.value.code == "no_response"
    db.session.rollback()
    _respond(world, drill=True)
    client = as_user("volunteer")  # the leader
    r = client.post(
        f"/emergency/teams/{team.id}/call-up",
        data={"assembly_point": "社区广场东门", "task": "转移低洼处老人"},
    )
    assert r.status_code == 303
    notes = db.session.scalars(
        select(Notification).where(Notification.kind == "emergency.call_up")
    ).all()
    assert sorted(n.user_id for n in notes) == sorted(p.id for p in people)
    sms = db.session.scalars(select(OutboxMessage)).all()
    assert {m.user_id for m in sms} >= {people[1].id, people[2].id}
    assert all("演练" in m.text for m in sms)
    inbox = as_user("v1").get("/inbox/").get_data(as_text=True)
    assert "【演练】集结令：第一党员突击队请到社区广场东门集合" in inbox
    # A second call-up while this one is open is refused.
    r = as_user("volunteer").post(
        f"/emergency/teams/{team.id}/call-up", data={"assembly_point": "别处"}
    )
    assert r.status_code == 409


def test_members_answer_the_leader_checks_them_in_by_card_and_stands_down(world, squad, as_user):
    team, people, cards = squad
    response = _respond(world)
    call = mobilisation.call_up(
        team, assembly_point="社区广场", task="巡查河堤", actor=world.users["secretary_a"]
    )
    db.session.commit()
    v1 = as_user("v1")
    assert "社区广场" in v1.get("/emergency/").get_data(as_text=True)
    r = v1.post(f"/emergency/callups/{call.id}/answer", data={"coming": "到"})
    assert r.status_code == 303
    v2 = as_user("v2")
    r = v2.post(f"/emergency/callups/{call.id}/answer", data={"cannot": "不能到", "reason": ""})
    assert r.status_code == 422 and "不能到请说明原因。" in r.get_data(as_text=True)
    r = v2.post(
        f"/emergency/callups/{call.id}/answer", data={"cannot": "不能到", "reason": "在外地出差"}
    )
    assert r.status_code == 303
    leader = as_user("volunteer")
    # Scanning a card of someone outside the team is refused; the member's own card checks in.
    make_volunteer(world.users["grid"], world.a)
    outsider = give_card(world.users["grid"], world.a)
    db.session.commit()
    r = leader.post(f"/emergency/callups/{call.id}/check-in", data={"card": outsider.code})
    assert r.status_code == 422 or r.status_code == 409
    assert "这张卡的持卡人不在这支队伍里。" in r.get_data(as_text=True), r.get_data(as_text=True)[
        -3000:
    ]
    r = leader.post(
        f"/emergency/callups/{call.id}/check-in",
        data={"card": f"https://example.org/c/{cards['v1'].code}"},
    )
    assert r.status_code == 303
    page = leader.get(f"/emergency/callups/{call.id}").get_data(as_text=True)
    assert "已到达 1 · 在路上 0 · 不能到 1 · 未回复 1" in page
    assert "在外地出差" in page
    # Another member's page of the same call-up shows no board.
    assert "报到情况" not in as_user("v2").get(f"/emergency/callups/{call.id}").get_data(
        as_text=True
    )
    assert mobilisation.turnouts([response.id]) == {response.id: 1}
    console = as_user("secretary_a").get("/emergency/").get_data(as_text=True)
    assert "出动 1 人次" in console
    r = leader.post(f"/emergency/callups/{call.id}/stand-down")
    assert r.status_code == 303
    states = {a.user_id: a.state for a in db.session.scalars(select(CallUpAnswer)).all()}
    assert states[people[1].id] == AnswerState.ARRIVED
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "emergency.stand_down")
    ).all()
    assert people[2].id not in told and people[1].id in told
    # After the stand-down nobody answers or checks in any more.
    r = as_user("v1").post(f"/emergency/callups/{call.id}/answer", data={"coming": "到"})
    assert r.status_code == 409


def test_call_ups_are_private_to_the_team_and_its_commanders(world, squad, as_user):
    team, _people, _cards = squad
    _respond(world)
    call = mobilisation.call_up(
        team, assembly_point="广场", task="", actor=world.users["secretary_a"]
    )
    db.session.commit()
    assert as_user("resident").get(f"/emergency/callups/{call.id}").status_code == 404
    assert as_user("secretary_b").get(f"/emergency/callups/{call.id}").status_code == 404
    assert as_user("street").get(f"/emergency/callups/{call.id}").status_code == 200
    assert as_user("v1").post(f"/emergency/callups/{call.id}/stand-down").status_code == 403


def test_a_team_needs_people_on_the_roster(world, as_user):
    client = as_user("secretary_a")
    r = client.post(
        "/emergency/teams",
        data={"name": "志愿服务一队", "kind": "volunteer", "leader": "resident_b", "members": ""},
    )
    assert r.status_code == 422
    assert "本社区名册上没有这个用户名或手机号：resident_b" in r.get_data(as_text=True)
    r = client.post(
        "/emergency/teams",
        data={"name": "志愿服务一队", "kind": "volunteer", "leader": "grid", "members": "merchant"},
    )
    assert r.status_code == 303
    r = client.post(
        "/emergency/teams",
        data={"name": "志愿服务一队", "kind": "volunteer", "leader": "grid", "members": ""},
    )
    assert r.status_code == 422 and "同名" in r.get_data(as_text=True)


def test_the_card_shows_party_identity_only_when_chosen(world, as_user):
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a)
    give_card(volunteer, world.a)
    party_roster.declare_membership(volunteer, status="member", branch="甲支部", show_on_card=False)
    db.session.commit()
    badge = '<span class="badge text-bg-danger">党员</span>'
    assert badge not in as_user("volunteer").get("/me/card").get_data(as_text=True)
    party_roster.declare_membership(volunteer, status="member", branch="甲支部", show_on_card=True)
    db.session.commit()
    assert badge in as_user("volunteer").get("/me/card").get_data(as_text=True)


def test_my_data_holds_the_emergency_part_and_closure_erases_it(world, squad, as_user):
    from alliance.emergency import posts

    _respond(world)
    team, people, _cards = squad
    v1 = people[1]
    party_roster.declare_membership(v1, status="member", branch="甲支部", show_on_card=True)
    post = posts.create_post(
        world.a,
        posts.PostInput(
            kind="zone", name="一区", estate_ids=(world.estate_a.id,), responsible="v1"
        ),
        actor=None,
    )
    call = mobilisation.call_up(
        team, assembly_point="广场", task="", actor=world.users["secretary_a"]
    )
    mobilisation.answer(call, v1, coming=False, reason="发烧在家")
    db.session.commit()
    data = as_user("v1").get("/me/data").get_json()
    part = data["emergency"]
    assert part["party_membership"]["branch"] == "甲支部"
    assert part["call_ups"][0]["reason"] == "发烧在家"
    assert part["responsible_for"] == [{"kind": "zone", "name": "一区"}]
    from alliance.emergency import personal_data

    personal_data.erase(v1)
    db.session.commit()
    assert party_roster.membership_of(v1.id) is None
    assert db.session.get(type(post), post.id).responsible_id is None
    assert mobilisation.answer_of(call, v1.id).reason == ""


def test_each_arrival_earns_emergency_service_hours_through_the_activity_rules(world, squad):
    from alliance.activities.models import Activity, Signup
    from alliance.points.models import LedgerEntry

    team, people, cards = squad
    _respond(world)
    call = mobilisation.call_up(
        team, assembly_point="广场", task="巡堤", actor=world.users["volunteer"]
    )
    db.session.commit()
    # Called two hours ago; v1 arrived 90 minutes ago, v2 never came.
    call.called_at = call.called_at - timedelta(hours=2)
    db.session.commit()
    mobilisation.check_in(call, cards["v1"].code, world.users["volunteer"])
    mobilisation.check_in(call, cards["volunteer"].code, world.users["volunteer"])
    for row in db.session.scalars(select(CallUpAnswer).where(CallUpAnswer.arrived_at.is_not(None))):
        row.arrived_at = row.arrived_at - timedelta(minutes=90)
    db.session.commit()
    mobilisation.stand_down(call, world.users["volunteer"])
    db.session.commit()
    activity = db.session.get(Activity, call.activity_id)
    assert activity.emergency and activity.category == "flood"
    signups = {s.user_id: s for s in db.session.scalars(select(Signup))}
    assert set(signups) == {people[0].id, people[1].id}
    v1 = signups[people[1].id]
    assert 89 <= v1.minutes <= 91 and v1.confirmed_at is not None and v1.points > 0
    earned = db.session.scalar(select(LedgerEntry.delta).where(LedgerEntry.user_id == people[1].id))
    assert earned == v1.points
    # The leader stood the team down: their own hours wait for another organiser.
    assert signups[people[0].id].confirmed_at is None

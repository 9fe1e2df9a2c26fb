"""Posts and zones with their gaps; the duty roster: leader flag, card sign-on, hand-over,
who is on duty now; the console's statements do not grow with the roster."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.communities.models import Estate
from alliance.db_types import utcnow
from alliance.emergency import duty, posts, roster
from alliance.emergency.models import DutyAssignment, EmergencyPost
from alliance.emergency.services import EmergencyError
from alliance.extensions import db
from tests.points.factories import give_card, make_volunteer


def _party(user, community):
    roster.declare_membership(user, status="member", branch="甲支部", show_on_card=False)
    db.session.commit()


def test_a_zone_needs_a_party_member_and_gaps_are_shown(world, as_user):
    db.session.add(Estate(community_id=world.a.id, name="甲二小区"))
    db.session.commit()
    client = as_user("secretary_a")
    r = client.post(
        "/emergency/posts",
        data={
            "kind": "zone",
            "name": "一号责任区",
            "estate_ids": [str(world.estate_a.id)],
            "responsible": "volunteer",
        },
    )
    assert r.status_code == 422
    assert "还没有亮明党员身份" in r.get_data(as_text=True)
    _party(world.users["volunteer"], world.a)
    r = client.post(
        "/emergency/posts",
        data={
            "kind": "zone",
            "name": "一号责任区",
            "estate_ids": [str(world.estate_a.id)],
            "grid_ids": [str(world.grid.id)],
            "hazard_points": "河堤低洼处\n地下车库入口",
            "responsible": "volunteer",
        },
    )
    assert r.status_code == 303
    r = client.post(
        "/emergency/posts",
        data={"kind": "post", "name": "防汛物资先锋岗", "place": "社区仓库", "duty": "发放沙袋"},
    )
    assert r.status_code == 303
    # Another community's estate is refused.
    r = client.post(
        "/emergency/posts",
        data={"kind": "zone", "name": "越界", "estate_ids": [str(world.estate_b.id)]},
    )
    assert r.status_code == 422 and "请选择本社区的小区和网格。" in r.get_data(as_text=True)
    page = client.get("/emergency/").get_data(as_text=True)
    assert "党员先锋岗“防汛物资先锋岗”没有包保责任人" in page
    assert "小区“甲二小区”不在任何责任区内" in page
    assert "小区“甲一小区”不在任何责任区内" not in page
    post = db.session.scalars(select(EmergencyPost).where(EmergencyPost.kind == "post")).one()
    r = client.post(f"/emergency/posts/{post.id}/responsible", data={"responsible": "grid"})
    assert r.status_code == 303
    page = client.get("/emergency/").get_data(as_text=True)
    assert "没有包保责任人" not in page
    listing = client.get("/emergency/posts").get_data(as_text=True)
    assert "覆盖：甲一小区、甲一网格" in listing and "隐患点：河堤低洼处、地下车库入口" in listing


def _shift(world, start, hours=12, leader="grid", people=("volunteer",)):
    shift = duty.create_shift(
        world.a,
        duty.ShiftInput(
            starts_at=start, hours=hours, place="社区值班室", leader=leader, people=people
        ),
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return shift


def test_duty_roster_flags_shifts_without_leader_and_shows_who_is_on_duty(world, as_user):
    world.users["grid"].phone = "13911112222"
    db.session.commit()
    now = utcnow()
    _shift(world, now - timedelta(hours=2))
    later = _shift(world, now + timedelta(hours=10), leader="", people=("volunteer",))
    page = as_user("secretary_a").get("/emergency/").get_data(as_text=True)
    assert 'href="tel:13911112222"' in page  # the leader on shift now, with the phone
    assert "这一班没有带班领导" in page
    assert duty.leaderless_ahead(world.a.id) == [later]
    with pytest.raises(EmergencyError):
        duty.create_shift(
            world.a,
            duty.ShiftInput(starts_at=now, hours=30, leader="grid"),
            actor=world.users["secretary_a"],
        )
    r = as_user("secretary_a").post(
        "/emergency/duty", data={"starts_at": "2026-07-01T08:00", "hours": "12", "people": ""}
    )
    assert r.status_code == 422 and "请安排值班人员。" in r.get_data(as_text=True)


def test_sign_on_by_card_and_the_hand_over_note_reaches_the_next_shift(world, as_user):
    now = utcnow()
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a)
    card = give_card(volunteer, world.a)
    first = _shift(world, now - timedelta(hours=11))
    second = _shift(world, now + timedelta(hours=1), leader="secretary_a", people=())
    client = as_user("secretary_a")
    r = client.post(f"/emergency/duty/{first.id}/sign-on", data={"card": card.code})
    assert r.status_code == 303
    row = db.session.scalars(
        select(DutyAssignment).where(DutyAssignment.user_id == volunteer.id)
    ).one()
    assert row.signed_on_at is not None
    # The volunteer is not on the second shift: refused.
    r = client.post(f"/emergency/duty/{second.id}/sign-on", data={"card": card.code})
    assert r.status_code == 422 and "这张卡的持卡人不在这一班。" in r.get_data(as_text=True)
    r = as_user("volunteer").post(
        f"/emergency/duty/{first.id}/hand-over", data={"note": "3号楼地下室水泵已启动，注意观察"}
    )
    assert r.status_code == 303
    page = as_user("secretary_a").get(f"/emergency/duty/{second.id}").get_data(as_text=True)
    assert "上一班的交接班记录" in page and "3号楼地下室水泵已启动" in page
    # Someone not on the shift and not staff: 404.
    assert as_user("resident").get(f"/emergency/duty/{first.id}").status_code == 404


def _enrol(world, first, last):
    from alliance.accounts import services as accounts

    for i in range(first, last):
        person = accounts.create_user(
            username=f"m{i}",
            display_name=f"队员{i}",
            password="x" * 10,
            community=world.a,
            roles=(Role.VOLUNTEER,),
        )
        roster.declare_membership(person, status="member", branch="甲支部", show_on_card=False)
    db.session.commit()


def _console(as_user, count_statements):
    client = as_user("secretary_a")
    with count_statements() as counter:
        r = client.get("/emergency/")
    assert r.status_code == 200
    return r.get_data(as_text=True), counter


def test_console_statements_are_the_same_at_10_and_1000_roster_members(
    world, as_user, count_statements
):
    _enrol(world, 0, 10)
    now = utcnow()
    duty.create_shift(
        world.a,
        duty.ShiftInput(
            starts_at=now - timedelta(hours=1),
            hours=12,
            leader="m0",
            people=tuple(f"m{i}" for i in range(1, 10)),
        ),
        actor=world.users["secretary_a"],
    )
    posts.create_post(
        world.a,
        posts.PostInput(
            kind="zone", name="一区", estate_ids=(world.estate_a.id,), responsible="m1"
        ),
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    page, small = _console(as_user, count_statements)
    assert "应急名册（14人，党员10人）" in page
    _enrol(world, 10, 1000)
    page, large = _console(as_user, count_statements)
    assert "应急名册（1004人，党员1000人）" in page
    assert large.count == small.count, (small.statements, large.statements)

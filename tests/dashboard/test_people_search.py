"""Choosing a person by name, phone, username or card number (awarding points, issuing cards,
naming committee members and the people responsible for a household)."""

import re

from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.cards.models import Card
from alliance.extensions import db
from alliance.points.models import LedgerEntry
from tests.points.factories import give_card, make_volunteer


def _award(client, person, key):
    return client.post(
        "/points/award", data={"person": person, "points": "5", "reason": "帮邻居", "key": key}
    )


def _awarded_to():
    return [e.user_id for e in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id))]


def test_points_are_awarded_to_the_person_named_by_name_or_card(as_user, world, make_user):
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a)
    card = give_card(volunteer, world.a)
    db.session.commit()
    client = as_user("secretary_a")
    assert _award(client, volunteer.display_name, "k1").status_code == 303
    assert _award(client, card.number, "k2").status_code == 303
    assert _awarded_to() == [volunteer.id, volunteer.id]


def test_a_shared_name_asks_for_the_phone_and_other_communities_are_not_found(
    as_user, world, make_user
):
    make_user("twin1", community=world.a, roles=(Role.VOLUNTEER,), display_name="张三")
    make_user("twin2", community=world.a, roles=(Role.VOLUNTEER,), display_name="张三")
    make_user("far", community=world.b, roles=(Role.VOLUNTEER,), display_name="李四")
    client = as_user("secretary_a")
    response = _award(client, "张三", "k1")
    assert response.status_code == 422
    assert "有多位同名的人，请改填手机号或卡号。" in response.get_data(as_text=True)
    response = _award(client, "李四", "k2")
    assert response.status_code == 422
    assert "本社区没有这个人。" in response.get_data(as_text=True)
    assert _awarded_to() == []


def test_a_card_is_issued_to_the_person_found_by_name(as_user, world, make_user):
    person = make_user("wang", community=world.a, roles=(Role.VOLUNTEER,), display_name="王小明")
    make_volunteer(person, world.a)
    db.session.commit()
    response = as_user("secretary_a").post(
        "/cards/issue", data={"person": "王小明", "kind": "volunteer"}, follow_redirects=True
    )
    assert "已发卡" in response.get_data(as_text=True)
    assert db.session.scalars(select(Card.holder_id)).all() == [person.id]


def test_committee_members_and_household_people_are_found_by_name_or_card(
    as_user, world, make_user
):
    from alliance.committee.models import CommitteeMember
    from alliance.emergency.household_models import Household

    volunteer = world.users["volunteer"]
    card = give_card(volunteer, world.a)
    make_user("twin1", community=world.a, roles=(Role.VOLUNTEER,), display_name="张三")
    make_user("twin2", community=world.a, roles=(Role.VOLUNTEER,), display_name="张三")
    db.session.commit()
    client = as_user("secretary_a")
    member = {"role": "volunteer_rep", "merchant_id": "", "term_start": "2026-06-05"}
    r = client.post("/committee/members", data={**member, "person": volunteer.display_name})
    assert r.status_code == 303, re.findall(
        r"invalid-feedback[^>]*>([^<]*)", r.get_data(as_text=True)
    )
    r = client.post("/committee/members", data={**member, "person": "张三"})
    assert r.status_code == 422
    assert "有多位同名的人，请改填手机号或卡号。" in r.get_data(as_text=True)
    assert db.session.scalars(select(CommitteeMember.user_id)).all() == [volunteer.id]

    household = {
        "head_name": "李爷爷",
        "categories": ["alone"],
        "estate_id": str(world.estate_a.id),
        "members": "1",
        "need_help_moving": "0",
        "responsible": card.number,  # the volunteer's card number
        "deputy": world.users["grid"].display_name,
    }
    r = client.post("/emergency/households", data=household)
    assert r.status_code == 303
    row = db.session.scalars(select(Household)).one()
    assert (row.responsible_id, row.deputy_id) == (volunteer.id, world.users["grid"].id)
    r = client.post("/emergency/households", data={**household, "responsible": "张三"})
    assert r.status_code == 422
    assert "有多位同名的人，请改填手机号或卡号。" in r.get_data(as_text=True)

"""Dispatch candidates: a stated score with its reasons, search, paging, the secretary's mapping,
and reassigning or recalling an order before it is accepted."""

import re

import pytest
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.co_building.models import Resource
from alliance.commitments.models import CommitmentKind, CommitmentStatus
from alliance.extensions import db
from alliance.help_requests import matching
from alliance.help_requests.models import HelpRequest
from alliance.help_requests.workflow import Provider
from alliance.notifications.models import Notification
from alliance.volunteers.models import VolunteerProfile
from tests.commitments.factories import create_commitment, create_merchant
from tests.help_requests.factories import post_need
from tests.help_requests.test_workflow import act

_USERS = {}


def _volunteer(world, name, skills, *, estate=None, availability="周末全天"):
    user = _USERS["make"](community=world.a, roles=(Role.VOLUNTEER,), display_name=name)
    profile = VolunteerProfile(
        user_id=user.id,
        community_id=world.a.id,
        name=name,
        phone="13800000009",
        skills=skills,
        availability=availability,
        estate_id=estate.id if estate else None,
    )
    db.session.add(profile)
    db.session.flush()
    return profile


@pytest.fixture(autouse=True)
def _maker(make_user):
    _USERS["make"] = make_user
    yield
    _USERS.clear()


def _escort_world(world, setup):
    for n in range(4, 8):
        create_merchant(world.a, n, name=f"餐馆{n}", category="catering")
    create_merchant(world.a, 8, name="面包房", category="bakery")
    escort = _volunteer(world, "陈陪诊", "陪同就医、心理疏导", estate=world.estate_a)
    cook = _volunteer(world, "李厨师", "烹饪")
    photo = _volunteer(world, "王摄影", "摄影")
    db.session.commit()
    order = post_need(world, code="elderly", title="独居老人需要陪同去医院复查")
    return order, escort, cook, photo


def _text(page):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))


def test_the_escort_order_ranks_volunteers_with_escort_skills_first(world, setup, as_user):
    order, escort, cook, _photo = _escort_world(world, setup)
    ranked = matching.candidates_for(order)
    assert ranked[0].key == f"volunteer:{escort.id}"
    assert ranked[0].score == 60 + 20  # 陪同就医 is the category's first skill; same estate
    assert ranked[1].key == f"volunteer:{cook.id}"
    restaurants = [c for c in ranked if c.name.startswith("餐馆")]
    assert restaurants and all(not c.matches for c in restaurants)
    assert all(c.score < ranked[1].score for c in restaurants)

    client = as_user("secretary_a")
    page = _text(client.get(f"/requests/{order.id}/dispatch"))
    assert page.index("陈陪诊") < page.index("李厨师") < page.index("餐馆4")
    assert "技能「陪同就医」+60" in page and "同小区 +20" in page and "得分 80" in page


def test_search_by_name_or_skill_and_paging(world, setup, as_user):
    order, _escort, _cook, photo = _escort_world(world, setup)
    for k in range(30):
        _volunteer(world, f"志愿者{k:02d}", "辅导作业")
    db.session.commit()
    client = as_user("secretary_a")
    first = _text(client.get(f"/requests/{order.id}/dispatch"))
    # 8 members, 1 unit, 4 + 30 volunteers and the grid's worker: three pages of 20.
    assert "1 / 3" in first and "共 44 个候选" in first
    last = _text(client.get(f"/requests/{order.id}/dispatch?page=3"))
    assert "3 / 3" in last and "志愿者29" in last
    found = _text(client.get(f"/requests/{order.id}/dispatch?q=摄影"))
    assert "王摄影" in found and "共 1 个候选" in found
    by_name = _text(client.get(f"/requests/{order.id}/dispatch?q=志愿者07"))
    assert "志愿者07" in by_name and "共 1 个候选" in by_name
    assert photo.id


def test_members_services_teams_and_units_are_candidates(world, setup):
    order, *_rest = _escort_world(world, setup)
    kitchen = create_merchant(world.a, 9, name="幸福食堂", category="catering")
    create_commitment(
        kitchen,
        kind=CommitmentKind.SERVICE,
        title="每周三午餐",
        status=CommitmentStatus.PUBLISHED,
        service={"what": "为独居老人上门送餐"},
    )
    lead = db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.name == "李厨师")
    ).one()
    db.session.add(
        Resource(
            community_id=world.a.id,
            street_office_id=world.office.id,
            category_code="elderly",
            provider_kind="volunteer",
            volunteer_id=lead.id,
            team_name="银龄互助队",
            title="陪老人看病、买菜",
        )
    )
    db.session.commit()
    ranked = {c.name: c for c in matching.candidates_for(order)}
    assert ranked["幸福食堂"].matches and ranked["幸福食堂"].score >= 30
    team = next(c for name, c in ranked.items() if name.startswith("银龄互助队"))
    assert team.team and team.key == f"volunteer:{lead.id}" and team.score >= 45


def test_the_secretary_edits_the_mapping(world, setup, as_user):
    order, escort, _cook, photo = _escort_world(world, setup)
    category = setup.cat_a["elderly"]
    client = as_user("secretary_a")
    form = client.get(f"/requests/categories/{category.id}/edit").get_data(as_text=True)
    assert "陪同就医,医护急救" in form
    saved = client.post(
        f"/requests/categories/{category.id}/edit",
        data={
            "name": category.name,
            "match_skills": "摄影，陪同就医",
            "match_services": "",
            "limit_normal_hours": "48",
            "limit_urgent_hours": "12",
            "limit_emergency_hours": "2",
            "active": "y",
        },
    )
    assert saved.status_code == 303
    db.session.expire_all()
    ranked = matching.candidates_for(db.session.get(HelpRequest, order.id))
    assert ranked[0].key == f"volunteer:{photo.id}" or ranked[0].key == f"volunteer:{escort.id}"
    photo_row = next(c for c in ranked if c.key == f"volunteer:{photo.id}")
    assert photo_row.score == 60


def test_reassign_and_recall_before_acceptance_tell_the_first_provider(world, setup, as_user):
    order = post_need(world)
    act(world, order.id, "dispatch", "secretary_a", provider=Provider("merchant", setup.firm.id))
    client = as_user("secretary_a")
    page = client.get(f"/requests/{order.id}/dispatch").get_data(as_text=True)
    assert "改派" in page and "现在的接单方" in page
    asked = client.post(
        f"/requests/{order.id}/actions/reassign",
        data={"version": 2, "provider": f"merchant:{setup.pharmacy.id}"},
    )
    assert asked.status_code == 200 and "确认派给 仁心大药房" in asked.get_data(as_text=True)
    done = client.post(
        f"/requests/{order.id}/actions/reassign",
        data={"version": 2, "provider": f"merchant:{setup.pharmacy.id}", "confirm": "1"},
    )
    assert done.status_code == 303
    db.session.expire_all()
    order = db.session.get(HelpRequest, order.id)
    assert order.state == "dispatched" and order.provider_merchant_id == setup.pharmacy.id
    told = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == world.users["merchant"].id)
    ).all()
    assert "order.recalled" in told

    done = client.post(
        f"/requests/{order.id}/actions/recall",
        data={"version": order.version, "note": "老人家属自己去了", "confirm": "1"},
    )
    assert done.status_code == 303
    db.session.expire_all()
    order = db.session.get(HelpRequest, order.id)
    assert order.state == "submitted" and order.provider_kind is None

    # Once accepted, neither is possible.
    act(world, order.id, "dispatch", "secretary_a", provider=Provider("merchant", setup.firm.id))
    act(world, order.id, "accept", "merchant")
    refused = client.post(
        f"/requests/{order.id}/actions/recall",
        data={"version": order.version + 2, "confirm": "1"},
    )
    assert refused.status_code == 409


def test_the_dispatch_page_has_a_bounded_number_of_statements(
    world, setup, as_user, count_statements
):
    order, *_rest = _escort_world(world, setup)
    client = as_user("secretary_a")
    with count_statements() as few:
        client.get(f"/requests/{order.id}/dispatch")
    for k in range(25):
        _volunteer(world, f"多{k}", "陪同就医")
    db.session.commit()
    with count_statements() as many:
        client.get(f"/requests/{order.id}/dispatch")
    assert many.count == few.count


def test_search_by_phone_or_card_number_finds_the_person_and_their_member(
    world, setup, as_user, make_user
):
    from alliance.cards.models import Card
    from alliance.cards.services import issue_cards_bulk
    from tests.points.factories import give_card

    order, escort, _cook, _photo = _escort_world(world, setup)
    owner = make_user("owner", community=world.a, roles=(Role.MERCHANT_STAFF,), phone="13922223333")
    create_merchant(world.a, 11, name="好味面包", category="bakery", staff=(owner,))
    pharmacy = create_merchant(world.a, 12, name="仁心药房", category="pharmacy")
    pharmacy.contact_phone = "13955556666"
    manager = make_user("manager", community=world.a, roles=(Role.RESIDENT,))
    issue_cards_bulk([(manager.id, world.a.id, "alliance", pharmacy.id)], None)
    alliance_card = db.session.scalars(select(Card).where(Card.holder_id == manager.id)).one()
    escort.user.phone = "13911112222"
    card = give_card(escort.user, world.a)
    far = make_user("far", community=world.b, roles=(Role.VOLUNTEER,), phone="13977778888")
    db.session.commit()
    client = as_user("secretary_a")

    def found(q):
        page = _text(client.get(f"/requests/{order.id}/dispatch", query_string={"q": q}))
        return page

    by_phone = found("139 1111 2222")  # as people type it
    assert "陈陪诊" in by_phone and "共 1 个候选" in by_phone
    by_card = found(card.number.lower())
    assert "陈陪诊" in by_card and "共 1 个候选" in by_card
    staff_phone = found("13922223333")
    assert "好味面包" in staff_phone and "共 1 个候选" in staff_phone
    contact = found("13955556666")
    assert "仁心药房" in contact and "共 1 个候选" in contact
    member_card = found(alliance_card.number)
    assert "仁心药房" in member_card and "共 1 个候选" in member_card
    # Another community's person, and a number nobody has, find nobody.
    assert "没有找到符合的候选。" in found(far.phone)
    assert "没有找到符合的候选。" in found("13900000000")
    # Search still by name and skill; the field and URL are the same.
    assert "陈陪诊" in found("陪同就医")
    assert 'name="q"' in client.get(f"/requests/{order.id}/dispatch").get_data(as_text=True)

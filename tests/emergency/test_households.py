"""Households that need help first: who sees them, door-knocking, progress by grid."""

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from alliance.emergency import households, services
from alliance.emergency.household_models import Household, HouseholdVisit
from alliance.emergency.personal_data import erase, export
from alliance.emergency.services import EmergencyError, Target
from alliance.extensions import db

PHONE = "13912345678"


def _household(world, name="张奶奶", responsible="volunteer", grid=True, **kw):
    household = households.create_household(
        world.a,
        households.HouseholdInput(
            head_name=name,
            estate_id=world.estate_a.id,
            grid_id=world.grid.id if grid else None,
            categories=kw.pop("categories", ("alone", "ill")),
            building="3",
            unit_no="1",
            room="402",
            members=2,
            need_help_moving=1,
            contact_phone=PHONE,
            needs=("oxygen",),
            responsible=responsible,
            **kw,
        ),
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return household


def _respond(world):
    services.start_response(
        Target(community=world.a),
        kind="flood",
        level="IV",
        reason="暴雨",
        drill=False,
        actor=world.users["secretary_a"],
    )
    db.session.commit()


def test_secretary_registers_and_bad_input_is_refused_with_nothing_saved(world, as_user):
    client = as_user("secretary_a")
    good = {
        "head_name": "李爷爷",
        "categories": ["alone", "disabled"],
        "estate_id": str(world.estate_a.id),
        "grid_id": str(world.grid.id),
        "building": "5",
        "members": "1",
        "need_help_moving": "1",
        "contact_phone": PHONE,
        "needs": ["wheelchair"],
        "responsible": "volunteer",
        "deputy": "grid",
    }
    r = client.post("/emergency/households", data=good)
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "李爷爷" in page and "独居老人" in page and "残疾人" in page and "轮椅" in page
    assert PHONE in page
    bad = [
        ({"categories": []}, "请至少选择一个类别"),
        ({"contact_phone": "12345"}, "请填写正确的手机号码"),
        ({"need_help_moving": "3"}, "需要协助转移的人数在 0 到家庭人数之间"),
        ({"deputy": "volunteer"}, "副责任人不能与包保责任人是同一人"),
        ({"estate_id": ""}, "请选择本社区的小区"),
        ({"members": "0"}, "家庭人数是 1 到 50 人"),
    ]
    for change, message in bad:
        r = client.post("/emergency/households", data={**good, "head_name": "王", **change})
        assert r.status_code == 422, change
        assert message in r.get_data(as_text=True), change
    assert db.session.scalar(select(func.count(Household.id))) == 1


def test_details_only_for_the_secretary_the_grid_worker_and_the_named_people(
    world, as_user, make_user
):
    household = _household(world, responsible="merchant")
    outside = _household(world, name="远处的户", responsible="merchant", grid=False)
    # The grid worker sees their grid's household, not one outside it.
    grid_page = as_user("grid").get("/emergency/households").get_data(as_text=True)
    assert "张奶奶" in grid_page and "远处的户" not in grid_page
    assert as_user("grid").get(f"/emergency/households/{outside.id}").status_code == 404
    # The named person sees both, phones masked in the list and whole on the page.
    merchant = as_user("merchant")
    page = merchant.get("/emergency/households").get_data(as_text=True)
    assert "139****5678" in page and PHONE not in page
    assert PHONE in merchant.get(f"/emergency/households/{household.id}").get_data(as_text=True)
    # A volunteer not named sees nothing; another community's secretary gets 404.
    page = as_user("volunteer").get("/emergency/households").get_data(as_text=True)
    assert "张奶奶" not in page and "没有您可以查看的重点人群" in page
    assert as_user("volunteer").get(f"/emergency/households/{household.id}").status_code == 404
    assert as_user("secretary_b").get(f"/emergency/households/{household.id}").status_code == 404
    assert as_user("resident").get("/emergency/households").status_code == 403
    # The street office gets counts, never names or phones.
    street = as_user("street").get("/emergency/households").get_data(as_text=True)
    assert "甲社区" in street and "张奶奶" not in street and "139" not in street
    assert households.counts_by_community(world.office.id)[0][1:] == (2, 2)
    # Never on public pages or the public API.
    for path in ("/", "/api/v1/emergencies"):
        text = as_user("resident").get(path).get_data(as_text=True)
        assert "张奶奶" not in text and PHONE not in text


def test_door_knocking_by_the_named_people_during_a_response(world, as_user):
    household = _household(world)
    phone = as_user("volunteer")
    path = f"/emergency/households/{household.id}/visits"
    r = phone.post(path, data={"result": "safe"})
    assert r.status_code == 409 and "现在没有应急响应" in r.get_data(as_text=True)
    _respond(world)
    assert "敲门走访" in phone.get(f"/emergency/households/{household.id}").get_data(True)
    r = phone.post(path, data={"result": "refused"})
    assert r.status_code == 422 and "拒绝转移时请写明原因" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(HouseholdVisit.id))) == 0
    r = phone.post(path, data={"result": "no_answer"})
    assert r.status_code == 303
    visit = db.session.scalars(select(HouseholdVisit)).one()
    assert visit.follow_up_due - visit.visited_at == timedelta(hours=2)
    page = phone.get("/emergency/households").get_data(as_text=True)
    assert "无人应答" in page and "前再次走访" in page
    # Someone not responsible is refused, even the secretary who can see the household.
    r = as_user("secretary_a").post(path, data={"result": "safe"})
    assert r.status_code == 403
    assert "只有这户的包保责任人或副责任人可以记录敲门走访" in r.get_data(as_text=True)
    r = as_user("grid").post(path, data={"result": "safe"})
    assert r.status_code == 403
    assert "只有这户的包保责任人或副责任人可以记录敲门走访" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(HouseholdVisit.id))) == 1
    with pytest.raises(EmergencyError) as refused:
        households.record_visit(household, result="safe", reason="", actor=world.users["grid"])
    assert refused.value.code == "not_responsible"
    db.session.rollback()
    phone = as_user("volunteer")
    r = phone.post(path, data={"result": "refused", "reason": "不愿离开老房子"})
    assert r.status_code == 303
    page = as_user("secretary_a").get("/emergency/households").get_data(as_text=True)
    assert "已走访 1 / 1" in page and "拒绝转移" in page


def test_progress_by_grid_counts_each_household_once(world):
    first = _household(world)
    _household(world, name="第二户")
    _household(world, name="无网格户", grid=False)
    _respond(world)
    response = services.running_for(Target(community=world.a))
    for result in ("no_answer", "safe"):
        households.record_visit(first, result=result, reason="", actor=world.users["volunteer"])
    db.session.commit()
    progress = dict(
        (name, (seen, total))
        for name, seen, total in households.progress_by_grid(world.a.id, response.id)
    )
    assert progress["甲一网格"] == (1, 2) and progress["未分网格"] == (0, 1)


def test_a_resident_with_an_account_gets_the_entry_in_my_data_and_it_is_erased(world):
    household = _household(world)
    user = world.users["resident"]
    household.resident_id = user.id
    db.session.commit()
    assert export(user)["emergency"]["household_register"][0]["contact_phone"] == PHONE
    erase(user)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Household, household.id)
    assert (kept.head_name, kept.contact_phone, kept.room) == ("", "", "")
    assert kept.members == 2


@pytest.mark.parametrize("size", [10, 5000])
def test_the_register_page_has_a_bounded_statement_count(world, as_user, count_statements, size):
    _household(world)
    db.session.execute(
        insert(Household),
        [
            {
                "community_id": world.a.id,
                "estate_id": world.estate_a.id,
                "grid_id": world.grid.id,
                "head_name": f"户{i}",
                "categories": "alone",
                "building": "",
                "unit_no": "",
                "room": "",
                "members": 1,
                "need_help_moving": 1,
                "contact_phone": PHONE,
                "needs": "",
                "responsible_id": world.users["volunteer"].id,
            }
            for i in range(size)
        ],
    )
    db.session.commit()
    _respond(world)
    client = as_user("secretary_a")
    with count_statements() as counter:
        r = client.get("/emergency/households")
    assert r.status_code == 200
    assert counter.count <= 16, counter.count


def test_a_household_that_has_not_answered_a_warning_is_flagged_on_the_list(world, as_user):
    from alliance.emergency import alerts
    from tests.emergency.test_alerts import cap_doc

    household = _household(world)
    household.resident_id = world.users["resident"].id
    alert = alerts.import_cap(world.a, cap_doc(), actor=None)
    db.session.commit()
    page = as_user("volunteer").get("/emergency/households").get_data(as_text=True)
    assert "未回执预警，请先上门" in page
    alerts.acknowledge(alert, world.users["resident"], "safe")
    db.session.commit()
    page = as_user("volunteer").get("/emergency/households").get_data(as_text=True)
    assert "未回执预警，请先上门" not in page


def _card(page: str, person_id) -> str:
    start = page.index(f'id="person-{person_id}"')
    return page[start : page.index("</div></li>", start)]


def test_the_secretary_sees_door_knocking_by_person_responsible_with_who_waits(world, as_user):
    safe = _household(world, name="安全户")
    nobody = _household(world, name="无人户")
    later = _household(world, name="稍后户")
    waiting = _household(world, name="未访户", responsible="grid", grid=False)
    page = as_user("secretary_a").get("/emergency/households/door-knocking").get_data(True)
    assert "现在没有应急响应" in page and "未访户" not in page
    _respond(world)
    volunteer = world.users["volunteer"]
    households.record_visit(safe, result="safe", reason="", actor=volunteer)
    households.record_visit(later, result="no_answer", reason="", actor=volunteer)
    overdue = households.record_visit(nobody, result="no_answer", reason="", actor=volunteer)
    overdue.follow_up_due -= timedelta(hours=3)
    db.session.commit()

    page = as_user("secretary_a").get("/emergency/households/door-knocking").get_data(True)
    mine = _card(page, volunteer.id)
    assert "已走访 3 / 3" in mine
    # Nobody answered and the follow-up is overdue: highlighted; the others are not listed.
    assert f'id="waiting-{nobody.id}"' in mine and "已逾期" in mine
    assert f'id="waiting-{safe.id}"' not in mine and f'id="waiting-{later.id}"' not in mine
    theirs = _card(page, world.users["grid"].id)
    assert "已走访 0 / 1" in theirs and f'id="waiting-{waiting.id}"' in theirs
    assert "还没有走访" in theirs
    # The person with households never visited comes first.
    assert page.index(f"person-{world.users['grid'].id}") < page.index(f"person-{volunteer.id}")

    # The grid worker sees the households of their grid only (未访户 is in no grid).
    page = as_user("grid").get("/emergency/households/door-knocking").get_data(True)
    assert "已走访 3 / 3" in _card(page, volunteer.id) and "未访户" not in page
    assert as_user("volunteer").get("/emergency/households/door-knocking").status_code == 403


@pytest.mark.parametrize("size", [10, 500])
def test_the_door_knocking_overview_has_a_bounded_statement_count(
    world, as_user, count_statements, size
):
    _household(world)
    people = [world.users["volunteer"].id, world.users["grid"].id]
    db.session.execute(
        insert(Household),
        [
            {
                "community_id": world.a.id,
                "estate_id": world.estate_a.id,
                "grid_id": world.grid.id,
                "head_name": f"户{i}",
                "categories": "alone",
                "members": 1,
                "need_help_moving": 1,
                "needs": "",
                "responsible_id": people[i % 2],
            }
            for i in range(size)
        ],
    )
    db.session.commit()
    _respond(world)
    response = services.running_for(Target(community=world.a))
    ids = db.session.scalars(select(Household.id).order_by(Household.id)).all()
    db.session.execute(
        insert(HouseholdVisit),
        [
            {
                "household_id": hid,
                "community_id": world.a.id,
                "response_id": response.id,
                "visitor_id": people[0],
                "result": "no_answer",
            }
            for hid in ids[::3]
        ],
    )
    db.session.commit()
    client = as_user("secretary_a")
    with count_statements() as counter:
        r = client.get("/emergency/households/door-knocking")
    assert r.status_code == 200 and f"/ {size // 2 + (size % 2) + 1}" in r.get_data(True)
    assert counter.count <= 10, counter.count

"""Hazard points, inspection rounds on a phone, rectification notices closed one by one."""

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from alliance.accounts.models import Role
from alliance.clock import local_today
from alliance.emergency import hazard_reminders, hazards
from alliance.emergency.hazard_models import (
    HazardCheck,
    HazardPoint,
    NoticeState,
    RectificationNotice,
)
from alliance.emergency.services import EmergencyError
from alliance.extensions import db
from alliance.notifications.models import Notification


def _point(world, name="桥下低洼点", **kw):
    kw.setdefault("grid_id", world.grid.id)
    point = hazards.create_point(
        world.a,
        hazards.PointInput(kind="low_lying", name=name, **kw),
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return point


def _round(world, inspector="volunteer"):
    found = hazards.start_round(
        world.a, name="7月汛前排查", inspector=inspector, actor=world.users["secretary_a"]
    )
    db.session.commit()
    return found


def _checks(round_id):
    return {
        c.point_id: c
        for c in db.session.scalars(select(HazardCheck).where(HazardCheck.round_id == round_id))
    }


def test_secretary_registers_a_point_and_bad_input_is_refused_with_nothing_saved(world, as_user):
    client = as_user("secretary_a")
    r = client.post(
        "/emergency/hazards",
        data={
            "kind": "reservoir",
            "name": "东山塘",
            "estate_id": str(world.estate_a.id),
            "grid_id": str(world.grid.id),
            "latitude": "29.08",
            "longitude": "119.65",
            "responsible": "volunteer",
            "check_every_days": "3",
        },
    )
    assert r.status_code == 303
    point = db.session.scalars(select(HazardPoint)).one()
    assert (point.kind, point.responsible_id, point.check_every_days) == (
        "reservoir",
        world.users["volunteer"].id,
        3,
    )
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "东山塘" in page and "山塘水库" in page and "29.080000" in page
    bad = [
        ({"latitude": "29.1"}, "纬度和经度要一起填写"),
        ({"latitude": "99", "longitude": "1"}, "纬度在 -90 到 90 之间"),
        ({"responsible": "nobody"}, "本社区名册上没有"),
        ({"check_every_days": "0"}, "汛期检查间隔是 1 到 365 天"),
        ({"name": "东山塘"}, "本社区已有同名的隐患点"),
    ]
    for extra, message in bad:
        data = {"kind": "slope", "name": "新斜坡", "check_every_days": "7", **extra}
        r = client.post("/emergency/hazards", data=data)
        assert r.status_code in (409, 422), extra
        assert message in r.get_data(as_text=True), extra
    assert db.session.scalar(select(func.count(HazardPoint.id))) == 1


def test_a_grid_of_another_community_is_refused(world, make_user):
    from alliance.communities.models import Grid

    other = Grid(community_id=world.b.id, name="乙网格")
    db.session.add(other)
    db.session.commit()
    with pytest.raises(EmergencyError, match="本社区的网格"):
        _point(world, grid_id=other.id)


def test_a_round_assigns_points_and_the_inspector_records_on_a_phone(world, as_user):
    in_grid = _point(world)
    loose = _point(world, name="老街危房", grid_id=None)
    found = _round(world)
    checks = _checks(found.id)
    assert checks[in_grid.id].inspector_id == world.users["grid"].id
    assert checks[loose.id].inspector_id == world.users["volunteer"].id

    phone = as_user("volunteer")
    page = phone.get(f"/emergency/hazards/rounds/{found.id}").get_data(as_text=True)
    assert "已检查 0 / 2" in page and "老街危房" in page and "桥下低洼点" not in page
    # 发现隐患 needs what was found; nothing is saved without it.
    r = phone.post(f"/emergency/hazards/checks/{checks[loose.id].id}", data={"result": "found"})
    assert r.status_code == 422 and "发现隐患时请写明隐患情况" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RectificationNotice.id))) == 0
    r = phone.post(
        f"/emergency/hazards/checks/{checks[loose.id].id}",
        data={"result": "found", "note": "墙体开裂"},
    )
    assert r.status_code == 303
    notice = db.session.scalars(select(RectificationNotice)).one()
    assert notice.number == f"ZG{local_today().year}-0001" and notice.hazard == "墙体开裂"
    # The same point is not recorded twice in a round.
    again = phone.post(f"/emergency/hazards/checks/{checks[loose.id].id}", data={"result": "ok"})
    assert again.status_code == 409
    # The grid worker's point is not the volunteer's to record.
    assert (
        phone.post(
            f"/emergency/hazards/checks/{checks[in_grid.id].id}", data={"result": "ok"}
        ).status_code
        == 404
    )
    grid = as_user("grid")
    assert (
        grid.post(
            f"/emergency/hazards/checks/{checks[in_grid.id].id}", data={"result": "ok"}
        ).status_code
        == 303
    )
    page = as_user("secretary_a").get(f"/emergency/hazards/rounds/{found.id}")
    text = page.get_data(as_text=True)
    assert "已检查 2 / 2" in text and "发现隐患 1" in text and "整改中 1" in text


def _found_notice(world):
    point = _point(world, responsible="merchant")
    found = _round(world)
    notice = hazards.record_check(
        _checks(found.id)[point.id], result="found", note="排水沟堵塞", actor=world.users["grid"]
    )
    db.session.commit()
    return found, notice


def test_the_notice_goes_to_the_person_responsible_and_is_printable(world, as_user):
    _round_, notice = _found_notice(world)
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "emergency.hazard_notice")
    ).one()
    assert told.user_id == world.users["merchant"].id
    r = as_user("secretary_a").post(
        f"/emergency/hazards/notices/{notice.id}",
        data={
            "measure": "清淤",
            "money": "社区经费 2000 元",
            "responsible": "merchant",
            "rechecker": "merchant",
            "deadline": (local_today() + timedelta(days=3)).isoformat(),
        },
    )
    assert r.status_code == 422 and "复查人不能是整改责任人本人" in r.get_data(as_text=True)
    r = as_user("secretary_a").post(
        f"/emergency/hazards/notices/{notice.id}",
        data={
            "measure": "清淤",
            "money": "社区经费 2000 元",
            "responsible": "merchant",
            "rechecker": "grid",
            "deadline": (local_today() + timedelta(days=3)).isoformat(),
        },
    )
    assert r.status_code == 303
    page = as_user("merchant").get(f"/emergency/hazards/notices/{notice.id}").get_data(True)
    for text in (
        "整改通知书",
        notice.number,
        "清淤",
        "社区经费 2000 元",
        "排水沟堵塞",
        "报告整改完成",
    ):
        assert text in page
    assert as_user("resident").get(f"/emergency/hazards/notices/{notice.id}").status_code == 404


def test_closing_needs_a_recheck_by_someone_other_than_the_fixer(world, as_user):
    _r, notice = _found_notice(world)
    notice.rechecker_id = world.users["grid"].id
    db.session.commit()
    # No re-check before the work is reported done.
    with pytest.raises(EmergencyError) as refused:
        hazards.recheck(notice, passed=True, note="", actor=world.users["grid"])
    assert refused.value.code == "not_fixed"
    db.session.rollback()
    r = as_user("merchant").post(
        f"/emergency/hazards/notices/{notice.id}/fixed", data={"note": "已清淤"}
    )
    assert r.status_code == 303
    # The fixer cannot close their own work, not even as the named re-checker.
    notice = db.session.get(RectificationNotice, notice.id)
    notice.rechecker_id = world.users["merchant"].id
    db.session.commit()
    r = as_user("merchant").post(
        f"/emergency/hazards/notices/{notice.id}/recheck", data={"passed": "yes"}
    )
    assert r.status_code == 403 and "整改的人不能给自己复查销号" in r.get_data(as_text=True)
    assert db.session.get(RectificationNotice, notice.id).state == NoticeState.FIXED
    notice.rechecker_id = world.users["grid"].id
    db.session.commit()
    r = as_user("grid").post(
        f"/emergency/hazards/notices/{notice.id}/recheck", data={"passed": "no"}
    )
    assert r.status_code == 422 and "复查不通过时请写明原因" in r.get_data(as_text=True)
    r = as_user("grid").post(
        f"/emergency/hazards/notices/{notice.id}/recheck", data={"passed": "yes", "note": "通畅"}
    )
    assert r.status_code == 303
    db.session.expire_all()
    closed = db.session.get(RectificationNotice, notice.id)
    assert closed.state == NoticeState.CLOSED and closed.rechecked_by_id == world.users["grid"].id


def test_a_failed_recheck_sends_it_back(world):
    _r, notice = _found_notice(world)
    notice.rechecker_id = world.users["grid"].id
    hazards.report_fixed(notice, note="清了一半", actor=world.users["merchant"])
    hazards.recheck(notice, passed=False, note="仍有积水", actor=world.users["grid"])
    assert notice.state == NoticeState.OPEN
    with pytest.raises(EmergencyError):
        hazards.report_fixed(notice, note="", actor=world.users["merchant"])


def test_overdue_notices_are_highlighted_counted_and_notified(world, as_user):
    found, notice = _found_notice(world)
    notice.deadline = local_today() - timedelta(days=1)
    notice.rechecker_id = world.users["grid"].id
    db.session.commit()
    figures = hazards.figures(world.a.id, round_id=found.id)
    assert figures == {
        "total": 1,
        "checked": 1,
        "found": 1,
        "in_rectification": 1,
        "closed": 0,
        "overdue": 1,
    }
    assert hazards.figures(world.a.id, year=local_today().year)["overdue"] == 1
    page = as_user("secretary_a").get("/emergency/hazards").get_data(as_text=True)
    assert "已逾期" in page and "逾期 1" in page
    assert hazard_reminders.notify_overdue(world.a.id) == 3
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "emergency.hazard_overdue")
    ).all()
    assert sorted(told) == sorted(
        [world.users[name].id for name in ("merchant", "grid", "secretary_a")]
    )


def test_a_round_without_points_or_without_an_inspector_is_refused(world, as_user):
    client = as_user("secretary_a")
    r = client.post("/emergency/hazards/rounds", data={"round-name": "空排查"})
    assert r.status_code == 422 and "还没有隐患点" in r.get_data(as_text=True)
    _point(world, name="无网格点", grid_id=None)
    r = client.post("/emergency/hazards/rounds", data={"round-name": "排查"})
    assert r.status_code == 422 and "请填写排查人" in r.get_data(as_text=True)


def _many_points(world, n):
    db.session.execute(
        insert(HazardPoint),
        [
            {
                "community_id": world.a.id,
                "kind": "low_lying",
                "name": f"点{i}",
                "grid_id": world.grid.id,
                "estate_id": world.estate_a.id,
                "responsible_id": world.users["volunteer"].id,
                "check_every_days": 7,
                "description": "",
                "retired": False,
            }
            for i in range(n)
        ],
    )
    db.session.commit()


@pytest.mark.parametrize("size", [10, 5000])
def test_register_and_round_pages_have_bounded_statement_counts(
    world, as_user, count_statements, size
):
    _many_points(world, size)
    found = _round(world)
    checks = list(_checks(found.id).values())[:7]
    for check in checks:
        hazards.record_check(check, result="found", note="积水", actor=world.users["grid"])
    db.session.commit()
    client = as_user("secretary_a")
    counts = {}
    for path in ("/emergency/hazards", f"/emergency/hazards/rounds/{found.id}"):
        with count_statements() as counter:
            r = client.get(path)
        assert r.status_code == 200
        counts[path] = counter.count
    assert counts["/emergency/hazards"] <= 14, counts
    assert counts[f"/emergency/hazards/rounds/{found.id}"] <= 10, counts


def test_the_grid_worker_is_staff_but_a_resident_is_not(world):
    assert hazards.is_staff_of(world.users["grid"], world.a.id)
    assert not hazards.is_staff_of(world.users["resident"], world.a.id)
    assert world.users["grid"].has_role(Role.GRID_WORKER)


def test_the_daily_command_tells_about_overdue_notices(world, runner):
    _found, notice = _found_notice(world)
    notice.deadline = local_today() - timedelta(days=2)
    db.session.commit()
    result = runner.invoke(args=["emergency", "hazards-overdue"])
    # The person responsible and the secretary (no re-checker named yet).
    assert result.exit_code == 0 and "Told 2 people" in result.output
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.kind == "emergency.hazard_overdue"
            )
        )
        == 2
    )


def _section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</ul>", start)]


def test_an_inspector_sees_their_own_points_first_and_the_secretary_each_inspectors_progress(
    world, as_user
):
    bridge = _point(world)
    _point(world, name="河堤缺口")
    _point(world, name="老街危房", grid_id=None)
    found = _round(world)
    checks = _checks(found.id)
    hazards.record_check(checks[bridge.id], result="ok", note="", actor=world.users["grid"])
    db.session.commit()

    # The grid worker is staff, but their own two points come first with their own progress;
    # the volunteer's point is folded away under "其他排查点".
    page = as_user("grid").get(f"/emergency/hazards/rounds/{found.id}").get_data(as_text=True)
    assert "我的排查点（1/2）" in page
    mine = _section(page, "my-checks")
    assert "桥下低洼点" in mine and "河堤缺口" in mine and "老街危房" not in mine
    assert "其他排查点（1）" in page and "老街危房" in _section(page, "other-checks")
    assert page.index("my-checks") < page.index("other-checks-box")
    assert 'id="inspector-progress"' not in page

    # The volunteer (not staff) sees only their own point.
    page = as_user("volunteer").get(f"/emergency/hazards/rounds/{found.id}").get_data(True)
    assert "我的排查点（0/1）" in page and "其他排查点" not in page

    # The secretary sees every point and checked/total per inspector.
    page = as_user("secretary_a").get(f"/emergency/hazards/rounds/{found.id}").get_data(True)
    progress = _section(page, "inspector-progress")
    grid, volunteer = world.users["grid"], world.users["volunteer"]
    assert f"{grid.display_name}：已检查 1 / 2" in progress
    assert f"{volunteer.display_name}：已检查 0 / 1" in progress
    everything = _section(page, "checks")
    assert all(name in everything for name in ("桥下低洼点", "河堤缺口", "老街危房"))
    assert "我的排查点" not in page

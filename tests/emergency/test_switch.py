"""The switch: start, raise, lower, end; who may; what is refused; the history and the audit."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from alliance.audit.models import AuditEntry
from alliance.emergency import services
from alliance.emergency.models import EmergencyResponse, ResponseChange
from alliance.emergency.services import EmergencyError, Target
from alliance.extensions import db
from alliance.help_requests import queues
from tests.conftest import office_with_community
from tests.help_requests.factories import build, post_need


def start(world, who="secretary_a", target=None, **kw):
    args = dict(kind="flood", level="IV", reason="连续强降雨，河道水位上涨", drill=False)
    args.update(kw)
    response = services.start_response(
        target or Target(community=world.a), actor=world.users[who], **args
    )
    db.session.commit()
    return response


def test_a_secretary_starts_raises_lowers_and_ends_with_every_step_logged(world):
    response = start(world)
    assert (response.level, response.level_text, response.running) == ("IV", "Ⅳ级", True)
    services.change_level(
        response, level="II", reason="水位超警戒", actor=world.users["secretary_a"]
    )
    services.change_level(response, level="III", reason="雨势减弱", actor=world.users["street"])
    services.end_response(response, summary="出动党员 40 人次", actor=world.users["secretary_a"])
    db.session.commit()
    changes = db.session.scalars(select(ResponseChange).order_by(ResponseChange.id)).all()
    assert [(c.action, c.from_level, c.to_level) for c in changes] == [
        ("start", None, "IV"),
        ("raise", "IV", "II"),
        ("lower", "II", "III"),
        ("end", "III", None),
    ]
    assert [c.actor_id for c in changes] == [
        world.users[u].id for u in ("secretary_a", "secretary_a", "street", "secretary_a")
    ]
    assert changes[2].reason == "雨势减弱"
    assert response.summary == "出动党员 40 人次" and response.ended_at is not None
    audited = db.session.scalars(
        select(AuditEntry.object_type).where(AuditEntry.object_type == "ResponseChange")
    ).all()
    assert len(audited) == 4


def test_starting_while_one_runs_is_refused(world):
    start(world)
    with pytest.raises(EmergencyError) as exc:
        start(world, level="III")
    assert exc.value.code == "already_running" and exc.value.status == 409
    db.session.rollback()
    assert db.session.query(EmergencyResponse).count() == 1


def test_the_database_keeps_one_running_response_per_community(world):
    start(world)
    db.session.add(
        EmergencyResponse(
            scope="community",
            community_id=world.a.id,
            street_office_id=world.office.id,
            kind="flood",
            level="I",
            reason="x",
            running_key=f"c{world.a.id}",
        )
    )
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_ending_one_that_is_not_running_is_refused(world):
    response = start(world)
    services.end_response(response, summary="结束", actor=world.users["secretary_a"])
    db.session.commit()
    with pytest.raises(EmergencyError) as exc:
        services.end_response(response, summary="再结束", actor=world.users["secretary_a"])
    assert exc.value.code == "not_running"
    with pytest.raises(EmergencyError):
        services.change_level(response, level="I", reason="x", actor=world.users["secretary_a"])


@pytest.mark.parametrize("level", ["V", "0", "", "IIII", "1"])
def test_a_level_outside_i_to_iv_is_refused(world, level):
    with pytest.raises(EmergencyError) as exc:
        start(world, level=level)
    assert exc.value.code == "bad_level" and "Ⅳ级" in str(exc.value.message)


def test_ending_needs_a_summary_and_starting_a_reason(world):
    with pytest.raises(EmergencyError) as exc:
        start(world, reason="  ")
    assert exc.value.field == "reason"
    response = start(world)
    with pytest.raises(EmergencyError) as exc:
        services.end_response(response, summary="", actor=world.users["secretary_a"])
    assert exc.value.field == "summary"
    with pytest.raises(EmergencyError) as exc:
        services.change_level(response, level="IV", reason="同级", actor=world.users["street"])
    assert exc.value.code == "same_level"


def test_who_may_command_which_scope(world, make_user):
    _other_office, c = office_with_community()
    with pytest.raises(EmergencyError) as exc:
        start(world, who="secretary_b")  # community A is not theirs
    assert exc.value.status == 403
    with pytest.raises(EmergencyError):
        start(world, target=Target(street_office=world.office))  # a secretary: not the office
    with pytest.raises(EmergencyError):
        start(world, who="street", target=Target(community=c))  # another street office
    response = start(world, who="street", target=Target(street_office=world.office))
    assert response.scope == "street_office"
    with pytest.raises(EmergencyError):
        services.end_response(response, summary="x", actor=world.users["secretary_a"])


def test_a_street_office_response_covers_every_community_under_it(world):
    start(world, who="street", target=Target(street_office=world.office), level="III")
    start(world, level="IV")  # A's own, lower
    shown_a = services.running_in_community(world.a.id, world.office.id)
    shown_b = services.running_in_community(world.b.id, world.office.id)
    assert shown_a.level == "III" and shown_b.level == "III"
    assert services.is_running_in(world.b)


def test_urgent_orders_jump_the_dispatch_queue_with_one_hour_during_a_response(world):
    build(world)
    before = post_need(world, code="emergency", title="地下室进水")
    assert before.due_at - before.submitted_at == timedelta(hours=4)
    tax = post_need(world, code="tax", urgency="urgent")
    start(world)
    urgent = post_need(world, code="emergency", title="老人被困家中")
    assert urgent.due_at - urgent.submitted_at == timedelta(hours=1)
    normal_tax = post_need(world, code="tax", urgency="urgent")
    now = urgent.submitted_at
    ids, params = queues.secretary_queue(
        world.a.id, queues.QueueFilters(state="open"), now, emergency=True
    )
    order = db.session.scalars(ids, params).all()
    assert order[:2] == [urgent.id, before.id]  # then by due time
    assert set(order[2:]) == {tax.id, normal_tax.id}


def test_the_dispatch_page_puts_urgent_orders_first_only_while_a_response_runs(world, as_user):
    """The page asks whether a response runs as the secretary's banner does."""
    build(world)
    tax = post_need(world, code="tax", title="报税咨询")
    flooded = post_need(world, code="emergency", title="地下室进水")
    tax.due_at = flooded.submitted_at - timedelta(hours=1)  # overdue: first in normal times
    db.session.commit()
    page = as_user("secretary_a").get("/requests/queue").get_data(as_text=True)
    assert page.index("报税咨询") < page.index("地下室进水")
    start(world)
    page = as_user("secretary_a").get("/requests/queue").get_data(as_text=True)
    assert page.index("地下室进水") < page.index("报税咨询")

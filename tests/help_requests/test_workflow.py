"""The order's life through the one state machine, and its permission table."""

import pytest
from sqlalchemy import select, update

from alliance.extensions import db
from alliance.help_requests import workflow
from alliance.help_requests.models import HelpRequest, HelpRequestEvent, State
from alliance.help_requests.workflow import Provider
from alliance.notifications.models import Notification
from tests.help_requests.factories import post_need


def _fresh(order_id):
    db.session.expire_all()
    return db.session.get(HelpRequest, order_id)


def act(world, order_id, action, username, **kw):
    order = _fresh(order_id)
    event = workflow.transition(order, action, world.users[username], **kw)
    db.session.commit()
    return event


def test_whole_life_with_decline_escalation_and_return(world, setup):
    order = post_need(world)
    oid = order.id
    firm = Provider("merchant", setup.firm.id)
    act(world, oid, "dispatch", "secretary_a", provider=firm)
    act(world, oid, "decline", "merchant", note="本周人手不够")
    assert _fresh(oid).state == State.SUBMITTED and _fresh(oid).provider_kind is None
    act(world, oid, "escalate", "secretary_a", note="社区协调不了")
    act(world, oid, "return", "street", note="请社区再派给会计师事务所")
    assert _fresh(oid).state == State.SUBMITTED and not _fresh(oid).escalated
    act(world, oid, "dispatch", "secretary_a", provider=firm)
    act(world, oid, "accept", "merchant")
    act(world, oid, "start", "merchant", note="第1场讲座")
    act(world, oid, "finish", "merchant", note="3场讲座，26家企业")
    act(world, oid, "review", "resident", rating=5, note="讲得清楚")
    act(world, oid, "close", "secretary_a")
    final = _fresh(oid)
    assert final.state == State.CLOSED and final.rating == 5
    events = db.session.scalars(
        select(HelpRequestEvent)
        .where(HelpRequestEvent.help_request_id == oid)
        .order_by(HelpRequestEvent.id)
    ).all()
    assert [e.action for e in events] == [
        "submit",
        "dispatch",
        "decline",
        "escalate",
        "return",
        "dispatch",
        "accept",
        "start",
        "finish",
        "review",
        "close",
    ]
    assert events[2].note == "本周人手不够" and events[2].from_state == "dispatched"
    assert all(e.created_at is not None for e in events)
    # The parties heard about it in their inboxes.
    inbox = db.session.scalars(
        select(Notification).where(Notification.user_id == world.users["merchant"].id)
    ).all()
    assert any(n.title.endswith("已派给您，请及时接单") for n in inbox)
    street_inbox = db.session.scalars(
        select(Notification).where(Notification.user_id == world.users["street"].id)
    ).all()
    assert any(n.title.endswith("已上报街道") for n in street_inbox)


# The table the tests hold the machine to: (state, action) -> (to, roles).
EXPECTED = {
    ("submitted", "dispatch"): ("dispatched", {"secretary"}),
    ("submitted", "cancel"): ("cancelled", {"requester"}),
    ("submitted", "escalate"): ("escalated", {"secretary"}),
    ("dispatched", "accept"): ("accepted", {"provider"}),
    ("dispatched", "decline"): ("submitted", {"provider"}),
    ("dispatched", "cancel"): ("cancelled", {"requester"}),
    ("dispatched", "reassign"): ("dispatched", {"secretary"}),
    ("dispatched", "recall"): ("submitted", {"secretary"}),
    ("dispatched", "escalate"): ("escalated", {"secretary"}),
    ("accepted", "start"): ("in_progress", {"provider"}),
    ("accepted", "escalate"): ("escalated", {"secretary"}),
    ("in_progress", "finish"): ("done", {"provider"}),
    ("in_progress", "escalate"): ("escalated", {"secretary"}),
    ("escalated", "assign_unit"): ("in_progress", {"street"}),
    ("escalated", "resolve"): ("done", {"street"}),
    ("escalated", "return"): ("submitted", {"street"}),
    ("done", "review"): ("reviewed", {"requester"}),
    ("done", "close"): ("closed", {"secretary", "street"}),
    ("reviewed", "close"): ("closed", {"secretary", "street"}),
}

# Each user in the matrix and the role they hold towards a merchant-provided order of A.
ACTORS = {
    "resident": "requester",
    "secretary_a": "secretary",
    "street": "street",
    "merchant": "provider",
    "secretary_b": None,
    "resident_b": None,
    "volunteer": None,
}


def test_the_machine_is_the_table():
    assert {
        (s.value, a): (t.value, set(r)) for (s, a), (t, r) in workflow.TRANSITIONS.items()
    } == EXPECTED


def _order_in(world, setup, state):
    """An order of A in `state`, provided by the firm where a provider is involved."""
    order = post_need(world)
    if state == "submitted":
        return order
    path = {
        "dispatched": ["dispatch"],
        "accepted": ["dispatch", "accept"],
        "in_progress": ["dispatch", "accept", "start"],
        "done": ["dispatch", "accept", "start", "finish"],
        "reviewed": ["dispatch", "accept", "start", "finish", "review"],
        "closed": ["dispatch", "accept", "start", "finish", "review", "close"],
        "cancelled": ["cancel"],
        "escalated": ["escalate"],
    }[state]
    who = {
        "dispatch": "secretary_a",
        "accept": "merchant",
        "start": "merchant",
        "finish": "merchant",
        "review": "resident",
        "close": "secretary_a",
        "cancel": "resident",
        "escalate": "secretary_a",
    }
    for action in path:
        act(
            world,
            order.id,
            action,
            who[action],
            provider=Provider("merchant", setup.firm.id),
            note="说明",
            rating=4,
        )
    return _fresh(order.id)


def _kwargs(action, setup):
    provider = (
        Provider("unit", setup.unit.id)
        if action == "assign_unit"
        # Reassigning goes to someone other than the firm the order was dispatched to.
        else Provider("merchant", setup.other.id if action == "reassign" else setup.firm.id)
    )
    return {"note": "说明", "rating": 4, "provider": provider}


@pytest.mark.parametrize("state", [s.value for s in State])
def test_every_state_action_and_role(world, setup, state):
    """Allowed → the table's next state; not in the table → 409; wrong person → 403."""
    order = _order_in(world, setup, state)
    for action in workflow.ACTIONS:
        for username, role in ACTORS.items():
            order = _fresh(order.id)
            before = (order.state, order.version)
            expected = EXPECTED.get((state, action))
            user = world.users[username]
            try:
                workflow.transition(order, action, user, **_kwargs(action, setup))
            except workflow.WorkflowError as exc:
                db.session.rollback()
                after = _fresh(order.id)
                assert (after.state, after.version) == before, (state, action, username)
                if expected is None:
                    assert exc.status == 409, (state, action, username)
                else:
                    assert role not in expected[1] and exc.status == 403, (state, action, username)
            else:
                assert expected is not None and role in expected[1], (state, action, username)
                assert order.state == expected[0]
                db.session.rollback()  # undo, try the next person from the same state


def test_a_replayed_transition_does_not_apply_twice(world, setup):
    order = post_need(world)
    act(world, order.id, "dispatch", "secretary_a", provider=Provider("merchant", setup.firm.id))
    act(world, order.id, "accept", "merchant")
    with pytest.raises(workflow.WrongState):
        act(world, order.id, "accept", "merchant")
    db.session.rollback()
    assert (
        db.session.scalar(
            select(HelpRequestEvent.id)
            .where(HelpRequestEvent.action == "accept")
            .limit(2)
            .offset(1)
        )
        is None
    )


def test_a_concurrent_change_makes_the_stale_transition_fail(world, setup):
    order = post_need(world)
    stale = _fresh(order.id)  # loaded at version 1, state submitted
    # Someone else dispatches in the meantime (another connection, another transaction).
    with db.engine.begin() as conn:
        conn.execute(
            update(HelpRequest)
            .where(HelpRequest.id == order.id)
            .values(
                state="dispatched",
                version=2,
                provider_kind="merchant",
                provider_merchant_id=setup.firm.id,
            )
        )
    with pytest.raises(workflow.Conflict):
        workflow.transition(stale, "cancel", world.users["resident"])
    db.session.rollback()
    fresh = _fresh(order.id)
    assert fresh.state == "dispatched" and fresh.version == 2


def test_stale_version_from_a_page_is_refused(world, setup):
    order = post_need(world)
    act(world, order.id, "dispatch", "secretary_a", provider=Provider("merchant", setup.firm.id))
    with pytest.raises(workflow.Conflict):
        act(world, order.id, "accept", "merchant", expected_version=1)
    db.session.rollback()
    assert _fresh(order.id).state == "dispatched"


def test_reasons_and_ratings_are_required(world, setup):
    order = post_need(world)
    with pytest.raises(workflow.InvalidInput):
        act(world, order.id, "escalate", "secretary_a", note="  ")
    db.session.rollback()
    with pytest.raises(workflow.InvalidInput):
        act(
            world,
            order.id,
            "dispatch",
            "secretary_a",
            provider=Provider("merchant", setup.shop_b.id),
        )
    db.session.rollback()
    assert _fresh(order.id).state == "submitted"


def test_a_provider_cannot_act_on_another_providers_order(world, setup, make_user):
    from tests.commitments.factories import create_merchant

    intruder = make_user("pharmacist", community=world.a, roles=("merchant_staff",))
    create_merchant(world.a, 9, name="另一家店", staff=[intruder])
    db.session.commit()
    order = post_need(world)
    act(world, order.id, "dispatch", "secretary_a", provider=Provider("merchant", setup.firm.id))
    with pytest.raises(workflow.NotAllowed):
        workflow.transition(_fresh(order.id), "accept", intruder)
    db.session.rollback()
    assert _fresh(order.id).state == "dispatched"


def test_each_party_hears_the_step_that_concerns_them(world, setup):
    order = post_need(world, title="报税讲座")
    oid = order.id
    firm = Provider("merchant", setup.firm.id)
    act(world, oid, "dispatch", "secretary_a", provider=firm)
    act(world, oid, "escalate", "secretary_a", note="社区协调不了")
    act(world, oid, "return", "street", note="请社区再派")
    act(world, oid, "dispatch", "secretary_a", provider=firm)
    act(world, oid, "accept", "merchant")
    act(world, oid, "start", "merchant")
    act(world, oid, "finish", "merchant", note="已办结")

    def kinds(username):
        return db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == world.users[username].id)
            .order_by(Notification.id)
        ).all()

    assert kinds("merchant") == ["order.dispatched", "order.step", "order.dispatched"]
    assert "order.escalated" in kinds("street")
    assert "order.returned" in kinds("secretary_a") and "order.submitted" in kinds("secretary_a")
    requester = kinds("resident")
    assert requester[-3:] == ["order.accepted", "order.step", "order.finished"]
    finished = db.session.scalars(
        select(Notification).where(
            Notification.user_id == world.users["resident"].id,
            Notification.kind == "order.finished",
        )
    ).one()
    assert finished.title == "您的需求“报税讲座”已办结，请评价"
    assert finished.link == f"/requests/{oid}"

"""The demo's orders of this month are moved as far as the clock allows, and never further than
the workflow allows: `make run` seeds at whatever hour it is run."""

from datetime import UTC, datetime, timedelta

from alliance.help_requests.demo_everyday import steps_due, this_month_plan
from alliance.help_requests.models import State
from alliance.help_requests.workflow import TRANSITIONS


def _walk(steps) -> State:
    state = State.SUBMITTED
    for action, *_rest in steps:
        assert (state, action) in TRANSITIONS, f"{action} from {state}"
        state = TRANSITIONS[state, action][0]
    return state


def test_every_hour_of_seeding_leaves_each_order_in_a_state_the_workflow_reaches():
    posted = datetime(2026, 12, 1, 0, 20, tzinfo=UTC)
    for k in range(6):
        plan = this_month_plan(k, "secretary", "provider", "provider_user", "requester")
        assert _walk(plan) == State.REVIEWED
        for minutes in range(0, 80 * 60, 30):
            _walk(steps_due(plan, posted, posted + timedelta(minutes=minutes)))


def test_an_order_done_the_next_day_is_reviewed_only_after_it_is_done():
    posted = datetime(2026, 12, 1, 0, 20, tzinfo=UTC)
    plan = this_month_plan(1, "secretary", "provider", "provider_user", "requester")
    # Between 30 and 32 hours on, the seed once tried to review an order still in progress.
    due = steps_due(plan, posted, posted + timedelta(hours=31))
    assert [action for action, *_rest in due] == ["dispatch", "accept", "start"]
    due = steps_due(plan, posted, posted + timedelta(days=3))
    assert [action for action, *_rest in due][-2:] == ["finish", "review"]


def test_steps_stop_at_the_first_whose_time_has_not_come():
    posted = datetime(2026, 12, 1, 0, 20, tzinfo=UTC)
    plan = [("dispatch", "secretary", {}, 2), ("accept", "p", {}, 40), ("start", "p", {}, 5)]
    due = steps_due(plan, posted, posted + timedelta(hours=10))
    assert [action for action, *_rest in due] == ["dispatch"]

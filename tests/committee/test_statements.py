"""The committee's list pages answer in a fixed number of statements, whatever the data."""

from datetime import UTC, date, datetime

from alliance.committee.services import decisions
from alliance.committee.services.decisions import DecisionInput
from alliance.extensions import db
from tests.committee.factories import attend, hold, make_committee


def _grow(world, meetings_held, month):
    for k in range(meetings_held):
        meeting = hold(world, when=datetime(2026, month, 1 + k, 7, 0, tzinfo=UTC))
        attend(meeting, [a for a in world.committee_ids])
        for j in range(3):
            decisions.pass_decision(
                meeting,
                DecisionInput(
                    text=f"决议{month}-{k}-{j}",
                    owner=world.users["secretary_a"],
                    due_date=date(2026, 12, 31),
                ),
                actor=world.users["secretary_a"],
            )
    db.session.commit()


def _count(as_user, count_statements, username, path):
    client = as_user(username)
    client.get(path)
    with count_statements() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_committee_lists_do_not_grow_with_the_data(as_user, world, make_user, count_statements):
    c = make_committee(world, make_user, liaisons=3)
    world.committee_ids = [u.id for u in c.officers]
    _grow(world, 1, 6)
    paths = [
        ("resident", "/committee/decisions"),
        ("resident", "/committee/"),
        ("secretary_a", "/committee/meetings"),
        ("secretary_a", "/points/rules"),
    ]
    small = {p: _count(as_user, count_statements, u, p) for u, p in paths}
    _grow(world, 4, 7)
    large = {p: _count(as_user, count_statements, u, p) for u, p in paths}
    assert large == small

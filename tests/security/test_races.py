"""Races found by attacking the site (issue 12, items 2 and 7): the database decides."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from alliance.cards import services as cards
from alliance.cards.models import CURRENT_STATUSES, Card
from alliance.extensions import db
from alliance.points import ledger
from alliance.points.models import LedgerEntry
from tests.conftest import login

THREADS = 8


def _race(app, username, count, request):
    """`count` signed-in clients send `request(client, i)` at the same moment."""
    first = app.test_client()
    assert login(first, username).status_code == 303
    session = first.get_cookie("session").value
    clients = []
    for _ in range(count):  # one sign-in, its session in every client (the login limit)
        client = app.test_client()
        client.set_cookie("session", session)
        clients.append(client)
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        return request(clients[i], i).status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _current_cards(holder_id, kind="volunteer"):
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(Card.id)).where(
            Card.holder_id == holder_id, Card.kind == kind, Card.status.in_(CURRENT_STATUSES)
        )
    )


def test_racing_reissues_leave_one_current_card(app, counter, world):
    card_id = counter.card_id
    statuses = _race(
        app,
        "secretary_a",
        THREADS,
        lambda c, _i: c.post(f"/cards/{card_id}/status", data={"action": "reissue"}),
    )
    assert set(statuses) == {303}
    assert _current_cards(world.users["volunteer"].id) == 1


def test_racing_issues_make_one_card(app, counter, world, db):
    holder = world.users["grid"]
    from tests.cards.conftest import make_volunteer

    make_volunteer(holder, world.a, name="张网格")
    db.session.commit()
    statuses = _race(
        app,
        "secretary_a",
        THREADS,
        lambda c, _i: c.post("/cards/issue", data={"person": "grid", "kind": "volunteer"}),
    )
    assert set(statuses) == {303}
    assert _current_cards(holder.id) == 1


def test_the_database_refuses_a_second_current_card(counter, world, db):
    old = db.session.get(Card, counter.card_id)
    duplicate = cards._new_card(
        "AAA-999999",
        holder_id=old.holder_id,
        community_id=old.community_id,
        kind=old.kind,
        merchant_id=None,
        issued_by_id=None,
        today=cards.local_today(),
    )
    with pytest.raises(cards.CardError) as caught:
        cards._add_current(duplicate)
    assert caught.value.status == 409
    db.session.rollback()
    old.status = "lost"
    db.session.commit()
    cards._add_current(duplicate)  # a lost card is not current: a new one may come
    db.session.commit()
    assert _current_cards(old.holder_id) == 1


def _award_form(key):
    return {"person": "volunteer", "points": "10", "reason": "扶老人过马路", "key": key}


def test_the_same_award_form_posted_twice_awards_once(as_user, world):
    client = as_user("secretary_a")
    key = uuid.uuid4().hex
    assert client.post("/points/award", data=_award_form(key)).status_code == 303
    assert client.post("/points/award", data=_award_form(key)).status_code == 303
    assert ledger.balance_of(world.users["volunteer"].id) == 10


def test_twenty_racing_posts_of_one_award_form_award_once(app, world):
    key = uuid.uuid4().hex
    statuses = _race(
        app, "secretary_a", 20, lambda c, _i: c.post("/points/award", data=_award_form(key))
    )
    assert set(statuses) == {303}
    db.session.expire_all()
    assert ledger.balance_of(world.users["volunteer"].id) == 10
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1


def test_the_key_with_other_values_is_refused(as_user, world):
    client = as_user("secretary_a")
    key = uuid.uuid4().hex
    client.post("/points/award", data=_award_form(key))
    other = client.post("/points/award", data={**_award_form(key), "points": "50"})
    assert other.status_code == 422 and "已经提交过了" in other.get_data(as_text=True)
    assert ledger.balance_of(world.users["volunteer"].id) == 10


def test_an_award_form_without_its_key_is_refused(as_user, world):
    client = as_user("secretary_a")
    response = client.post("/points/award", data={**_award_form(""), "key": ""})
    assert response.status_code == 422 and "页面已过期" in response.get_data(as_text=True)
    assert ledger.balance_of(world.users["volunteer"].id) == 0


def test_a_fresh_form_awards_again(as_user, world):
    client = as_user("secretary_a")
    client.post("/points/award", data=_award_form(uuid.uuid4().hex))
    client.post("/points/award", data=_award_form(uuid.uuid4().hex))
    assert ledger.balance_of(world.users["volunteer"].id) == 20

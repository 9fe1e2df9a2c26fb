"""No overspend, no double spend, no overbooking under concurrency, through a real threaded
server (SQLite here, PostgreSQL when ALLIANCE_TEST_DATABASE_URL is set)."""

import threading
import uuid

from sqlalchemy import func, select

from alliance.activities.models import ActivitySlot, Signup
from alliance.extensions import db
from alliance.points.models import Exchange, ExchangeItem, LedgerEntry, PointsAccount
from tests.cards.test_concurrency import _post, _race, server  # noqa: F401  (fixture)
from tests.points.factories import counter_setup, make_activity, make_volunteer

THREADS = 50


def test_fifty_exchanges_of_ten_points_against_one_hundred_make_exactly_ten(server, world):  # noqa: F811
    s = counter_setup(world, balance=100, cost=10, stock=1000)
    url = server + "/api/v1/exchanges"
    body = {"code": s.code, "item_id": s.item_id}
    keys = [str(uuid.uuid4()) for _ in range(THREADS)]
    jobs = [(lambda k=k: _post(url, s.token, k, body)) for k in keys]
    results = _race(jobs)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 10 + [409] * (THREADS - 10), results
    db.session.expire_all()
    balance = db.session.scalar(select(PointsAccount.balance))
    assert balance == 0
    assert db.session.scalar(select(func.sum(LedgerEntry.delta))) == 0
    assert db.session.scalar(select(func.count(Exchange.id))) == 10
    assert db.session.get(ExchangeItem, s.item_id).stock == 990
    assert sorted(b["points_balance"] for st, b in results if st == 201) == list(range(0, 100, 10))


def test_the_same_key_from_many_threads_spends_once(server, world):  # noqa: F811
    s = counter_setup(world, balance=100, cost=10, stock=1000)
    key = str(uuid.uuid4())
    url = server + "/api/v1/exchanges"
    body = {"code": s.code, "item_id": s.item_id}
    results = _race([lambda: _post(url, s.token, key, body)] * 20)
    assert all(status in (200, 201) for status, _ in results), results
    assert [status for status, _ in results].count(201) == 1
    assert len({b["id"] for _, b in results}) == 1
    db.session.expire_all()
    assert db.session.scalar(select(PointsAccount.balance)) == 90
    assert db.session.scalar(select(func.count(Exchange.id))) == 1


def test_simultaneous_sign_ups_never_overbook(app, world, make_user):
    from alliance.accounts.models import Role
    from alliance.activities import services

    activity = make_activity(world.a, world.users["secretary_a"], capacity=3)
    slot_id = activity.slots[0].id
    people = []
    for _ in range(12):
        user = make_user(community=world.a, roles=(Role.VOLUNTEER,))
        make_volunteer(user, world.a)
        people.append(user.id)
    db.session.commit()

    def attempt(user_id):
        def run():
            with app.app_context():
                from alliance.accounts.models import User

                try:
                    services.sign_up(
                        db.session.get(ActivitySlot, slot_id), db.session.get(User, user_id)
                    )
                    db.session.commit()
                    return "ok"
                except services.ActivityError as exc:
                    db.session.rollback()
                    return exc.code
                finally:
                    db.session.remove()

        return run

    results = _race([attempt(uid) for uid in people])
    assert sorted(results) == ["full"] * 9 + ["ok"] * 3, results
    db.session.expire_all()
    assert db.session.get(ActivitySlot, slot_id).taken == 3
    assert db.session.scalar(select(func.count(Signup.id))) == 3
    assert threading.active_count() >= 1

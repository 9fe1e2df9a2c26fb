"""lock_for_write(): read-then-write transactions from many threads, exactly right, no errors."""

import threading

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, update

from alliance.database import lock_for_write

# Test-only tables, outside the app's metadata: made and dropped by the fixture.
metadata = MetaData()
counter = Table(
    "test_write_counter",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("balance", Integer, nullable=False),
)
spends = Table(
    "test_write_spends",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("amount", Integer, nullable=False),
)

START, AMOUNT, THREADS, ATTEMPTS = 300, 5, 8, 10  # 80 attempts, room for exactly 60


@pytest.fixture
def counter_row(db):
    metadata.drop_all(db.engine)
    metadata.create_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(insert(counter).values(id=1, balance=START))
    yield
    db.session.remove()
    metadata.drop_all(db.engine)


def spend_conditional(db) -> bool:
    """Read to decide, then one conditional UPDATE that checks and changes."""
    lock_for_write()
    balance = db.session.scalar(select(counter.c.balance).where(counter.c.id == 1))
    if balance < AMOUNT:
        return False
    result = db.session.execute(
        update(counter)
        .where(counter.c.id == 1, counter.c.balance >= AMOUNT)
        .values(balance=counter.c.balance - AMOUNT)
    )
    if result.rowcount != 1:
        return False
    db.session.execute(insert(spends).values(amount=AMOUNT))
    return True


def spend_read_modify_write(db) -> bool:
    """The naive pattern: read the balance, write back a value computed in Python.

    Only the lock keeps this right: on SQLite lock_for_write(), on PostgreSQL the row lock of
    SELECT ... FOR UPDATE (which renders nothing on SQLite).
    """
    lock_for_write()
    balance = db.session.scalar(
        select(counter.c.balance).where(counter.c.id == 1).with_for_update()
    )
    if balance < AMOUNT:
        return False
    db.session.execute(update(counter).where(counter.c.id == 1).values(balance=balance - AMOUNT))
    db.session.execute(insert(spends).values(amount=AMOUNT))
    return True


@pytest.mark.parametrize("spend", [spend_conditional, spend_read_modify_write])
def test_concurrent_spends_are_exact_and_never_locked(app, db, counter_row, spend):
    outcomes: list[bool] = []
    errors: list[str] = []
    start = threading.Barrier(THREADS)

    def worker():
        start.wait()
        for _ in range(ATTEMPTS):
            with app.app_context():
                try:
                    spent = spend(db)
                    db.session.commit()
                    outcomes.append(spent)
                except Exception as exc:  # any error at all fails the test below
                    db.session.rollback()
                    errors.append(repr(exc))

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(outcomes) == THREADS * ATTEMPTS
    assert outcomes.count(True) == START // AMOUNT
    with db.engine.connect() as conn:
        assert conn.scalar(select(counter.c.balance)) == 0
        assert conn.scalar(select(func.count()).select_from(spends)) == START // AMOUNT
        assert conn.scalar(select(func.sum(spends.c.amount))) == START


def test_lock_keeps_changes_already_flushed(app, db, counter_row):
    """Called after a write, it keeps the transaction (and its change) as it is."""
    with app.app_context():
        db.session.execute(update(counter).values(balance=counter.c.balance - 1))
        lock_for_write()
        db.session.execute(update(counter).values(balance=counter.c.balance - 1))
        db.session.commit()
    with db.engine.connect() as conn:
        assert conn.scalar(select(counter.c.balance)) == START - 2


def test_rollback_after_lock_undoes_everything(app, db, counter_row):
    with app.app_context():
        lock_for_write()
        db.session.execute(update(counter).values(balance=0))
        db.session.rollback()
    with db.engine.connect() as conn:
        assert conn.scalar(select(counter.c.balance)) == START

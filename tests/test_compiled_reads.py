"""Selects built once run on the driver's cursor from their third run (alliance.compiled_reads):
the same rows as through SQLAlchemy, errors raised as SQLAlchemy raises them, and every run
still seen by a statement counter."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, bindparam, event, select, text
from sqlalchemy.exc import DBAPIError, StatementError

from alliance import compiled_reads
from alliance.accounts.models import Role, User
from alliance.api import tokens as api_tokens
from alliance.cards import services as cards
from alliance.cards.models import Card, CardStatus
from alliance.database import read_rows
from alliance.db_types import UTCDateTime
from alliance.merchants.staff import merchants_of
from tests.conftest import DEMO_PASSWORD, login


def _plan_of(db, statement):
    return compiled_reads._memory(db.session.connection()).plans.get(id(statement))


@pytest.fixture
def compared(monkeypatch):
    """Every run on the driver's cursor is run through SQLAlchemy too, and the rows compared."""
    runs = []
    on_cursor = compiled_reads._run

    def both(conn, plan, params):
        rows = on_cursor(conn, plan, params).all()
        expected = conn.execute(plan.statement, params).all()
        assert [tuple(r) for r in rows] == [tuple(r) for r in expected], plan.sql
        assert all(r._fields == e._fields for r, e in zip(rows, expected, strict=True))
        runs.append(plan.sql)
        return on_cursor(conn, plan, params)

    monkeypatch.setattr(compiled_reads, "_run", both)
    return runs


def test_pages_and_verification_read_the_same_rows_on_the_cursor(app, demo_seeded, db, compared):
    volunteer = db.session.scalar(select(User).where(User.username == "volunteer"))
    card = db.session.scalar(
        select(Card).where(
            Card.holder_id == volunteer.id,
            Card.kind == "volunteer",
            Card.status == CardStatus.ACTIVE,
        )
    ) or cards.issue_card(volunteer, "volunteer")
    merchant_user = db.session.scalar(select(User).where(User.username == "merchant"))
    _token, raw = api_tokens.create_token(merchant_user, merchants_of(merchant_user)[0], "收银机")
    code = card.code
    db.session.commit()
    pages = [
        (None, "GET", "/merchants/", "明珠"),
        (None, "GET", "/commitments/", "折"),
        ("secretary", "GET", "/requests/queue", "共5条"),
        ("volunteer", "GET", "/me/points", "积分"),
        ("merchant", "POST", "/api/v1/cards/verify", '"valid":true'),
    ]
    for who, method, path, shown in pages:
        client = app.test_client()
        if who:
            assert login(client, who, DEMO_PASSWORD).status_code == 303
        headers = {"Authorization": f"Bearer {raw}"} if path.startswith("/api") else {}
        before = len(compared)
        for _ in range(3):
            response = client.open(path, method=method, json={"code": code}, headers=headers)
            assert response.status_code == 200, path
            assert shown in response.get_data(as_text=True).replace(" ", ""), path
        assert len(compared) > before, f"{path}: no select ran on the cursor"


def test_a_statement_built_once_runs_on_the_cursor_from_its_third_run(db, make_user):
    user = make_user("reader", roles=(Role.RESIDENT,))
    user.locked_until = datetime(2026, 5, 1, 4, 0, tzinfo=UTC)
    db.session.commit()
    statement = select(User.id, User.username, User.locked_until, User.active).where(
        User.locked_until > bindparam("after"), User.active.is_(True)
    )
    after = {"after": datetime(2026, 5, 1, 12, 0, tzinfo=UTC) - timedelta(days=1)}
    runs = [read_rows(statement, after).all() for _ in range(3)]
    assert isinstance(_plan_of(db, statement), compiled_reads._Plan)
    assert runs[0] == runs[1] == runs[2] == [(user.id, "reader", user.locked_until, True)]
    # Read back aware, as UTCDateTime does through SQLAlchemy.
    assert runs[2][0].locked_until.tzinfo is UTC
    assert read_rows(statement, {"after": datetime(2026, 6, 1, tzinfo=UTC)}).all() == []


def test_bad_parameters_fail_as_through_sqlalchemy(db):
    statement = select(User.id).where(User.locked_until > bindparam("after"))
    for _ in range(3):
        read_rows(statement, {"after": datetime(2026, 1, 1, tzinfo=UTC)}).all()
    assert isinstance(_plan_of(db, statement), compiled_reads._Plan)
    with pytest.raises(StatementError, match="naive datetime"):
        read_rows(statement, {"after": datetime(2026, 1, 1)})
    with pytest.raises(StatementError, match="after"):
        read_rows(statement, {})


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(db):
    db.session.execute(text("CREATE TABLE compiled_reads_probe (id INTEGER)"))
    db.session.commit()
    try:
        statement = select(text("id")).select_from(text("compiled_reads_probe"))
        for _ in range(3):
            assert read_rows(statement).all() == []
        db.session.execute(text("DROP TABLE compiled_reads_probe"))
        db.session.commit()
        with pytest.raises(DBAPIError, match="compiled_reads_probe"):
            read_rows(statement).all()
        db.session.rollback()
    finally:
        db.session.rollback()
        db.session.execute(text("DROP TABLE IF EXISTS compiled_reads_probe"))
        db.session.commit()


def test_a_statement_counter_sees_every_run(db, count_statements):
    statement = select(User.id).where(User.username == bindparam("name"))
    for _ in range(3):
        read_rows(statement, {"name": "nobody"}).all()
    assert isinstance(_plan_of(db, statement), compiled_reads._Plan)
    with count_statements() as counter:
        for _ in range(3):
            read_rows(statement, {"name": "nobody"}).all()
    assert counter.count == 3


def test_statements_built_per_request_are_not_kept(db):
    kept = select(User.id).where(User.id == bindparam("id"))
    for _ in range(3):
        read_rows(kept, {"id": 1}).all()
    memory = compiled_reads._memory(db.session.connection())
    plans = dict(memory.plans)
    for n in range(compiled_reads.SEEN_LIMIT + 10):
        read_rows(select(User.id).where(User.id == bindparam("id")), {"id": n}).all()
    assert len(memory.seen) <= compiled_reads.SEEN_LIMIT
    assert memory.plans == plans


def test_text_with_columns_named_is_read_by_name(db, make_user):
    make_user("named", roles=(Role.RESIDENT,))
    statement = text("SELECT created_at AS b, id AS a FROM users").columns(a=Integer, b=UTCDateTime)
    runs = [read_rows(statement).all() for _ in range(4)]
    assert runs[0] == runs[3] and runs[3][0].b.tzinfo is UTC


def test_rows_are_found_by_column_object_too(db, make_user):
    make_user("by_column", roles=(Role.RESIDENT,))
    statement = select(User.id, User.username).where(User.username == bindparam("name"))
    found = [
        read_rows(statement, {"name": "by_column"}).first()._mapping[User.__table__.c.username]
        for _ in range(3)
    ]
    assert isinstance(_plan_of(db, statement), compiled_reads._Plan)
    assert found == ["by_column"] * 3


def test_execution_events_see_every_run(db):
    statement = select(User.id).where(User.id == bindparam("id"))
    for _ in range(3):
        read_rows(statement, {"id": 0}).all()
    seen = []

    def after(conn, clause, multiparams, params, execution_options, result):
        seen.append(clause)

    event.listen(db.engine, "after_execute", after)
    try:
        for _ in range(2):
            read_rows(statement, {"id": 0}).all()
    finally:
        event.remove(db.engine, "after_execute", after)
    assert seen == [statement, statement]

"""How a request's transaction ends: read-only ones commit (psycopg keeps its prepared
statements), ones that wrote without committing are still rolled back. On PostgreSQL plain
reads run outside a transaction, and one begins at the first write or lock."""

import pytest
from sqlalchemy import event, func, select, text

from alliance import create_app
from alliance.communities.models import StreetOffice
from alliance.database import is_plain_read
from alliance.extensions import db


def _transaction_status() -> str:
    """psycopg's view of the request's connection: IDLE (no transaction open) or INTRANS."""
    return db.session.connection().connection.dbapi_connection.info.transaction_status.name


def _app_on(database_url, **engine_options):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "probe",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": None,
        }
    )


@pytest.fixture
def probe_app(app, database_url, request):
    """A second app on the test database, with routes that write, or only read, and stop."""
    probe = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "probe",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": None,
            "DB_READS_OUTSIDE_TRANSACTIONS": getattr(request, "param", True),
        }
    )

    @probe.get("/probe/status-after-read")
    def status_after_read():
        db.session.scalar(select(func.count(StreetOffice.id)))
        return _transaction_status()

    @probe.post("/probe/read-write-fail")
    def read_write_fail():
        db.session.scalar(select(func.count(StreetOffice.id)))
        db.session.add(StreetOffice(name="读后写街道", code="RW"))
        db.session.flush()
        status = _transaction_status()
        db.session.scalar(select(func.count(StreetOffice.id)))  # a read after it, in it
        return status, 422

    @probe.post("/probe/lock-then-report")
    def lock_then_report():
        db.session.execute(select(StreetOffice.id).with_for_update()).all()
        return _transaction_status()

    @probe.post("/probe/savepoint-write-fail")
    def savepoint_write_fail():
        with db.session.begin_nested():
            db.session.add(StreetOffice(name="保存点街道", code="SP"))
        return "the outer transaction fails", 422

    @probe.post("/probe/flush-then-fail")
    def flush_then_fail():
        db.session.add(StreetOffice(name="半途街道", code="HALF"))
        db.session.flush()
        return "validation failed", 422

    @probe.get("/probe/dirty")
    def dirty():
        db.session.add(StreetOffice(name="未存街道", code="DIRT"))
        return "not saved"

    @probe.get("/probe/read")
    def read():
        db.session.scalar(select(func.count(StreetOffice.id)).where(StreetOffice.code == "X"))
        if db.engine.dialect.name != "postgresql":
            return "0"
        return str(db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")))

    yield probe
    with probe.app_context():
        db.session.remove()
        db.engine.dispose()


def _offices(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(StreetOffice.id)))


def test_a_request_that_wrote_without_committing_leaves_nothing(app, probe_app):
    client = probe_app.test_client()
    assert client.post("/probe/flush-then-fail").status_code == 422
    assert client.get("/probe/dirty").status_code == 200
    assert _offices(app) == 0


@pytest.mark.postgresql
def test_read_only_requests_keep_prepared_statements_on_postgresql(probe_app):
    client = probe_app.test_client()
    # psycopg prepares a statement on its 5th run on a connection; a ROLLBACK forgets them all.
    answers = [int(client.get("/probe/read").text) for _ in range(8)]
    assert answers[-1] >= 1, answers


@pytest.mark.postgresql
@pytest.mark.parametrize("probe_app", [True, False], indirect=True)
def test_a_read_only_request_commits_only_a_transaction_it_opened(probe_app):
    """Reads outside a transaction leave nothing to commit: the request ends without one,
    and its prepared statements stay (above). A row lock, or reads kept in a transaction,
    opened one on the server: that one is committed, as before."""
    outside = probe_app.config["DB_READS_OUTSIDE_TRANSACTIONS"]
    client = probe_app.test_client()
    client.get("/probe/read")  # the pool's first connection, made before counting
    commits = []

    def count(connection):
        commits.append(connection)

    with probe_app.app_context():
        event.listen(db.engine, "commit", count)
    try:
        assert client.get("/probe/read").status_code == 200
        assert len(commits) == (0 if outside else 1)
        assert client.post("/probe/lock-then-report").text == "INTRANS"
        assert len(commits) == (1 if outside else 2)
    finally:
        with probe_app.app_context():
            event.remove(db.engine, "commit", count)


@pytest.mark.postgresql
def test_a_transaction_without_a_connection_ends_without_asking_for_one(probe_app):
    """A request whose transaction began but never held a connection (its first statement
    could not connect, say in an outage) ends without trying to connect again."""

    @probe_app.get("/probe/begin-only")
    def begin_only():
        db.session.begin()
        return "began"

    checkouts = []

    def count(*_args):
        checkouts.append(1)

    with probe_app.app_context():
        event.listen(db.engine, "checkout", count)
    try:
        assert probe_app.test_client().get("/probe/begin-only").text == "began"
        assert checkouts == []
    finally:
        with probe_app.app_context():
            event.remove(db.engine, "checkout", count)


@pytest.mark.postgresql
def test_plain_reads_run_outside_a_transaction_on_postgresql(probe_app):
    client = probe_app.test_client()
    assert client.get("/probe/status-after-read").text == "IDLE"


@pytest.mark.postgresql
@pytest.mark.parametrize("probe_app", [False], indirect=True)
def test_reads_in_a_transaction_when_switched_off(probe_app):
    assert probe_app.test_client().get("/probe/status-after-read").text == "INTRANS"


@pytest.mark.postgresql
def test_a_write_after_reads_is_in_a_transaction_rolled_back_whole(app, probe_app):
    client = probe_app.test_client()
    response = client.post("/probe/read-write-fail")
    assert (response.status_code, response.text) == (422, "INTRANS")
    assert _offices(app) == 0


def test_a_write_in_a_savepoint_of_a_failed_request_is_rolled_back(app, probe_app):
    # Releasing the savepoint is not the end of the request's transaction: the read-only
    # request's COMMIT (PostgreSQL) must not take it for one.
    assert probe_app.test_client().post("/probe/savepoint-write-fail").status_code == 422
    assert _offices(app) == 0


@pytest.mark.postgresql
def test_a_row_lock_opens_the_transaction_that_holds_it(probe_app):
    assert probe_app.test_client().post("/probe/lock-then-report").text == "INTRANS"


@pytest.mark.parametrize(
    ("statement", "plain"),
    [
        ("SELECT users.id FROM users WHERE users.id = %(id)s", True),
        ("\n  select 1", True),
        (";", True),
        ("SELECT cards.id FROM cards WHERE cards.id = 1 FOR UPDATE", False),
        ("SELECT cards.id FROM cards FOR NO KEY UPDATE OF cards", False),
        ("SELECT id FROM shelters FOR SHARE", False),
        ("SELECT pg_advisory_xact_lock(7)", False),
        ("INSERT INTO users (id) VALUES (1)", False),
        ("UPDATE users SET active = true", False),
        ("WITH moved AS (DELETE FROM cards RETURNING id) SELECT id FROM moved", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("/* a comment */ SELECT 1", False),
        ("SELECT 1;", True),
        ("SELECT 1; UPDATE users SET active = false", False),
        ("SELECT 1;\nDELETE FROM cards", False),
    ],
)
def test_which_statements_may_run_outside_a_transaction(statement, plain):
    assert is_plain_read(statement) is plain


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("options", "status_after_read"),
    [
        ("-c default_transaction_isolation=serializable", "INTRANS"),
        ("-c default_transaction_isolation=repeatable\\ read", "INTRANS"),
        ("-c default_transaction_isolation=read\\ committed", "IDLE"),
    ],
)
def test_reads_leave_the_transaction_only_under_read_committed(
    database_url, options, status_after_read
):
    # Under Repeatable Read or Serializable a read outside the transaction would have a
    # snapshot of its own: a database set to either keeps one transaction per request.
    other = _app_on(database_url, connect_args={"options": options})
    with other.app_context():
        db.session.scalar(select(func.count(StreetOffice.id)))
        assert _transaction_status() == status_after_read
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgresql
def test_a_cursor_class_chosen_in_connect_args_is_kept(database_url):
    import psycopg

    other = _app_on(database_url, connect_args={"cursor_factory": psycopg.ClientCursor})
    with other.app_context():
        db.session.scalar(select(func.count(StreetOffice.id)))
        dbapi_connection = db.session.connection().connection.dbapi_connection
        assert issubclass(dbapi_connection.cursor_factory, psycopg.ClientCursor)
        assert _transaction_status() == "IDLE"
        db.session.add(StreetOffice(name="客户端游标街道", code="CC"))
        db.session.flush()
        assert _transaction_status() == "INTRANS"
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_a_savepoint_first_in_a_request_holds_the_write_lock_on_sqlite(app, database_url):
    # lock_for_write() counts an open SQLite transaction as one that holds the write lock: the
    # transaction begun before a savepoint takes it (BEGIN IMMEDIATE), even if nothing is
    # written in the savepoint.
    if not database_url.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock")
    import sqlite3

    with app.app_context():
        with db.session.begin_nested():
            db.session.scalar(select(func.count(StreetOffice.id)))  # a savepoint that only reads
        assert db.session.connection().connection.dbapi_connection.in_transaction
        other = sqlite3.connect(database_url[len("sqlite:///") :], timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
            db.session.rollback()

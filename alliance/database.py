"""Engine settings per database, and write transactions that cannot be double-spent.

SQLite gets WAL (readers and one writer at a time), a busy timeout, ``synchronous=NORMAL`` and
foreign keys. The sqlite3 module keeps its default transaction handling: reads run outside any
transaction (each sees the latest commit) and a DEFERRED ``BEGIN`` is issued before the first
write. A write path that reads and then writes takes the write lock first with
:func:`lock_for_write` (``BEGIN IMMEDIATE``).

``SQLITE_IMMEDIATE_TRANSACTIONS = True`` instead starts *every* transaction with ``BEGIN
IMMEDIATE`` (the pysqlite recipe: ``isolation_level = None`` on connect, our own BEGIN in a
``begin`` event). It is simpler but serialises all requests, readers included, for the whole
request. Measured with 4 gunicorn workers on 2 cores (wrk, 16 connections, busy machine):
/healthz 1,018-1,058 req/s (p99 66-69 ms) by default against 285-574 req/s (p99 81-358 ms)
with every transaction IMMEDIATE; the home page's p99 went from 0.36-0.56 s to 0.9-1.1 s.
So it is off by default.

PostgreSQL (psycopg 3): its pool is sized in ``alliance.config``; read-only requests end with
COMMIT so that psycopg keeps its prepared statements (see :func:`_keep_prepared_statements`),
and reads run outside a transaction until the first write (see :func:`_begin_at_first_write`).
"""

import re
import time
from functools import cache, lru_cache, partial

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session

from alliance.compiled_reads import run_read
from alliance.extensions import db


def _sqlite_pragmas(dbapi_connection, connection_record, *, busy_timeout_ms: int = 30000):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_autocommit(dbapi_connection, connection_record):
    # SQLAlchemy, not sqlite3, starts the transactions (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_take_write_lock(conn: Connection) -> bool:
    """BEGIN IMMEDIATE unless a transaction is open; True if it began one. sqlite3 opens a
    transaction only before a write, and we only before a savepoint: an open one holds the
    write lock."""
    if conn.connection.dbapi_connection.in_transaction:
        return False
    conn.exec_driver_sql("BEGIN IMMEDIATE")
    return True


def _sqlite_begin_before_savepoint(conn: Connection, _name) -> None:
    # A SAVEPOINT outside a transaction starts one of its own that its RELEASE commits: a
    # service's begin_nested() that came first in a request committed its writes, even when
    # the request then failed. Savepoints are taken to write, so the lock comes with it.
    _sqlite_take_write_lock(conn)


def _note_write(session: Session, *_args) -> None:
    session.info["wrote"] = True


def _note_dml(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


def _note_connection(session: Session, _transaction, connection) -> None:
    session.info["connection"] = connection


def _forget_writes(session: Session, transaction) -> None:
    # Only when the whole transaction ends: a savepoint's release fires after_commit too, and
    # the writes before and in it are still to be committed or rolled back.
    if transaction.parent is None:
        session.info.pop("wrote", None)
        session.info.pop("connection", None)


def _keep_prepared_statements(app: Flask) -> None:
    """End a request's transaction that wrote nothing with COMMIT, not the pool's ROLLBACK.

    psycopg 3 forgets every prepared statement of a connection on ROLLBACK (it cannot know what
    the rolled-back transaction prepared), and the pool rolls back each request's connection:
    so every statement of every request was planned again. The order queue's list statement,
    seven joined tables, took 2.6 ms so against 0.4 ms prepared. Committing a transaction that
    wrote nothing changes nothing; a request that wrote and did not commit (an error path) is
    still rolled back by Flask-SQLAlchemy's teardown, as before.
    """
    for name, listener in (
        ("after_flush", _note_write),
        ("do_orm_execute", _note_dml),
        ("after_begin", _note_connection),
        ("after_transaction_end", _forget_writes),
    ):
        if not event.contains(db.session, name, listener):  # one session, several apps
            event.listen(db.session, name, listener)

    @app.teardown_request
    def _commit_reads(exc):
        if exc is not None:
            return
        session = db.session()
        if (
            session.in_transaction()
            and not session.info.get("wrote")
            and not (session.new or session.dirty or session.deleted)
        ):
            try:
                if _server_transaction_open(session):
                    session.commit()
            except SQLAlchemyError:  # the response is ready: a lost connection must not spoil it
                app.logger.warning("commit of a read-only transaction failed", exc_info=True)
                session.rollback()


def _server_transaction_open(session: Session) -> bool:
    """Whether the request's connection has a transaction open on the server. Not when its
    reads ran outside one (_begin_at_first_write): then COMMIT would send nothing, and the
    rollback as the connection goes back to the pool sends nothing either, so psycopg keeps
    its prepared statements without the session's commit, which was 1.7% of a card
    verification's instructions (bench/RESULTS.md, eleventh session). Nor when the
    transaction holds no connection (it began, then its first statement could not connect):
    asking the session for one would try to connect again, where the commit sent nothing."""
    connection = session.info.get("connection")
    if connection is None:
        return False
    dbapi_connection = connection.connection.dbapi_connection
    # By name: importing psycopg for its enum cost every start-up 0.18 s, SQLite's too.
    return dbapi_connection is not None and dbapi_connection.info.transaction_status.name != "IDLE"


# A statement that may run outside a transaction: one plain SELECT that takes no row lock and
# no transaction-scoped advisory lock, or the empty statement of SQLAlchemy's ping. Anything
# else (DML, DDL, SAVEPOINT, SET, WITH, a comment first, a second statement after a `;`) opens
# the transaction first.
_PLAIN_READ = re.compile(r"\s*(?:SELECT\b[^;]*|;)\s*;?\s*$", re.IGNORECASE)
_TAKES_A_LOCK = re.compile(r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|_xact_", re.I)


@lru_cache(maxsize=4096)  # statement texts are a few hundred, asked on every execution
def is_plain_read(statement: str) -> bool:
    return bool(_PLAIN_READ.match(statement)) and not _TAKES_A_LOCK.search(statement)


def _begin(dbapi_connection) -> None:
    """psycopg sends BEGIN before the next statement. (It refuses to change autocommit inside
    a transaction, even to the same value: only a connection still reading outside one.)"""
    if dbapi_connection.autocommit:
        dbapi_connection.autocommit = False


def _begin_unless_plain_read(dbapi_connection, query) -> None:
    if dbapi_connection.autocommit and not (isinstance(query, str) and is_plain_read(query)):
        dbapi_connection.autocommit = False


@cache
def _beginning_at_first_write(cursor_class: type) -> type:
    """`cursor_class` (psycopg's Cursor, or the ClientCursor a deployment chose in
    connect_args), turning autocommit off before a statement that is not a plain read."""

    class BeginsAtFirstWrite(cursor_class):
        def execute(self, query, params=None, **kwargs):
            _begin_unless_plain_read(self.connection, query)
            return super().execute(query, params, **kwargs)

        def executemany(self, query, params_seq, **kwargs):
            _begin(self.connection)
            return super().executemany(query, params_seq, **kwargs)

        def stream(self, query, params=None, **kwargs):
            _begin_unless_plain_read(self.connection, query)
            return super().stream(query, params, **kwargs)

        def copy(self, statement, params=None, **kwargs):
            _begin(self.connection)
            return super().copy(statement, params, **kwargs)

    return BeginsAtFirstWrite


@cache
def _in_a_transaction(server_cursor_class: type) -> type:
    class ServerCursorInATransaction(server_cursor_class):
        # DECLARE ... CURSOR (stream_results, yield_per) is allowed only inside a transaction.
        def execute(self, query, params=None, **kwargs):
            _begin(self.connection)
            return super().execute(query, params, **kwargs)

    return ServerCursorInATransaction


def _begin_at_first_write(engine: Engine) -> None:
    """Run a connection's plain reads outside a transaction, and BEGIN before its first write.

    Most requests only read: their BEGIN and COMMIT were two of a verification's six round
    trips to the server (bench/RESULTS.md, eighth session). Under Read Committed, PostgreSQL's
    default and ours, every statement sees the latest commit whether or not a transaction is
    open, so a read answers the same outside one. What a transaction gives, writes that stand
    or fall together and locks held to the end, starts with the first statement that is not a
    plain read (:func:`is_plain_read`): the connection's cursors turn autocommit off before
    it, psycopg sends BEGIN, and everything after, reads too, is in that transaction until
    COMMIT or ROLLBACK. The next checkout of the connection reads outside a transaction again.

    Only where the server's default isolation is Read Committed: under Repeatable Read or
    Serializable the reads before the first write would each have their own snapshot, outside
    the transaction's, so a database set to either keeps one transaction per request.
    """
    if getattr(engine, "_alliance_begin_at_first_write", False):
        return
    engine._alliance_begin_at_first_write = True

    @event.listens_for(engine, "connect")
    def _cursors_that_begin(dbapi_connection, record):
        dbapi_connection.cursor_factory = _beginning_at_first_write(dbapi_connection.cursor_factory)
        dbapi_connection.server_cursor_factory = _in_a_transaction(
            dbapi_connection.server_cursor_factory
        )

    @event.listens_for(engine, "checkout")
    def _reads_outside_transactions(dbapi_connection, record, proxy):
        # Known from the first connection on (SQLAlchemy asks the server when it connects).
        if engine.dialect.default_isolation_level == "READ COMMITTED":
            dbapi_connection.autocommit = True


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it has been idle `idle_seconds`.

    SQLAlchemy's pool_pre_ping asks the database on every checkout, that is on every request:
    a round trip and some 0.1 ms of CPU that a busy worker, whose connections were in use a
    moment ago, does not need. A dead connection found by the ping is replaced (the pool tries
    again with a new one); one that dies while busy fails its request (503, alliance.outages)
    and SQLAlchemy then replaces every connection of the pool.
    """
    if getattr(engine, "_alliance_ping_after_idle", None) is not None:
        return
    engine._alliance_ping_after_idle = idle_seconds

    @event.listens_for(engine, "checkin")
    def _idle_from_now(dbapi_connection, record):
        record.info["alliance_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy):
        since = record.info.get("alliance_idle_since")
        if since is not None and time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the driver's own error: the pool retries with a new one
            raise DisconnectionError() from exc


def init_database(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        idle = app.config.get("DB_PING_AFTER_IDLE_SECONDS")
        if idle is not None:
            _ping_after_idle(engine, float(idle))
        if engine.dialect.name == "postgresql":
            _keep_prepared_statements(app)
            if app.config.get("DB_READS_OUTSIDE_TRANSACTIONS", True):
                _begin_at_first_write(engine)
        if engine.dialect.name != "sqlite" or getattr(engine, "_alliance_sqlite_ready", False):
            return
        busy_timeout_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 30000))
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout_ms=busy_timeout_ms))
        always = bool(app.config.get("SQLITE_IMMEDIATE_TRANSACTIONS"))
        if always:
            event.listen(engine, "connect", _sqlite_autocommit)
            event.listen(engine, "begin", _sqlite_begin_immediate)
        else:
            event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        engine._alliance_sqlite_ready = True
        engine._alliance_immediate_always = always


def read_rows(statement, params: dict | None = None):
    """The result of a select of columns, run on the session's connection (in its
    transaction) instead of through `Session.execute`.

    The ORM's execution path costs about 40 µs a statement even when the select names no
    entity (its events, compile state and result wrapping; bench/RESULTS.md). A select built
    once runs from its third run on the driver's cursor with its compiled form kept
    (alliance.compiled_reads), which saves most of the rest of SQLAlchemy's cost. Only for
    reads of columns, and only where nothing is pending in the session: it does not autoflush.
    Take the rows with `.all()`, `.first()` or `.one()`: they are read at once.
    """
    return run_read(db.session.connection(), statement, params or {})


# LIKE patterns from user text: `contains(text, autoescape=True)` needs the text when the
# statement is built; statements built once take it as a bind parameter instead.
LIKE_ESCAPE = "/"


def contains_pattern(text: str) -> str:
    """The LIKE pattern (with LIKE_ESCAPE) matching values that contain `text` literally:
    `%` and `_` typed by a user are characters, not wildcards."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def lock_for_write(session: Session | None = None) -> None:
    """Take the database's write lock now, before reading what this transaction will change.

    Call it at the top of any service that reads a value and then writes based on it (a
    balance, stock, a "next number", a limit), *before* that read and before changing anything::

        from alliance.database import lock_for_write

        def spend(account_id: int, points: int) -> None:
            lock_for_write()                      # 1. lock first
            result = db.session.execute(          # 2. one conditional statement checks and changes
                update(PointsAccount)
                .where(PointsAccount.id == account_id, PointsAccount.balance >= points)
                .values(balance=PointsAccount.balance - points)
            )
            if result.rowcount != 1:              # 3. nothing changed: the rule said no
                raise InsufficientPoints()
            db.session.add(LedgerEntry(account_id=account_id, delta=-points))

    The view commits once, as usual; the lock ends with the transaction (commit or rollback).

    What it does:

    * **SQLite**: a DEFERRED transaction that has read and then writes fails at once with
      "database is locked" (ignoring the busy timeout) when another connection wrote in
      between; and reads made before a write may be stale (a double spend). This starts the
      transaction now with ``BEGIN IMMEDIATE``: the caller waits (up to the 30 s busy timeout)
      for the write lock, and everything it reads afterwards is current and stays current until
      it commits. Writers queue one behind the other; readers carry on (WAL). If the
      transaction has already written, it holds the lock and nothing is done. Every ORM object
      in the session is expired, so it is read again, under the lock, when next used; pending
      (unflushed) changes are flushed first. Call it before changing anything to be safe.
      ``select(...).with_for_update()`` renders nothing on SQLite: it does not lock there.
    * **PostgreSQL**: nothing. Under Read Committed, make the check and the change one
      statement, ``UPDATE ... SET balance = balance - :x WHERE id = :id AND balance >= :x``,
      and test ``rowcount == 1`` (PostgreSQL re-checks the WHERE after waiting for the row
      lock), or read the row with ``select(...).with_for_update()`` before deciding. The
      conditional UPDATE is right on both databases, so prefer it; a ``CHECK (balance >= 0)``
      is a good backstop.

    """
    session = session or db.session
    engine = session.get_bind()
    if engine.dialect.name != "sqlite" or getattr(engine, "_alliance_immediate_always", False):
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    if _sqlite_take_write_lock(session.connection()):
        # Objects read before now may be stale: load them again, under the lock, when next used.
        session.expire_all()

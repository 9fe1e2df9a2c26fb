"""Selects of columns run on the driver's cursor, each compiled once.

Before the driver runs a statement, `Connection.execute` makes its cache key, finds the
compiled form, builds an execution context, asks the cursor for its description and builds
result metadata from it: about 70 µs of CPU a statement on PostgreSQL, as much as psycopg's
own work, and most of a statement's cost on SQLite (bench/RESULTS.md, ninth session). For a
select built once (at module level or under functools.cache) none of that changes between
runs, so it is done once and kept with the statement: the SQL text, the bind processors and
the result columns' processors. A run then binds its parameters, executes on a cursor of the
same connection (the same transaction, the same psycopg cursor class) and wraps the rows.

Only the third run of the same statement object takes this way; the first two go through
SQLAlchemy (the first tells the result's keys and column types, the second compiles).
Statements built per request are new objects and always go through SQLAlchemy, as do
statements with execution options, expanding (IN) or literal-execute parameters, anything
that is not a Select or CompoundSelect, and every statement while SQL is logged or something
listens to execution events (the tests that count statements). Driver errors are raised as
SQLAlchemy raises them (wrapped, a lost connection invalidated). The result is an
IteratorResult of rows read at once: no `rowcount` or `cursor`.
"""

from typing import Any, NamedTuple

from sqlalchemy import CompoundSelect, Select
from sqlalchemy.engine import Connection, IteratorResult
from sqlalchemy.engine.result import SimpleResultMetaData

# Per engine: statements run once (most are built per request and never come again), and the
# plans of those run again (built once: a worker's number in the tens). Each starts over when full.
SEEN_LIMIT = 256
PLAN_LIMIT = 512


class _Seen(NamedTuple):
    """A statement run once: what its SQLAlchemy result said about its columns."""

    statement: Any
    keys: tuple
    coltypes: tuple


class _Plan(NamedTuple):
    statement: Any  # kept, so that its id() stays its own while the plan is kept
    compiled: Any
    sql: str
    positions: tuple | None  # the parameters' order where the driver's style is positional
    escaped: dict | None
    bind_processors: tuple
    metadata: SimpleResultMetaData
    result_processors: tuple


class _Memory:
    __slots__ = ("seen", "plans")

    def __init__(self):
        self.seen: dict[int, _Seen] = {}
        self.plans: dict[int, _Plan | tuple] = {}


def _memory(conn: Connection) -> _Memory:
    engine = conn.engine
    memory = getattr(engine, "_alliance_compiled_reads", None)
    if memory is None:
        memory = engine._alliance_compiled_reads = _Memory()
    return memory


def _keep(kept: dict, limit: int, statement, value) -> None:
    if len(kept) >= limit:
        kept.clear()
    kept[id(statement)] = value


def _plan(conn: Connection, seen: _Seen):
    statement, dialect = seen.statement, conn.dialect
    # Select and CompoundSelect only: their columns come back in the order they are selected
    # (a text() with columns given by name is matched to them by name instead).
    if (
        not isinstance(statement, Select | CompoundSelect)
        or statement.get_execution_options()
        or len(statement.selected_columns) != len(seen.keys)
        or len(seen.coltypes) != len(seen.keys)
    ):
        return None
    compiled = statement.compile(dialect=dialect)
    if compiled.literal_execute_params or compiled.post_compile_params:
        return None
    # One per name: a parameter used twice in the statement is processed once, as SQLAlchemy does.
    bind_processors = {
        name: processor
        for bind, name in compiled.bind_names.items()
        if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    result_processors = (
        (index, processor)
        for index, (column, coltype) in enumerate(
            zip(statement.selected_columns, seen.coltypes, strict=True)
        )
        if (processor := column.type.dialect_impl(dialect).result_processor(dialect, coltype))
        is not None
    )
    return _Plan(
        statement,
        compiled,
        compiled.string,
        tuple(compiled.positiontup) if compiled.positional else None,
        dict(compiled.escaped_bind_names) or None,
        tuple(bind_processors.items()),
        # Rows looked up by column object (row._mapping[column]) as well as by name.
        SimpleResultMetaData(seen.keys, extra=[(c,) for c in statement.selected_columns]),
        tuple(result_processors),
    )


def _first_run(conn: Connection, statement, params: dict, memory: _Memory):
    result = conn.execute(statement, params)
    cursor = getattr(result, "cursor", None)
    if cursor is not None and cursor.description is not None:
        coltypes = tuple(column[1] for column in cursor.description)
        _keep(memory.seen, SEEN_LIMIT, statement, _Seen(statement, tuple(result.keys()), coltypes))
    return result


def _listened(conn: Connection) -> bool:
    """Something would see the statement run: execution events, or SQL logging (echo)."""
    dispatch = conn.dispatch
    return conn._echo or bool(
        dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
        or dispatch.before_execute
        or dispatch.after_execute
    )


def run_read(conn: Connection, statement, params: dict):
    """`conn.execute(statement, params)` for a select of columns, its rows read at once."""
    memory = _memory(conn)
    plan = memory.plans.get(id(statement))
    if plan.__class__ is _Plan and not _listened(conn) and not conn.get_execution_options():
        return _run(conn, plan, params)
    if plan is not None:  # (statement, None): not suitable, kept so that its id stays its own
        return conn.execute(statement, params)
    seen = memory.seen.pop(id(statement), None)  # kept with its statement: the id is its own
    if seen is None:
        return _first_run(conn, statement, params, memory)
    built = _plan(conn, seen)
    _keep(memory.plans, PLAN_LIMIT, statement, built or (statement, None))
    return conn.execute(statement, params)


def _run(conn: Connection, plan: _Plan, params: dict):
    arguments: Any = params
    cursor = None
    try:
        values = plan.compiled.construct_params(params, escape_names=False)
        for name, processor in plan.bind_processors:
            values[name] = processor(values[name])
        if plan.positions is not None:
            arguments = tuple(values[name] for name in plan.positions)
        elif plan.escaped:
            arguments = {plan.escaped.get(name, name): value for name, value in values.items()}
        else:
            arguments = values
        cursor = conn.connection.dbapi_connection.cursor()
        cursor.execute(plan.sql, arguments)
        rows = cursor.fetchall()
    except BaseException as error:  # as SQLAlchemy wraps it: a lost connection is invalidated
        conn._handle_dbapi_exception(error, plan.sql, arguments, cursor, None)
    finally:
        if cursor is not None:
            cursor.close()
    if plan.result_processors:
        rows = [_processed(row, plan.result_processors) for row in rows]
    return IteratorResult(plan.metadata, iter(rows))


def _processed(row, processors) -> list:
    row = list(row)
    for index, processor in processors:
        row[index] = processor(row[index])
    return row

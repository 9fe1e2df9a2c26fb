"""SQL whose text is fixed when a statement is compiled, for statements run on every request.

SQLAlchemy gives a list passed to `in_()`, and the separator of `aggregate_strings`, as
parameters it renders into the statement's text anew on each execution ("post-compile"): about
0.1 ms for the dispatch queue's statements, and a rewrite of the login loader's on every
signed-in request (bench/RESULTS.md, seventh session). These constructs say the same with
their text settled once, in the compiled statement SQLAlchemy already caches: `among` for a
list fixed in the code, `one_of` with `rows_of_slots` for a page of ids, `joined_with_commas`
for a group's strings.
"""

from collections.abc import Iterable

from sqlalchemy import String, bindparam, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from alliance.database import read_rows


def among(column, values: Iterable):
    """`column IN (…)` of a list fixed in the code (states, kinds): one bound parameter each."""
    return column.in_([literal(value, column.type) for value in values])


class joined_with_commas(FunctionElement):  # noqa: N801 (an SQL function, named like func.*)
    """The group's values joined with commas: group_concat on SQLite, string_agg on PostgreSQL."""

    type = String()
    inherit_cache = True
    name = "joined_with_commas"


@compiles(joined_with_commas, "sqlite")
def _group_concat(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


@compiles(joined_with_commas, "postgresql")
def _string_agg(element, compiler, **kw):
    return f"string_agg({compiler.process(element.clauses, **kw)}, ',')"


def one_of(column, slots: int, name: str):
    """`column IN (:name0, …)` with `slots` parameters, for a page of ids of any length up to
    `slots` (`rows_of_slots` fills them; the unused ones are NULL, which matches nothing)."""
    return column.in_([bindparam(f"{name}{n}", type_=column.type) for n in range(slots)])


def rows_of_slots(statement, values: list, slots: int, name: str) -> list:
    """The rows of `statement` (made with `one_of(…, slots, name)`) for every value given,
    `slots` values a statement."""
    rows = []
    for start in range(0, len(values), slots):
        turn = values[start : start + slots]
        params = {f"{name}{n}": turn[n] if n < len(turn) else None for n in range(slots)}
        rows.extend(read_rows(statement, params).all())
    return rows

"""A page of rows and their total in one statement.

Flask-SQLAlchemy's pagination asks twice: the page's rows, then `SELECT count(*)` over the
same statement wrapped as a subquery. For a Core select of the columns a list shows, one
statement does both: `count(*) OVER ()` is the number of rows the statement matches before
LIMIT, the same on every row. Only a page past the end (no rows, so no total) asks again.
The rows keep that last column, `total_rows`.
"""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, bindparam, func, select

from alliance.database import read_rows

# A statement built once (module level or functools.cache) gets its paged and counted forms
# built once too; statements built per request pass through (and the memory starts over
# every _KEEP of them).
_PAGED: dict[int, tuple[Select, Select, Select]] = {}
_KEEP = 256


def _paged_forms(stmt: Select) -> tuple[Select, Select]:
    kept = _PAGED.get(id(stmt))
    if kept is not None and kept[0] is stmt:
        return kept[1], kept[2]
    paged = (
        stmt.add_columns(func.count().over().label("total_rows"))
        .limit(bindparam("page_limit"))
        .offset(bindparam("page_offset"))
    )
    counted = select(func.count()).select_from(stmt.order_by(None).subquery())
    if len(_PAGED) >= _KEEP:
        _PAGED.clear()
    _PAGED[id(stmt)] = (stmt, paged, counted)
    return paged, counted


class RowPagination(Pagination):
    """`select` with `params` (its bind parameters, if any), read with
    alliance.database.read_rows."""

    def _query_items(self) -> list:
        paged, _counted = _paged_forms(self._query_args["select"])
        params = {
            **self._query_args.get("params", {}),
            "page_limit": self.per_page,
            "page_offset": self._query_offset,
        }
        rows = read_rows(paged, params).all()
        self._total = rows[0].total_rows if rows else None
        return rows

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        _paged, counted = _paged_forms(self._query_args["select"])
        params = self._query_args.get("params", {})
        return read_rows(counted, params).scalar_one()


class ListPagination(Pagination):
    """A page whose rows the caller reads (with statements built once) and whose total it
    already knows: set `items` after making it, from `offset`."""

    def __init__(self, *, page: int, per_page: int, total: int):
        super().__init__(page=page, per_page=per_page, error_out=False, total=total)
        self.items = []

    @property
    def offset(self) -> int:
        return self._query_offset

    def _query_items(self) -> list:
        return []

    def _query_count(self) -> int:
        return self._query_args["total"]

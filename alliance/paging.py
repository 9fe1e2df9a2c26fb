"""A page of rows and their total in one statement.

Flask-SQLAlchemy's pagination asks twice: the page's rows, then `SELECT count(*)` over the
same statement wrapped as a subquery. For a Core select of the columns a list shows, one
statement does both: `count(*) OVER ()` is the number of rows the statement matches before
LIMIT, the same on every row. Only a page past the end (no rows, so no total) asks again.
The rows keep that last column, `total_rows`.
"""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select


class RowPagination(Pagination):
    def _query_items(self) -> list:
        stmt: Select = self._query_args["select"]
        session = self._query_args["session"]
        counted = stmt.add_columns(func.count().over().label("total_rows"))
        rows = session.execute(counted.limit(self.per_page).offset(self._query_offset)).all()
        self._total = rows[0].total_rows if rows else None
        return rows

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        stmt: Select = self._query_args["select"]
        session = self._query_args["session"]
        counted = select(func.count()).select_from(stmt.order_by(None).subquery())
        return session.execute(counted).scalar_one()

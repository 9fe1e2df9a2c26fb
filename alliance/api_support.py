"""Shared pieces of the JSON API: pagination envelope and argument parsing with 400s."""

from flask import abort, request
from marshmallow import Schema, ValidationError
from sqlalchemy import Select, func, select

from alliance.extensions import db

MAX_PER_PAGE = 100
# The largest INTEGER column value on PostgreSQL: anything larger is no id, page or count of ours
# (and overflows the database driver: a 500 found by fuzzing).
MAX_INT = 2**31 - 1
MAX_PAGE = 1_000_000


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int = MAX_INT) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    # ASCII digits only: int() also reads "٣" and " 3", and "²".isdigit() is True.
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 12:
        abort(400, description=f"'{name}' must be an integer")
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        abort(400, description=f"'{name}' must be between {minimum} and {maximum}")
    return value


def paginated(stmt: Select, serialize, *, default_per_page: int = 20) -> dict:
    """{"items": [...], "page", "per_page", "total", "pages"}; a fixed number of queries."""
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", default_per_page, maximum=MAX_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {
        "items": serialize(rows),
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": (total + per_page - 1) // per_page,
    }


def json_body(schema: Schema) -> dict:
    """The request's JSON object loaded through `schema`; 400 with the problems otherwise."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="the body must be a JSON object")
    try:
        return schema.load(data)
    except ValidationError as exc:
        abort(400, description=exc.messages)

"""Which columns hold a person's data, and whose (PIPL art. 47: export and erase on closure).

A column about an account holder is declared where it is defined::

    name: Mapped[str] = mapped_column(String(40), info=personal("user_id", "volunteer"))

`owner` is the column of the same table that names the person (the users row's `id` for the
users table itself); `section` is the part of /me/data that exports it. The domain's hooks
(`alliance/<domain>/hooks.py`) export those rows and blank those columns in `close_account`.
tests/security/test_account_closure.py walks every table: each personal column is exported
and erased, and a column whose name looks personal must say which it is (`not_personal`, with
the reason it stays).
"""

from sqlalchemy import MetaData

ERASED = ""


def personal(owner: str, section: str) -> dict:
    return {"personal": {"owner": owner, "section": section}}


def not_personal(why: str) -> dict:
    return {"personal": None, "why": why}


def personal_columns(metadata: MetaData) -> dict:
    """{table: [(column, owner, section), ...]} for every declared personal column."""
    found: dict = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            marker = column.info.get("personal")
            if marker:
                found.setdefault(table, []).append((column, marker["owner"], marker["section"]))
    return found


def erase_personal(model, user_id: int) -> None:
    """Blank every declared personal column of `model`'s rows about `user_id` (one UPDATE):
    NULL where the column allows it, else the empty string. The rows themselves stay."""
    from alliance.extensions import db

    columns = [c for c in model.__table__.columns if c.info.get("personal")]
    owners = {c.info["personal"]["owner"] for c in columns}
    (owner,) = owners
    values = {c.key: (None if c.nullable else ERASED) for c in columns}
    db.session.execute(
        model.__table__.update().where(model.__table__.c[owner] == user_id).values(values)
    )

"""Backups while the site writes, restored into a fresh database, identical to the backup moment."""

import hashlib
import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url

from alliance.accounts.models import User
from alliance.extensions import db as _db

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")

# Test-only tables: a writer thread adds a row and bumps the counter in one transaction, so a
# torn copy would show as a counter that disagrees with the row count.
metadata = MetaData()
rows = Table(
    "test_backup_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payload", String(64), nullable=False),
)
tally = Table(
    "test_backup_tally",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)


@pytest.fixture
def writer_tables(db):
    metadata.drop_all(db.engine)
    metadata.create_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(insert(tally).values(id=1, n=0))
    yield
    metadata.drop_all(db.engine)


class Writer(threading.Thread):
    """Keeps committing until stopped; `committed` counts its transactions."""

    def __init__(self, engine):
        super().__init__(daemon=True)
        self.engine = engine
        self.stop = threading.Event()
        self.lock = threading.Condition()
        self.committed = 0
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                with self.engine.begin() as conn:
                    conn.execute(insert(rows).values(payload=uuid.uuid4().hex))
                    conn.execute(update(tally).values(n=tally.c.n + 1))
                with self.lock:
                    self.committed += 1
                    self.lock.notify_all()
        except Exception as exc:  # reported by the test
            self.error = exc
            with self.lock:
                self.lock.notify_all()

    def wait_for(self, count: int) -> None:
        with self.lock:
            assert self.lock.wait_for(lambda: self.committed >= count or self.error, timeout=60)
        assert self.error is None, self.error


def table_digest(conn, table) -> tuple[int, str]:
    """(row count, checksum of every row in primary-key order)."""
    digest = hashlib.sha256()
    count = 0
    for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
        digest.update(repr(tuple(row)).encode())
        count += 1
    return count, digest.hexdigest()


def database_digest(engine, tables, max_row_id=None) -> dict:
    with engine.connect() as conn:
        out = {t.name: table_digest(conn, t) for t in tables}
        kept = select(rows)
        if max_row_id is not None:
            kept = kept.where(rows.c.id <= max_row_id)
        digest = hashlib.sha256()
        for row in conn.execute(kept.order_by(rows.c.id)):
            digest.update(repr(tuple(row)).encode())
        out["rows_up_to_backup"] = digest.hexdigest()
        out["tally"] = conn.scalar(select(tally.c.n))
        out["row_count"] = conn.scalar(select(func.count()).select_from(rows))
        out["max_id"] = conn.scalar(select(func.max(rows.c.id)))
    return out


@pytest.fixture
def fresh_database_url(database_url, tmp_path):
    """An empty database of the same kind as the suite's, dropped afterwards."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not on PATH (apt-get install postgresql-client)")
    name = f"alliance_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def flask_cli(*args, database_url):
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [str(FLASK), "--app", "alliance", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_during_writes_restores_to_identical_database(
    app, db, runner, world, writer_tables, fresh_database_url, tmp_path
):
    backup_file = tmp_path / "alliance.backup"
    app_tables = [t for t in _db.metadata.sorted_tables]
    writer = Writer(db.engine)
    writer.start()
    try:
        writer.wait_for(30)
        result = runner.invoke(args=["backup", str(backup_file)])
        assert result.exit_code == 0, result.output
        assert "Backed up" in result.output
        at_backup = writer.committed
        writer.wait_for(at_backup + 10)  # it kept writing after the copy was taken
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None

    restored = flask_cli("restore", "--yes", str(backup_file), database_url=fresh_database_url)
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout

    fresh = create_engine(fresh_database_url)
    try:
        copy = database_digest(fresh, app_tables)
    finally:
        fresh.dispose()
    source = database_digest(db.engine, app_tables, max_row_id=copy["max_id"])

    # The copy is one moment: its counter agrees with its rows, and it is neither empty nor final.
    assert copy["tally"] == copy["row_count"]
    assert 30 <= copy["row_count"] < source["row_count"]
    # The rows that existed then are byte for byte the source's rows.
    assert copy["rows_up_to_backup"] == source["rows_up_to_backup"]
    # Every table of the app (nothing else wrote to them) is identical: counts and checksums.
    for table in app_tables:
        assert copy[table.name] == source[table.name], table.name
    assert copy[User.__tablename__][0] == len(world.users)


def test_restore_replaces_the_configured_database(db, runner, world, tmp_path, database_url):
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("restoring over the shared PostgreSQL test database is left to the test above")
    backup_file = tmp_path / "before.backup"
    assert runner.invoke(args=["backup", str(backup_file)]).exit_code == 0
    db.session.execute(update(User).values(display_name="改过了"))
    db.session.commit()

    result = runner.invoke(args=["restore", str(backup_file)], input="y\n")
    assert result.exit_code == 0, result.output
    db.session.remove()
    names = set(db.session.scalars(select(User.display_name)))
    assert "改过了" not in names and len(names) == len(world.users)


def test_restore_refuses_a_file_that_is_not_a_backup(db, runner, world, tmp_path, database_url):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code != 0
    assert "Error" in result.output
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(User)) == len(world.users)


def test_backup_into_a_missing_folder_says_so(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "nope" / "x.backup")])
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_restore_asks_before_replacing(runner, tmp_path, db, world):
    backup_file = tmp_path / "b.backup"
    assert runner.invoke(args=["backup", str(backup_file)]).exit_code == 0
    result = runner.invoke(args=["restore", str(backup_file)], input="n\n")
    assert result.exit_code != 0
    assert "Aborted" in result.output

"""Backups and restores that are consistent while the site keeps writing.

SQLite: the sqlite3 online backup API copies every page in one step inside a read transaction,
so the copy is the database as of one moment, whatever other connections write meanwhile. The
copy is a single self-contained file (journal mode DELETE, no -wal beside it).

PostgreSQL: ``pg_dump -Fc`` (one snapshot, repeatable read) and ``pg_restore --clean
--if-exists --single-transaction`` (all or nothing). Connection parameters come from the
SQLAlchemy URL; the password goes through PGPASSWORD, never the command line.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from alliance.files import commit_partial, is_disk_full, partial_path


class MaintenanceError(Exception):
    """A backup or restore could not be made; the message says why."""


def backup(url: URL | str, path: Path) -> None:
    """Write a consistent copy of the database at `url` to `path` (replaced atomically).

    The copy is written beside `path` under a temporary name, fsynced and renamed: a disk that
    fills up mid-way leaves no partial file, and an earlier backup at `path` stays as it was.
    """
    url = make_url(url)
    path = Path(path)
    if not path.parent.is_dir():
        raise MaintenanceError(f"folder {path.parent} does not exist")
    try:
        partial = partial_path(path)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        # A backup holds everyone's personal data: owner-only from its first byte (0600).
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_file(url), partial)
        elif url.get_backend_name() == "postgresql":
            _pg_dump(url, partial)
        else:
            raise MaintenanceError(f"no backup method for {url.get_backend_name()}")
        os.chmod(partial, 0o600)
        commit_partial(partial, path)
    except MaintenanceError as exc:
        if _says_disk_full(str(exc)):
            raise _disk_full(path) from exc
        raise
    except (OSError, sqlite3.Error) as exc:
        raise _write_error(path, exc) from exc
    finally:
        partial.unlink(missing_ok=True)


def _says_disk_full(text: str) -> bool:
    text = text.lower()
    return "no space left on device" in text or "disk is full" in text or "quota" in text


def _disk_full(path: Path) -> MaintenanceError:
    return MaintenanceError(
        f"not enough disk space in {path.parent} for the backup: nothing was written"
        f"{' (the earlier backup there is untouched)' if path.exists() else ''}; "
        "free some space or choose another folder"
    )


def _write_error(path: Path, exc: BaseException) -> MaintenanceError:
    if is_disk_full(exc) or _says_disk_full(str(exc)):
        return _disk_full(path)
    return MaintenanceError(f"could not write the backup to {path}: {exc}")


def restore(path: Path, url: URL | str) -> None:
    """Replace the contents of the database at `url` with the backup at `path`."""
    url = make_url(url)
    path = Path(path)
    if not path.is_file():
        raise MaintenanceError(f"no backup file at {path}")
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(path, _sqlite_file(url))
    elif url.get_backend_name() == "postgresql":
        _pg_restore(path, url)
    else:
        raise MaintenanceError(f"no restore method for {url.get_backend_name()}")


# SQLite ----------------------------------------------------------------------------------------


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise MaintenanceError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _sqlite_connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    return sqlite3.connect(path, timeout=30)


def _check_sqlite_file(path: Path) -> None:
    try:
        conn = _sqlite_connect(path, read_only=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
            tables = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table'"
            ).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise MaintenanceError(f"{path} is not a usable SQLite database ({exc})") from exc
    if result != "ok" or tables == 0:
        raise MaintenanceError(
            f"{path} is not a usable SQLite database ({result}, {tables} tables)"
        )


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise MaintenanceError(f"no SQLite database at {source}")
    src = _sqlite_connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # pages=-1: all pages in one step, one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()
    _check_sqlite_file(target)


def _sqlite_restore(backup_file: Path, target: Path) -> None:
    _check_sqlite_file(backup_file)
    src = _sqlite_connect(backup_file, read_only=True)
    dst = _sqlite_connect(target)
    try:
        src.backup(dst)  # one step, under the target's write lock: readers see old or new
    finally:
        dst.close()
        src.close()


# PostgreSQL ------------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise MaintenanceError(f"{name} is not on PATH (apt-get install postgresql-client)")
    return tool


def _libpq(url: URL) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump/pg_restore, and an environment carrying the password."""
    if not url.database:
        raise MaintenanceError("the PostgreSQL URL names no database")
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if key in url.query:
            env[variable] = str(url.query[key])
    return [*args, "--no-password"], env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        name = Path(command[0]).name
        raise MaintenanceError(f"{name} failed: {result.stderr.strip()[-2000:]}")


def _pg_dump(url: URL, target: Path) -> None:
    args, env = _libpq(url)
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(target),
            *args,
            "--dbname",
            url.database,
        ],
        env,
    )


def _pg_restore(backup_file: Path, url: URL) -> None:
    args, env = _libpq(url)
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "--dbname",
            url.database,
            str(backup_file),
        ],
        env,
    )

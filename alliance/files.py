"""Files that are either whole or absent: a full disk leaves no half-written photo or backup.

Write to a temporary file in the target's own folder (same filesystem, so the rename is atomic),
fsync it, rename it over the target, fsync the folder so the rename itself survives a crash.
On any error the temporary file is removed and the target is untouched.
"""

import errno
import os
import tempfile
from pathlib import Path

# ENOSPC: the disk is full; EDQUOT: the user's quota is; EFBIG: the file-size limit is reached.
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in DISK_FULL


def fsync_path(path: str | os.PathLike) -> None:
    """Flush a file, or a folder's entries (a rename), to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def partial_path(target: str | os.PathLike) -> Path:
    """A fresh, hidden temporary name beside `target` (created empty, ours alone)."""
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    return Path(name)


def commit_partial(partial: str | os.PathLike, target: str | os.PathLike) -> None:
    """fsync `partial`, rename it to `target`, fsync the folder."""
    fsync_path(partial)
    os.replace(partial, target)
    fsync_path(Path(target).parent)


def write_atomically(target: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `target` whole, or raise and leave nothing behind."""
    partial = partial_path(target)
    try:
        with open(partial, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, target)
        fsync_path(Path(target).parent)
    finally:
        partial.unlink(missing_ok=True)


# Files that belong to a database change: a photo is written before the row that names it is
# committed. If that transaction ends without a commit (a 503, a rule that said no), the file
# is removed too, so no orphan is left behind.

_PENDING = "files_written_in_transaction"


def remove_unless_committed(session, path: str | os.PathLike) -> None:
    """Delete `path` when `session`'s current transaction ends without a commit."""
    from sqlalchemy import event

    if not event.contains(type(session), "after_commit", _forget_files):
        event.listen(type(session), "after_commit", _forget_files)
        event.listen(type(session), "after_transaction_end", _remove_files)
    session.info.setdefault(_PENDING, []).append(Path(path))


def _forget_files(session) -> None:
    session.info.pop(_PENDING, None)


def _remove_files(session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint or a subtransaction: the outer one decides
        return
    for path in session.info.pop(_PENDING, []):
        path.unlink(missing_ok=True)

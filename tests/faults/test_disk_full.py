"""A photo upload or a backup that meets a full disk: a clear message, no partial file.

The disk is real: a 4 MiB tmpfs mounted for the test (root only; skipped otherwise), filled
with a filler file until the kernel answers ENOSPC.
"""

import errno
import io
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from alliance.extensions import db
from alliance.help_requests.models import HelpRequest


@pytest.fixture
def tiny_disk():
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    where = Path(tempfile.mkdtemp(prefix="alliance-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128m", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)
        where.rmdir()


def fill(disk: Path) -> Path:
    """Write a filler file until the disk is full."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def _photo() -> bytes:
    buf = io.BytesIO()
    Image.effect_noise((300, 300), 80).convert("RGB").save(buf, "JPEG")
    return buf.getvalue()


def _form(world, setup, photo: bytes) -> dict:
    return {
        "category_id": str(setup.cat_a["repair"].id),
        "title": "楼道漏水",
        "description": "3号楼2单元楼道漏水",
        "estate_id": str(world.estate_a.id),
        "building": "3号楼2单元",
        "shop_id": "",
        "urgency": "urgent",
        "contact_method": "phone",
        "contact_phone": "13900000001",
        "photo": (io.BytesIO(photo), "leak.jpg"),
    }


def test_photo_upload_on_a_full_disk_is_refused_whole(
    app, as_user, world, setup, tiny_disk, monkeypatch
):
    uploads = tiny_disk / "uploads"
    uploads.mkdir()
    monkeypatch.setitem(app.config, "HELP_REQUEST_UPLOAD_DIR", str(uploads))
    filler = fill(tiny_disk)
    client = as_user("resident")

    refused = client.post(
        "/requests/new", data=_form(world, setup, _photo()), content_type="multipart/form-data"
    )
    assert refused.status_code == 400
    assert "存储空间已满，照片没有保存" in refused.get_data(as_text=True)
    assert list(uploads.iterdir()) == [], "no partial photo left behind"
    assert db.session.scalar(select(func.count(HelpRequest.id))) == 0

    filler.unlink()
    accepted = client.post(
        "/requests/new", data=_form(world, setup, _photo()), content_type="multipart/form-data"
    )
    assert accepted.status_code == 303
    (stored,) = uploads.iterdir()
    assert Image.open(stored).size == (300, 300)


def test_backup_on_a_full_disk_fails_clearly_and_keeps_the_earlier_backup(runner, world, tiny_disk):
    target = tiny_disk / "alliance.backup"
    target.write_bytes(b"the earlier backup")
    fill(tiny_disk)

    result = runner.invoke(args=["backup", str(target)])

    assert result.exit_code != 0
    assert "not enough disk space" in result.output
    assert "nothing was written (the earlier backup there is untouched)" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["alliance.backup", "filler"]
    assert target.read_bytes() == b"the earlier backup"

    (tiny_disk / "filler").unlink()
    target.unlink()
    if db.engine.dialect.name == "sqlite":  # pg_dump may be missing or another version
        ok = runner.invoke(args=["backup", str(target)])
        assert ok.exit_code == 0, ok.output
        assert sorted(p.name for p in tiny_disk.iterdir()) == ["alliance.backup"]

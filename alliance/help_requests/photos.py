"""Photos attached to a need: images only, size-limited, re-encoded without metadata.

The same rules serve other photos (a hazard check's): `store_photo` and `photo_path` take the
folder they keep them in; without one it is the help requests' folder."""

import io
import os
import secrets
import warnings

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from alliance.errors import DomainError
from alliance.extensions import db
from alliance.files import is_disk_full, remove_unless_committed, write_atomically
from alliance.i18n import lazy_gettext as _l

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "BMP"}


class PhotoError(DomainError):
    code = "bad_photo"


def upload_dir() -> str:
    path = current_app.config.get("HELP_REQUEST_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads", "help_requests"
    )
    os.makedirs(path, exist_ok=True)
    return path


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise PhotoError(_l("只能上传照片（JPEG、PNG、GIF、WebP）。"))
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(_l("照片像素太大了，请换一张。"))
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
        except PhotoError:
            raise
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombWarning,
            Image.DecompressionBombError,
        ) as exc:
            raise PhotoError(_l("文件不是有效的图片，请换一张照片。")) from exc
    return image


def clean_image(data: bytes) -> tuple[bytes, str]:
    """Re-encode to JPEG (or PNG when transparent) from the pixels only: no EXIF, no GPS."""
    if not data:
        raise PhotoError(_l("上传的照片是空的。"))
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(_l("照片不能超过 5 MB。"))
    image = _open(data)
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    transparent = image.mode in ("RGBA", "LA", "P") and (
        image.mode != "P" or "transparency" in image.info
    )
    if transparent:
        image = image.convert("RGBA")
        ext, fmt = "png", "PNG"
    else:
        image = image.convert("RGB")
        ext, fmt = "jpg", "JPEG"
    # A fresh image from the raw pixels carries none of the original's info or profiles.
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    bare.save(out, fmt, **({"quality": 85, "optimize": True} if fmt == "JPEG" else {}))
    return out.getvalue(), ext


def store_photo(data: bytes, folder: str | None = None) -> str:
    cleaned, ext = clean_image(data)
    name = f"{secrets.token_hex(16)}.{ext}"
    path = os.path.join(folder or upload_dir(), name)
    try:
        write_atomically(path, cleaned)
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        current_app.logger.error("photo upload refused: the disk is full (%s)", exc)
        raise PhotoError(
            _l("服务器存储空间已满，照片没有保存。请稍后再试，或先不附照片提交。")
        ) from exc
    remove_unless_committed(db.session(), path)
    return name


def photo_path(name: str, folder: str | None = None) -> str | None:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = os.path.join(folder or upload_dir(), name)
    return path if os.path.isfile(path) else None

"""Card codes: the random static code, the RFC 6238 rotating code, parsing and QR images."""

import base64
import hashlib
import hmac
import io
import re
import secrets
import struct
import time
from dataclasses import dataclass
from functools import lru_cache

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

STEP_SECONDS = 30
OTP_DIGITS = 8
MAX_CODE_LENGTH = 64  # anything longer is not a card code; never reaches the database

# token_urlsafe(16): 22 characters of the URL-safe base64 alphabet (no "." in it).
_STATIC_RE = re.compile(r"[A-Za-z0-9_-]{22,43}")
# rotating: <rotating_id (token_urlsafe(12), 16 chars)>.<8 digits>
_ROTATING_RE = re.compile(r"([A-Za-z0-9_-]{16,32})\.([0-9]{8})")


def new_static_code() -> str:
    return secrets.token_urlsafe(16)


def new_rotating_id() -> str:
    return secrets.token_urlsafe(12)


def new_totp_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def totp(secret_b32: str, step: int) -> str:
    """RFC 6238 / RFC 4226: HMAC-SHA1 over the 8-byte step counter, dynamic truncation."""
    key = base64.b32decode(secret_b32)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**OTP_DIGITS).zfill(OTP_DIGITS)


def rotating_code(rotating_id: str, secret_b32: str, step: int) -> str:
    return f"{rotating_id}.{totp(secret_b32, step)}"


def rotating_matches(secret_b32: str, otp: str, now: float | None = None) -> bool | None:
    """True for the current or the previous step; False (stale or wrong) otherwise."""
    step = current_step(now)
    ok = False
    for candidate in (step, step - 1):
        # Both compared, constant time: no early exit tells which step matched.
        ok |= hmac.compare_digest(totp(secret_b32, candidate), otp)
    return ok


@dataclass(frozen=True)
class ParsedCode:
    kind: str  # "static" | "rotating"
    key: str  # the static code, or the rotating id
    otp: str | None = None


def parse_code(raw) -> ParsedCode | None:
    """A well-formed code, or None for anything else (garbage, non-ASCII, too long, URL bits)."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_CODE_LENGTH or not raw.isascii():
        return None
    if match := _ROTATING_RE.fullmatch(raw):
        return ParsedCode("rotating", match.group(1), match.group(2))
    if _STATIC_RE.fullmatch(raw):
        return ParsedCode("static", raw)
    return None


def code_from_text(text: str) -> str:
    """What a cashier pasted: a bare code, or a URL ending in /c/<code> → the code part."""
    value = (text or "").strip()
    if "/c/" in value:
        value = value.rsplit("/c/", 1)[1].split("?", 1)[0].split("#", 1)[0].strip("/")
    return value


# --- QR images (cached: drawing one takes 5–10 ms) ----------------------------------------


def _qr(url: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


@lru_cache(maxsize=2048)
def qr_svg(url: str) -> str:
    """An inline <svg> (no width/height: CSS sizes it), black on white, no style attributes."""
    image = _qr(url).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)
    return svg.replace("<svg ", '<svg class="qr" role="img" focusable="false" ', 1)


@lru_cache(maxsize=512)
def qr_png(url: str, box_size: int = 10) -> bytes:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=256)
def qr_svg_data_uri(url: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url).encode()).decode("ascii")

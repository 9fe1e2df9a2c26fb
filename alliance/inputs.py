"""Untrusted input at the edge: ids in URLs, query strings, forms and JSON; JSON nesting; `next`.

Every id the site accepts is a database INTEGER: 1 … 2^31 − 1 (PostgreSQL's `integer`; SQLite
overflows at 2^63). Anything else — `'²'` (`isdigit()` is True, `int()` raises), Arabic-Indic
digits, `1e20`, `true`, 2^31 — is no id of ours and answers 404 (in a path) or 400 (elsewhere),
never a 500 from the driver.

* URLs: ``<int:x>`` is :class:`IdConverter` everywhere (registered by :func:`init_inputs`
  before any blueprint, so every rule uses it).
* Query strings and forms: :func:`parse_id` (None when not an id) and :func:`id_arg`.
* JSON bodies: :class:`IdField` in marshmallow schemas; :class:`SafeJSONProvider` refuses
  documents nested deeper than ``MAX_JSON_DEPTH`` as malformed JSON (400).
"""

import json
import re
from decimal import Decimal
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from marshmallow import fields, validate
from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2**31 - 1
MAX_JSON_DEPTH = 32
_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")
# Full-width digits, point and minus from a Chinese IME, as their ASCII twins.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")
# Browsers drop these anywhere in a URL, so "/\t/evil.example" is "//evil.example" to them.
_URL_IGNORED = dict.fromkeys(map(ord, "\t\n\r"))


class IdConverter(IntegerConverter):
    """``<int:…>``: ASCII digits only, 0 … MAX_ID unless the rule says otherwise; else 404."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str):
        if len(value) > 10:  # int() of a huge digit string is slow, and no id is that long
            raise ValidationError()
        return super().to_python(value)


def parse_id(raw) -> int | None:
    """An id from text (ASCII digits) or JSON (a true integer, not a bool), or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 1 <= raw <= MAX_ID else None
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def parse_count(raw, *, places: int = 0, signed: bool = False) -> Decimal | None:
    """A number a person typed into a count field, or None when it is not plain digits.

    Plain ASCII digits, with at most `places` decimals (0: a whole count) and a leading "-"
    only when `signed` (a 盘点调整). Full-width digits (０-９, "．", "－") from a Chinese IME
    count as their ASCII twins; space around the number is dropped. Refused: exponents
    ("1e3"), "+", spaces or "_" inside ("1 000", "1_000"), other scripts' digits ("١٢", "²"),
    more decimals than allowed, and anything longer than 20 characters.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw) if signed or raw >= 0 else None
    if isinstance(raw, Decimal):
        raw = format(raw.normalize(), "f") if raw.is_finite() else ""
    if not isinstance(raw, str):
        return None
    text = raw.translate(_FULL_WIDTH).strip()
    sign = "-?" if signed else ""
    fraction = rf"(\.[0-9]{{1,{places}}})?" if places else ""
    if len(text) > 20 or not re.fullmatch(rf"{sign}[0-9]+{fraction}", text, flags=re.ASCII):
        return None
    return Decimal(text)


def id_arg(name: str, *, status: int = 400) -> int | None:
    """The query-string id `name`: None when absent or empty, `status` when it is no id."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    value = parse_id(raw)
    if value is None:
        abort(status, description=f"'{name}' must be an id (1 to {MAX_ID})")
    return value


def ids_from(values, limit: int) -> list[int]:
    """The ids among `values` (text or JSON), at most `limit`, in order, without repeats."""
    found = [parse_id(v) for v in values]
    return list(dict.fromkeys(v for v in found if v is not None))[:limit]


class IdField(fields.Integer):
    """A JSON id: an integer (not a float such as 1e20, not a bool) within 1 … MAX_ID."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(1, MAX_ID))
        super().__init__(strict=True, **kwargs)


def _depth_ok(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


class SafeJSONProvider(DefaultJSONProvider):
    """Deeply nested JSON is malformed JSON: a ValueError (→ 400), never a RecursionError."""

    def loads(self, s, **kwargs):
        try:
            value = json.loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc
        if not _depth_ok(value, MAX_JSON_DEPTH):
            raise ValueError("JSON nested too deeply")
        return value


def safe_next(target: str | None) -> str | None:
    """A same-site path to go to after a form, or None.

    Normalised first, as a browser would read it (tabs and newlines dropped, backslashes as
    slashes), then checked: only "/path", never "//host", "/\\host" or "scheme:".
    """
    if not target or len(target) > 2000:
        return None
    cleaned = target.translate(_URL_IGNORED).replace("\\", "/")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in cleaned):
        return None
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned


def init_inputs(app: Flask) -> None:
    """Before any blueprint: every ``<int:…>`` rule is built with the converter in the map."""
    app.url_map.converters["int"] = IdConverter
    app.json_provider_class = SafeJSONProvider
    app.json = SafeJSONProvider(app)

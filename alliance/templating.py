"""Filters and globals for templates: local time, money, rates, masking."""

import json
from datetime import UTC, datetime

from flask import Flask, request
from flask_babel import format_datetime, get_locale, get_timezone

from alliance.accounts.forms import LanguageForm
from alliance.commitments.models import rate_text
from alliance.validators import mask_name, mask_phone


def fen_to_yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


# The all-digit patterns read the same in every locale: strftime does them about ten times
# faster than Babel's pattern formatter, which a list of a few dozen rows noticed.
_STRFTIME = {
    "yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M",
    "yyyy-MM-dd": "%Y-%m-%d",
    "HH:mm": "%H:%M",
    "yyyy-MM-dd'T'HH:mm": "%Y-%m-%dT%H:%M",
}


# Chinese date patterns ("12月5日 14:00") and what an English reader gets instead ("Dec 5 14:00").
_ENGLISH = {
    "M月d日 HH:mm": "MMM d HH:mm",
    "M月d日": "MMM d",
    "yyyy年M月d日 HH:mm": "MMM d, yyyy HH:mm",
    "yyyy年M月d日": "MMM d, yyyy",
}


def localtime(value, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A UTC datetime (naive ones are UTC) shown in the site's time zone, Asia/Shanghai."""
    if value is None:
        return ""
    if fmt in _ENGLISH and str(get_locale()) == "en":
        fmt = _ENGLISH[fmt]
    pattern = _STRFTIME.get(fmt)
    if pattern is None or not isinstance(value, datetime):
        return format_datetime(value, fmt)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(get_timezone()).strftime(pattern)


def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _emergency_banner():
    """The running emergency response the signed-in person's pages announce (None in normal
    times); one statement, cached for the request (see alliance.emergency.services)."""
    from flask_login import current_user

    from alliance.emergency.services import banner_for

    return banner_for(current_user)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["yuan"] = fen_to_yuan
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["mask_name"] = mask_name
    app.jinja_env.filters["pretty_json"] = pretty_json
    app.jinja_env.filters["rate_text"] = rate_text

    @app.context_processor
    def layout_globals():
        from alliance.csrf_tokens import csrf_token
        from alliance.navigation import menu_current, menu_for

        english = str(get_locale()) == "en"
        return {
            "csrf_token": csrf_token,  # in place of Flask-WTF's: signed once per session token
            "is_english": english,
            "html_lang": "en" if english else "zh-CN",
            "language_form": LanguageForm,
            "menu": menu_for,
            "menu_current": menu_current,
            "current_path": request.path if request else "/",
            "emergency_banner": _emergency_banner,
        }

"""Input rules shared by forms, services, the CLI and the API."""

import re

import phonenumbers
from wtforms.validators import ValidationError

from alliance.i18n import lazy_gettext as _l

COMMON_PASSWORDS = frozenset(
    {
        "12345678",
        "123456789",
        "1234567890",
        "password",
        "password1",
        "qwerty123",
        "11111111",
        "88888888",
        "abc12345",
        "a1234567",
        "iloveyou",
        "woaini1314",
        "admin123",
    }
)
MIN_PASSWORD_LENGTH = 8


def normalize_phone(raw: str) -> str | None:
    """An 11-digit mainland China mobile number, or None when it is not one."""
    if not raw:
        return None
    text = re.sub(r"[\s\-()]", "", str(raw))
    if len(text) > 20:
        return None
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None
    national = str(number.national_number)
    return national if len(national) == 11 and national.startswith("1") else None


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_name(name: str | None) -> str:
    """王小明 → 王*明, 李雷 → 李*, a single character stays."""
    if not name:
        return ""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def password_problem(password: str) -> str | None:
    """Why a password is too weak, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_l("密码至少需要 %(n)s 位。", n=MIN_PASSWORD_LENGTH))
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return str(_l("这个密码太常见或太简单，请换一个。"))
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        return str(_l("密码需要同时包含字母和数字。"))
    return None


class MainlandMobile:
    def __call__(self, form, field):
        if not field.data:
            return
        phone = normalize_phone(field.data)
        if phone is None:
            raise ValidationError(_l("请输入有效的中国大陆手机号码（11位）。"))
        field.data = phone


class StrongPassword:
    def __call__(self, form, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

"""Reading what a form or an API says: whole numbers of points, reasons, and the limits."""

import re

from alliance.i18n import lazy_gettext as _l
from alliance.points.errors import PointsError

MAX_AWARD = 10_000  # one award or correction above this is a typing mistake
MAX_ITEM_POINTS = 100_000
MAX_STOCK = 100_000


_INT_RE = re.compile(r"[+-]?[0-9]+")


def parse_points(
    value, *, field: str = "points", allow_negative: bool = False, maximum: int = MAX_AWARD
) -> int:
    """A whole number of points from a form or JSON value; clear Chinese messages otherwise."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not text:
            raise PointsError(_l("请填写积分。"), code="points_required", field=field)
        if not _INT_RE.fullmatch(text):
            raise PointsError(
                _l("积分必须是整数，不能有小数。"), code="points_not_integer", field=field
            )
        number = int(text)
    if number == 0:
        raise PointsError(_l("积分不能为0。"), code="points_zero", field=field)
    if number < 0 and not allow_negative:
        raise PointsError(_l("积分必须是正整数。"), code="points_negative", field=field)
    if abs(number) > maximum:
        raise PointsError(
            _l("积分一次不能超过%(n)d。", n=maximum), code="points_too_large", field=field
        )
    return number


def parse_reason(text, required: bool = True) -> str:
    value = (text or "").strip()
    if required and not value:
        raise PointsError(_l("请写明原因。"), code="reason_required", field="reason")
    if len(value) > 200:
        raise PointsError(_l("原因不能超过200字。"), code="reason_too_long", field="reason")
    return value


def whole_number(value, field: str, low: int, high: int, label) -> int:
    text = str(value if value is not None else "").strip()
    if not _INT_RE.fullmatch(text):
        raise PointsError(_l("%(label)s必须是整数。", label=label), code="not_integer", field=field)
    number = int(text)
    if not low <= number <= high:
        raise PointsError(
            _l("%(label)s应在%(low)d到%(high)d之间。", label=label, low=low, high=high),
            code="out_of_range",
            field=field,
        )
    return number

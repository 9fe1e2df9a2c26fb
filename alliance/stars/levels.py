"""Star levels (星级志愿者) from confirmed service hours.

The thresholds are configuration (`STAR_LEVEL_HOURS`, one figure per level, 一星 first); the
common practice of the provincial platforms is 100, 300, 600, 1,000 and 1,500 hours. Levels are
worked out in minutes, as attendance is stored, so 99.9 h (5,994 min) is below 一星 and 100 h
(6,000 min) is 一星 exactly; no floating point is involved.
"""

from dataclasses import dataclass

from flask import current_app

from alliance.i18n import lazy_gettext as _l

DEFAULT_HOURS = (100, 300, 600, 1000, 1500)
NAMES = (_l("一星"), _l("二星"), _l("三星"), _l("四星"), _l("五星"))
MAX_LEVEL = len(NAMES)


class ThresholdError(ValueError):
    """The configured thresholds cannot be used (the app refuses to start)."""


def parse_thresholds(value) -> tuple[int, ...]:
    """ "100,300,600,1000,1500" or a sequence → five whole hours, strictly increasing."""
    items = value.split(",") if isinstance(value, str) else list(value)
    if len(items) != MAX_LEVEL:
        raise ThresholdError(
            f"STAR_LEVEL_HOURS needs {MAX_LEVEL} thresholds (一星 to 五星), got {len(items)}"
        )
    hours = []
    for item in items:
        text = str(item).strip()
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 100_000:
            raise ThresholdError(f"STAR_LEVEL_HOURS: {text!r} is not a whole number of hours")
        hours.append(int(text))
    for lower, higher in zip(hours, hours[1:], strict=False):
        if higher <= lower:
            raise ThresholdError(
                f"STAR_LEVEL_HOURS must increase level by level: {higher} h after {lower} h"
            )
    return tuple(hours)


def init_app(app) -> None:
    app.config["STAR_LEVEL_HOURS"] = parse_thresholds(
        app.config.get("STAR_LEVEL_HOURS", DEFAULT_HOURS)
    )


def thresholds() -> tuple[int, ...]:
    return current_app.config["STAR_LEVEL_HOURS"]


def level_for(minutes: int) -> int:
    """0 (no level yet) to 5."""
    level = 0
    for hours in thresholds():
        if minutes >= hours * 60:
            level += 1
    return level


def name_of(level: int) -> str:
    return str(NAMES[level - 1]) if 1 <= level <= MAX_LEVEL else ""


def choices():
    return [(n, _l("%(name)s及以上", name=NAMES[n - 1])) for n in range(1, MAX_LEVEL + 1)]


@dataclass
class Standing:
    """What a volunteer sees: hours (permanent) and the level they give."""

    minutes: int
    level: int
    next_hours: int | None

    @property
    def hours(self) -> str:
        # Cut, not rounded: 5,997 minutes shows 99.9 h, never "100.0" without 一星.
        return tenths_down(self.minutes)

    @property
    def name(self) -> str:
        return name_of(self.level)

    @property
    def stars(self) -> str:
        return "★" * self.level

    @property
    def hours_to_next(self) -> str | None:
        if self.next_hours is None:
            return None
        left = max(0, self.next_hours * 60 - self.minutes)
        return tenths_down(left + 5)  # up to the next tenth: 0.05 h left shows 0.1


def tenths_down(minutes: int) -> str:
    """Minutes as hours with one decimal, cut towards zero (6 minutes = 0.1 h)."""
    tenths = int(minutes) // 6
    return f"{tenths // 10}.{tenths % 10}"


def standing(minutes: int) -> Standing:
    level = level_for(minutes)
    bounds = thresholds()
    return Standing(minutes, level, bounds[level] if level < MAX_LEVEL else None)

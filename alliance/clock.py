"""Local time, in one place: the site lives in Asia/Shanghai and stores UTC.

Every day, month and "today" the rules talk about is a local one; every stored moment is aware
UTC (`alliance.db_types.utcnow`). Convert here, nowhere else.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from alliance.db_types import utcnow

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def local_date(moment: datetime) -> date:
    """The local day a stored moment falls on."""
    return moment.astimezone(LOCAL_TZ).date()


def local_start(day: date) -> datetime:
    """Midnight of `day` in Asia/Shanghai, as aware UTC."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)


def local_at(day: date, at: time) -> datetime:
    """`at` o'clock local time on `day`, as an aware local datetime."""
    return datetime.combine(day, at, LOCAL_TZ)


def month_key(moment: datetime) -> str:
    """The local month of a moment, "2026-05"."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m")


def month_bounds(month: str | None, now: datetime | None = None) -> tuple[str, date, date]:
    """ "2026-05" (or this month when missing or malformed) → (label, first day, next first day)."""
    today = local_today(now)
    try:
        year, mon = (int(p) for p in (month or "").split("-"))
        first = date(year, mon, 1)
    except (ValueError, TypeError):
        first = today.replace(day=1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first.strftime("%Y-%m"), first, nxt

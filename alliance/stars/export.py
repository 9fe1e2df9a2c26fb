"""Service records in the national system's terms (全国志愿服务信息系统).

民政部《志愿服务记录与证明出具办法》 names what a record holds: 姓名, 服务项目, 服务时间, 服务地点,
服务内容, 服务时长, 记录单位, 记录人, 记录时间. One row per confirmed attendance, hours to one
decimal (half up), and a 补录 row says who entered it late and why. The headers stay Chinese in
every interface language: they are the receiving system's column names, not interface text.

Every text cell that a spreadsheet would read as a formula (= + - @, tab, CR first) is
prefixed with ' (OWASP CSV injection).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import aliased

from alliance.accounts.models import User
from alliance.activities.models import CATEGORIES, Activity, ActivitySlot, Signup, SignupStatus
from alliance.clock import LOCAL_TZ
from alliance.communities.models import Community
from alliance.extensions import db
from alliance.spreadsheets import safe_cell
from alliance.volunteers.models import VolunteerProfile

HEADERS = (
    "姓名",
    "服务项目",
    "服务时间",
    "服务地点",
    "服务内容",
    "服务时长（小时）",
    "记录单位",
    "记录人",
    "记录时间",
    "是否补录",
    "补录人",
    "补录原因",
)
HOURS_COLUMN = HEADERS.index("服务时长（小时）")
MAX_ROWS = 50_000


@dataclass
class Selection:
    """Which attendances go out: a month (local days), an activity, or both."""

    community_ids: object  # a subquery of ids the secretary may see
    first: date | None = None
    nxt: date | None = None
    activity_id: int | None = None


def neutral(value) -> str:
    """Text for a cell, neutralised as every export is (alliance.spreadsheets)."""
    return safe_cell("" if value is None else str(value))


def hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / Decimal(60)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(LOCAL_TZ).strftime(fmt) if moment else ""


def _span(start: datetime, end: datetime) -> str:
    same_day = start.astimezone(LOCAL_TZ).date() == end.astimezone(LOCAL_TZ).date()
    return f"{_local(start)}—{_local(end, '%H:%M' if same_day else '%Y-%m-%d %H:%M')}"


def rows(selection: Selection) -> list[tuple]:
    """The export's rows, oldest service first (one statement)."""
    volunteer = aliased(User)
    recorder = aliased(User)
    backfiller = aliased(User)
    stmt = (
        select(
            Signup,
            ActivitySlot,
            Activity,
            Community.name,
            volunteer.display_name,
            VolunteerProfile.name,
            recorder.display_name,
            backfiller.display_name,
        )
        .join(ActivitySlot, ActivitySlot.id == Signup.slot_id)
        .join(Activity, Activity.id == Signup.activity_id)
        .join(Community, Community.id == Signup.community_id)
        .join(volunteer, volunteer.id == Signup.user_id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == Signup.user_id)
        .outerjoin(recorder, recorder.id == Signup.confirmed_by_id)
        .outerjoin(backfiller, backfiller.id == Signup.backfilled_by_id)
        .where(
            Signup.confirmed_at.is_not(None),
            Signup.status == SignupStatus.SIGNED_UP,
            Signup.community_id.in_(selection.community_ids),
        )
        .order_by(ActivitySlot.starts_at, Activity.id, Signup.id)
        .limit(MAX_ROWS)
    )
    if selection.first is not None:
        stmt = stmt.where(
            ActivitySlot.local_day >= selection.first, ActivitySlot.local_day < selection.nxt
        )
    if selection.activity_id is not None:
        stmt = stmt.where(Signup.activity_id == selection.activity_id)
    out = []
    for signup, slot, activity, unit, account_name, real_name, by, late_by in db.session.execute(
        stmt
    ):
        content = activity.description or str(CATEGORIES.get(activity.category, ""))
        out.append(
            (
                real_name or account_name,
                activity.title,
                _span(signup.check_in_at or slot.starts_at, signup.check_out_at or slot.ends_at),
                activity.place,
                content,
                hours(signup.minutes),
                unit,
                by or "",
                _local(signup.confirmed_at),
                "是" if signup.backfilled_at else "否",
                (late_by or "") if signup.backfilled_at else "",
                signup.backfill_reason if signup.backfilled_at else "",
            )
        )
    return out


def _cells(row: tuple) -> list:
    return [value if i == HOURS_COLUMN else neutral(value) for i, value in enumerate(row)]


def to_csv(data: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in data:
        cells = _cells(row)
        cells[HOURS_COLUMN] = f"{row[HOURS_COLUMN]:.1f}"
        writer.writerow(cells)
    # With a BOM, Excel opens the Chinese as UTF-8 instead of the local code page.
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(data: list[tuple], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in data:
        cells = _cells(row)
        cells[HOURS_COLUMN] = float(row[HOURS_COLUMN])
        sheet.append(cells)
        sheet.cell(row=sheet.max_row, column=HOURS_COLUMN + 1).number_format = "0.0"
    for letter, width in zip(
        "ABCDEFGHIJKL", (10, 24, 30, 20, 40, 10, 16, 10, 18, 8, 10, 30), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""Exports (CSV and XLSX) of every list a secretary works with, for their communities.

Each export is one statement whose rows are read in batches (`yield_per`) and written as they
come: a CSV streams to the browser; an XLSX is written by openpyxl's write-only workbook (rows
are not kept in memory). Every text cell goes through alliance.spreadsheets.safe_cell, so a
name such as "=HYPERLINK(…)" stays text. Phone numbers go out masked.
"""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from alliance.accounts.models import User
from alliance.activities.models import CATEGORIES as ACTIVITY_CATEGORIES
from alliance.activities.models import Activity, ActivitySlot, Signup
from alliance.cards.models import KIND_LABELS as CARD_KIND_LABELS
from alliance.cards.models import STATUS_LABELS as CARD_STATUS_LABELS
from alliance.cards.models import Card, Redemption
from alliance.clock import LOCAL_TZ
from alliance.co_building.models import PROVIDER_LABELS, Resource
from alliance.commitments.models import KIND_LABELS as COMMITMENT_KIND_LABELS
from alliance.commitments.models import STATUS_LABELS as COMMITMENT_STATUS_LABELS
from alliance.commitments.models import Commitment
from alliance.communities.models import Community, Estate
from alliance.extensions import db
from alliance.help_requests.models import STATE_LABELS, URGENCY_LABELS, HelpRequest, ServiceCategory
from alliance.merchants.models import MERCHANT_STATUS_LABELS, Merchant, category_label
from alliance.points.models import ENTRY_LABELS, LedgerEntry
from alliance.projects.models import PROJECT_STATUS_LABELS, Project
from alliance.spreadsheets import safe_cell
from alliance.validators import mask_phone
from alliance.volunteers.models import _PROFILE_LABELS as VOLUNTEER_STATUS_LABELS
from alliance.volunteers.models import VolunteerProfile

BATCH = 1000


@dataclass(frozen=True)
class Export:
    key: str
    title: object  # lazy string
    headers: tuple
    query: Callable[[object], Select]  # community ids (a subquery) -> statement
    row: Callable[[tuple], list]


def _local(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _label(labels: dict, key) -> str:
    label = labels.get(key)
    return str(label) if label is not None else ("" if key is None else str(key))


def _yuan(fen) -> str:
    return "" if fen is None else f"{int(fen) / 100:.2f}"


def _members(ids):
    return (
        select(
            Community.name,
            Merchant.number,
            Merchant.name,
            Merchant.category,
            Estate.name,
            Merchant.status,
            Merchant.created_at,
        )
        .join(Community, Community.id == Merchant.community_id)
        .outerjoin(Estate, Estate.id == Merchant.estate_id)
        .where(Merchant.community_id.in_(ids))
        .order_by(Merchant.community_id, Merchant.number)
    )


def _commitments(ids):
    return (
        select(
            Community.name,
            Merchant.number,
            Merchant.name,
            Commitment.kind,
            Commitment.title,
            Commitment.status,
            Commitment.version,
            Commitment.published_at,
        )
        .join(Community, Community.id == Commitment.community_id)
        .join(Merchant, Merchant.id == Commitment.merchant_id)
        .where(Commitment.community_id.in_(ids))
        .order_by(Commitment.community_id, Merchant.number, Commitment.id)
    )


def _volunteers(ids):
    return (
        select(
            Community.name,
            VolunteerProfile.name,
            VolunteerProfile.phone,
            Estate.name,
            VolunteerProfile.skills,
            VolunteerProfile.status,
            VolunteerProfile.joined_at,
        )
        .join(Community, Community.id == VolunteerProfile.community_id)
        .outerjoin(Estate, Estate.id == VolunteerProfile.estate_id)
        .where(VolunteerProfile.community_id.in_(ids))
        .order_by(VolunteerProfile.community_id, VolunteerProfile.id)
    )


def _cards(ids):
    return (
        select(
            Community.name,
            Card.number,
            Card.kind,
            User.display_name,
            Card.status,
            Card.valid_from,
            Card.valid_until,
            Card.created_at,
        )
        .join(Community, Community.id == Card.community_id)
        .join(User, User.id == Card.holder_id)
        .where(Card.community_id.in_(ids))
        .order_by(Card.community_id, Card.number)
    )


def _redemptions(ids):
    return (
        select(
            Community.name,
            Redemption.created_at,
            Merchant.name,
            Redemption.offer_title,
            Redemption.rate_percent,
            Redemption.bill_fen,
            Redemption.saving_fen,
            Card.number,
        )
        .join(Community, Community.id == Redemption.community_id)
        .join(Merchant, Merchant.id == Redemption.merchant_id)
        .join(Card, Card.id == Redemption.card_id)
        .where(Redemption.community_id.in_(ids))
        .order_by(Redemption.created_at, Redemption.id)
    )


def _orders(ids):
    return (
        select(
            Community.name,
            HelpRequest.id,
            HelpRequest.submitted_at,
            ServiceCategory.name,
            HelpRequest.title,
            HelpRequest.urgency,
            HelpRequest.state,
            HelpRequest.due_at,
            HelpRequest.first_dispatched_at,
            HelpRequest.resolved_at,
            HelpRequest.rating,
        )
        .join(Community, Community.id == HelpRequest.community_id)
        .join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id)
        .where(HelpRequest.community_id.in_(ids))
        .order_by(HelpRequest.submitted_at, HelpRequest.id)
    )


def _resources(ids):
    return (
        select(
            Community.name,
            Resource.category_code,
            Resource.provider_kind,
            Merchant.name,
            Resource.team_name,
            Resource.title,
            Resource.capacity,
            Resource.active,
        )
        .join(Community, Community.id == Resource.community_id)
        .outerjoin(Merchant, Merchant.id == Resource.merchant_id)
        .where(Resource.community_id.in_(ids))
        .order_by(Resource.community_id, Resource.id)
    )


def _projects(ids):
    return (
        select(
            Community.name,
            Project.title,
            Project.category_code,
            Project.status,
            Project.schedule,
            Project.outcome,
            Project.created_at,
        )
        .join(Community, Community.id == Project.community_id)
        .where(Project.community_id.in_(ids))
        .order_by(Project.community_id, Project.id)
    )


def _ledger(ids):
    return (
        select(
            Community.name,
            LedgerEntry.created_at,
            User.display_name,
            LedgerEntry.kind,
            LedgerEntry.delta,
            LedgerEntry.balance_after,
            LedgerEntry.reason,
        )
        .join(Community, Community.id == LedgerEntry.community_id)
        .join(User, User.id == LedgerEntry.user_id)
        .where(LedgerEntry.community_id.in_(ids))
        .order_by(LedgerEntry.created_at, LedgerEntry.id)
    )


def _activities(ids):
    slots = (
        select(
            ActivitySlot.activity_id,
            func.count(ActivitySlot.id).label("n"),
            func.min(ActivitySlot.starts_at).label("first"),
        )
        .group_by(ActivitySlot.activity_id)
        .subquery()
    )
    return (
        select(
            Community.name,
            Activity.title,
            Activity.category,
            Activity.place,
            Activity.emergency,
            Activity.status,
            slots.c.n,
            slots.c.first,
        )
        .join(Community, Community.id == Activity.community_id)
        .outerjoin(slots, slots.c.activity_id == Activity.id)
        .where(Activity.community_id.in_(ids))
        .order_by(Activity.community_id, Activity.id)
    )


def _hours(ids):
    volunteer = aliased(User)
    return (
        select(
            Community.name,
            volunteer.display_name,
            Activity.title,
            ActivitySlot.local_day,
            Signup.minutes,
            Signup.points,
            Signup.confirmed_at,
            Signup.backfill_reason,
        )
        .join(Community, Community.id == Signup.community_id)
        .join(volunteer, volunteer.id == Signup.user_id)
        .join(Activity, Activity.id == Signup.activity_id)
        .join(ActivitySlot, ActivitySlot.id == Signup.slot_id)
        .where(Signup.community_id.in_(ids), Signup.confirmed_at.is_not(None))
        .order_by(ActivitySlot.local_day, Signup.id)
    )


EXPORTS = {
    e.key: e
    for e in (
        Export(
            "members",
            _l("联盟商户"),
            ("社区", "编号", "名称", "行业", "小区", "状态", "加入时间"),
            _members,
            lambda r: [
                r[0],
                r[1],
                r[2],
                category_label(r[3]),
                r[4] or "",
                _label(MERCHANT_STATUS_LABELS, r[5]),
                _local(r[6]),
            ],
        ),
        Export(
            "commitments",
            _l("承诺"),
            ("社区", "商户编号", "商户", "类别", "承诺", "状态", "版本", "公示时间"),
            _commitments,
            lambda r: [
                r[0],
                r[1],
                r[2],
                _label(COMMITMENT_KIND_LABELS, r[3]),
                r[4],
                _label(COMMITMENT_STATUS_LABELS, r[5]),
                r[6],
                _local(r[7]),
            ],
        ),
        Export(
            "volunteers",
            _l("志愿者"),
            ("社区", "姓名", "手机（隐去中间四位）", "小区", "特长", "状态", "加入时间"),
            _volunteers,
            lambda r: [
                r[0],
                r[1],
                mask_phone(r[2]),
                r[3] or "",
                r[4],
                _label(VOLUNTEER_STATUS_LABELS, r[5]),
                _local(r[6]),
            ],
        ),
        Export(
            "cards",
            _l("卡片"),
            ("社区", "卡号", "卡类", "持卡人", "状态", "生效日", "有效期至", "发卡时间"),
            _cards,
            lambda r: [
                r[0],
                r[1],
                _label(CARD_KIND_LABELS, r[2]),
                r[3],
                _label(CARD_STATUS_LABELS, r[4]),
                _day(r[5]),
                _day(r[6]),
                _local(r[7]),
            ],
        ),
        Export(
            "redemptions",
            _l("核销记录"),
            ("社区", "时间", "商户", "优惠", "折扣（%）", "消费（元）", "节省（元）", "卡号"),
            _redemptions,
            lambda r: [r[0], _local(r[1]), r[2], r[3], r[4], _yuan(r[5]), _yuan(r[6]), r[7]],
        ),
        Export(
            "orders",
            _l("工单（需求清单）"),
            (
                "社区",
                "工单号",
                "提交时间",
                "类别",
                "标题",
                "紧急程度",
                "状态",
                "时限",
                "派单时间",
                "办结时间",
                "评价（星）",
            ),
            _orders,
            lambda r: [
                r[0],
                r[1],
                _local(r[2]),
                r[3],
                r[4],
                _label(URGENCY_LABELS, r[5]),
                _label(STATE_LABELS, r[6]),
                _local(r[7]),
                _local(r[8]),
                _local(r[9]),
                r[10] if r[10] is not None else "",
            ],
        ),
        Export(
            "resources",
            _l("资源清单"),
            ("社区", "类别", "提供方类型", "商户", "队伍", "资源", "能力", "在用"),
            _resources,
            lambda r: [
                r[0],
                r[1],
                _label(PROVIDER_LABELS, r[2]),
                r[3] or "",
                r[4],
                r[5],
                r[6],
                "是" if r[7] else "否",
            ],
        ),
        Export(
            "projects",
            _l("项目清单"),
            ("社区", "项目", "类别", "状态", "安排", "成效", "建立时间"),
            _projects,
            lambda r: [
                r[0],
                r[1],
                r[2],
                _label(PROJECT_STATUS_LABELS, r[3]),
                r[4],
                r[5],
                _local(r[6]),
            ],
        ),
        Export(
            "ledger",
            _l("积分流水"),
            ("社区", "时间", "志愿者", "类型", "积分变动", "变动后余额", "事由"),
            _ledger,
            lambda r: [r[0], _local(r[1]), r[2], _label(ENTRY_LABELS, r[3]), r[4], r[5], r[6]],
        ),
        Export(
            "activities",
            _l("志愿活动"),
            ("社区", "活动", "类别", "地点", "应急", "状态", "场次", "首场开始"),
            _activities,
            lambda r: [
                r[0],
                r[1],
                _label(ACTIVITY_CATEGORIES, r[2]),
                r[3],
                "是" if r[4] else "否",
                "已取消" if r[5] == "cancelled" else "已发布",
                r[6] or 0,
                _local(r[7]),
            ],
        ),
        Export(
            "hours",
            _l("服务时长"),
            ("社区", "志愿者", "活动", "服务日期", "时长（小时）", "积分", "确认时间", "补录原因"),
            _hours,
            lambda r: [
                r[0],
                r[1],
                r[2],
                _day(r[3]),
                round((r[4] or 0) / 60, 1),
                r[5] or 0,
                _local(r[6]),
                r[7],
            ],
        ),
    )
}


def _neutral(export: Export, result) -> Iterator[list]:
    for row in result:
        yield [safe_cell("" if v is None else v) for v in export.row(row)]


def rows(export: Export, community_ids) -> Iterator[list]:
    """The export's rows, neutralised, read from the database in batches."""
    stmt = export.query(community_ids).execution_options(yield_per=BATCH)
    yield from _neutral(export, db.session.execute(stmt))


def csv_chunks(export: Export, row_iter: Iterator[list]) -> Iterator[str]:
    """A CSV a few hundred rows at a time (UTF-8 with BOM: Excel opens it with Chinese intact)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(h) for h in export.headers])
    for n, row in enumerate(row_iter, start=1):
        writer.writerow(row)
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def streamed(engine, export: Export, community_ids) -> Iterator[str]:
    """The CSV for a streamed response: it is read after the request's context is gone, so it
    reads on a connection of its own (taken from `engine` only once the first chunk is asked
    for, given back when the download ends or is abandoned)."""
    stmt = export.query(community_ids)
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
        yield from csv_chunks(export, _neutral(export, result))


def xlsx_bytes(export: Export, community_ids) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(export.title)[:31])
    sheet.append([safe_cell(h) for h in export.headers])
    for row in rows(export, community_ids):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""Exports (CSV and XLSX) of every list a secretary works with, for their communities.

Each export is one statement whose rows are read in batches (`yield_per`) and written as they
come: a CSV streams to the browser; an XLSX is written by openpyxl's write-only workbook (rows
are not kept in memory) to a spooled temporary file, then streamed in chunks. Every text cell
goes through alliance.spreadsheets.safe_cell, so a name such as "=HYPERLINK(…)" stays text. Phone numbers go out masked.

Here: the list of exports, their headers and how a row reads; the statements are in
export_queries, the writing of the files in export_files.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select

from alliance.activities.models import CATEGORIES as ACTIVITY_CATEGORIES
from alliance.cards.models import KIND_LABELS as CARD_KIND_LABELS
from alliance.cards.models import STATUS_LABELS as CARD_STATUS_LABELS
from alliance.clock import LOCAL_TZ
from alliance.co_building.models import PROVIDER_LABELS
from alliance.commitments.models import KIND_LABELS as COMMITMENT_KIND_LABELS
from alliance.commitments.models import STATUS_LABELS as COMMITMENT_STATUS_LABELS
from alliance.dashboard import export_queries as queries
from alliance.help_requests.models import STATE_LABELS, URGENCY_LABELS
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import MERCHANT_STATUS_LABELS, category_label
from alliance.points.models import ENTRY_LABELS
from alliance.projects.models import PROJECT_STATUS_LABELS
from alliance.validators import mask_phone
from alliance.volunteers.models import _PROFILE_LABELS as VOLUNTEER_STATUS_LABELS


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


EXPORTS = {
    e.key: e
    for e in (
        Export(
            "members",
            _l("联盟商户"),
            ("社区", "编号", "名称", "行业", "小区", "状态", "加入时间"),
            queries.members,
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
            queries.commitments,
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
            queries.volunteers,
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
            queries.cards,
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
            (
                "社区",
                "时间",
                "商户",
                "优惠",
                "折扣（%）",
                "消费（元）",
                "节省（元）",
                "卡号",
                "作废",
            ),
            queries.redemptions,
            lambda r: [
                r[0],
                _local(r[1]),
                r[2],
                r[3],
                r[4],
                _yuan(r[5]),
                _yuan(r[6]),
                r[7],
                "已作废" if r[8] else "",
            ],
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
            queries.orders,
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
            queries.resources,
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
            queries.projects,
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
            queries.ledger,
            lambda r: [r[0], _local(r[1]), r[2], _label(ENTRY_LABELS, r[3]), r[4], r[5], r[6]],
        ),
        Export(
            "activities",
            _l("志愿活动"),
            ("社区", "活动", "类别", "地点", "应急", "状态", "场次", "首场开始"),
            queries.activities,
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
            queries.hours,
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

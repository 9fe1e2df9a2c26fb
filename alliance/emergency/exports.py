"""CSV and XLSX exports of the flood-season registers: the community secretary gets the rows;
the street office gets counts per community, estate and kind (alliance/emergency/export_counts.py),
never a household. Every text cell goes through `safe_cell` (a name starting with "=" is not a
formula).
"""

import io

from flask import Response, abort
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.downloads import csv_response
from alliance.emergency import export_counts, shelters, supplies
from alliance.emergency.hazard_models import HazardPoint
from alliance.emergency.household_models import Household
from alliance.emergency.shelter_models import Shelter
from alliance.emergency.web import bp
from alliance.extensions import db
from alliance.spreadsheets import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _hazards(community_id: int):
    header = [
        _("名称"),
        _("类型"),
        _("小区"),
        _("网格"),
        _("纬度"),
        _("经度"),
        _("包保责任人"),
        _("汛期每几天检查一次"),
        _("说明"),
        _("状态"),
    ]
    rows = [
        [
            p.name,
            p.kind_label,
            p.estate.name if p.estate else "",
            p.grid.name if p.grid else "",
            p.latitude,
            p.longitude,
            p.responsible.display_name if p.responsible else "",
            p.check_every_days,
            p.description,
            _("已停用：%(reason)s", reason=p.retired_reason) if p.retired else _("在用"),
        ]
        for p in db.session.scalars(
            select(HazardPoint)
            .where(HazardPoint.community_id == community_id)
            .options(
                joinedload(HazardPoint.estate),
                joinedload(HazardPoint.grid),
                joinedload(HazardPoint.responsible),
            )
            .order_by(HazardPoint.id)
        )
    ]
    return header, rows


def _households(community_id: int):
    header = [
        _("户主姓名"),
        _("类别"),
        _("住址"),
        _("家庭人数"),
        _("需要协助转移的人数"),
        _("联系电话"),
        _("特殊需求"),
        _("包保责任人"),
        _("副责任人"),
        _("网格"),
    ]
    rows = [
        [
            h.head_name,
            "、".join(h.category_labels),
            h.place,
            h.members,
            h.need_help_moving,
            h.contact_phone,
            "、".join(h.need_labels),
            h.responsible.display_name if h.responsible else "",
            h.deputy.display_name if h.deputy else "",
            h.grid.name if h.grid else "",
        ]
        for h in db.session.scalars(
            select(Household)
            .where(Household.community_id == community_id)
            .options(
                joinedload(Household.estate),
                joinedload(Household.grid),
                joinedload(Household.responsible),
                joinedload(Household.deputy),
            )
            .order_by(Household.id)
        )
    ]
    return header, rows


def _shelters(community_id: int):
    rows = db.session.scalars(
        select(Shelter).where(Shelter.community_id == community_id).order_by(Shelter.id)
    ).all()
    inside = shelters.occupancy([s.id for s in rows])
    header = [
        _("名称"),
        _("地址"),
        _("容纳人数"),
        _("在住"),
        _("联系电话"),
        _("提供"),
        _("类型"),
        _("每天可供餐份数"),
    ]
    # A meal point's capacity is meals a day: never under 容纳人数.
    return header, [
        [
            s.name,
            s.place,
            None if s.is_meal_point else s.capacity,
            None if s.is_meal_point else inside.get(s.id, 0),
            s.contact_phone,
            s.offers,
            s.kind_label,
            s.capacity if s.is_meal_point else None,
        ]
        for s in rows
    ]


def _supplies(community_id: int):
    items, stores, cells = supplies.stock_table(community_id)
    header = [_("物资"), _("单位")] + [s.name for s in stores] + [_("合计"), _("储备下限")]
    rows = []
    for i in items:
        per_store = [cells.get((s.id, i.id), 0) for s in stores]
        rows.append([i.name, i.unit, *per_store, sum(per_store), i.minimum])
    return header, rows


BUILDERS = {
    "hazards": _hazards,
    "households": _households,
    "shelters": _shelters,
    "supplies": _supplies,
}


def _xlsx(header, rows, title: str) -> Response:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(c) if c is not None else "" for c in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    response = Response(out.getvalue(), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{title}.xlsx"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<any(hazards, households, shelters, supplies):register>.<any(csv, xlsx):ext>")
@roles_required(Role.SECRETARY, Role.STREET_OFFICER)
def register_export(register: str, ext: str):
    if current_user.has_role(Role.SECRETARY) and current_user.community_id:
        header, rows = BUILDERS[register](current_user.community_id)
    elif current_user.has_role(Role.STREET_OFFICER) and current_user.street_office_id:
        header, rows = export_counts.COUNTS[register](current_user.street_office_id)
    else:
        abort(403)
    stem = f"{register}-{local_today().isoformat()}"
    if ext == "csv":
        response = csv_response(rows, header, f"{stem}.csv")
        response.headers["Cache-Control"] = "no-store"
        return response
    return _xlsx(header, rows, stem)

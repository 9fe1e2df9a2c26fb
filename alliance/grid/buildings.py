"""A grid's buildings (楼栋) and the households of the emergency register in them.

There is no building table: a building is what the register's households name in their
`building` field (within their estate). Who sees which household is the register's rule
(`households.visible_to` / `may_see`), and contact numbers are masked as the register's list
masks them (`mask_phone`): this module only groups. One statement for all the grids.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import User
from alliance.communities.models import Grid
from alliance.emergency import households as register
from alliance.emergency.household_models import Household
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.validators import mask_phone


@dataclass
class HouseholdLine:
    household: Household
    phone: str  # masked
    may_open: bool

    @property
    def door(self) -> str:
        return "-".join(p for p in (self.household.unit_no, self.household.room) if p)


@dataclass
class Building:
    label: str
    households: list[HouseholdLine] = field(default_factory=list)

    @property
    def members(self) -> int:
        return sum(line.household.members for line in self.households)

    @property
    def to_move(self) -> int:
        return sum(line.household.need_help_moving for line in self.households)


def _natural(text: str) -> tuple:
    """'2' before '10', and a household without a building last."""
    return (
        text == "",
        [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in _DIGITS.split(text)],
    )


_DIGITS = re.compile(r"(\d+)")


def _label(building: str, estate_name: str, grid_estate_name: str) -> str:
    if not building:
        name = str(_l("未填楼栋"))
    elif building.isascii() and building.isdigit():
        name = str(_l("%(b)s号楼", b=building))
    else:
        name = building
    return name if estate_name == grid_estate_name else f"{estate_name} {name}"


def buildings_of(grids: list[Grid], viewer: User) -> dict[int, list[Building]]:
    """grid id → its buildings with the households `viewer` may see, in one statement."""
    grid_ids = [g.id for g in grids]
    if not grid_ids:
        return {}
    rows = db.session.scalars(
        select(Household)
        .options(joinedload(Household.estate))
        .where(Household.grid_id.in_(grid_ids), register.visible_to(viewer))
    ).all()
    grids_by_id = {g.id: g for g in grids}
    grouped: dict[int, dict[tuple, Building]] = {g.id: {} for g in grids}
    for h in sorted(
        rows,
        key=lambda h: (
            h.estate_id,
            _natural(h.building.strip()),
            _natural(h.unit_no),
            _natural(h.room),
            h.id,
        ),
    ):
        grid = grids_by_id[h.grid_id]
        estate_name = h.estate.name if h.estate else ""
        building = h.building.strip()
        key = (h.estate_id, building)
        found = grouped[grid.id].get(key)
        if found is None:
            grid_estate = grid.estate.name if grid.estate else ""
            found = grouped[grid.id][key] = Building(_label(building, estate_name, grid_estate))
        found.households.append(
            HouseholdLine(h, mask_phone(h.contact_phone), register.may_see(viewer, h))
        )
    return {gid: list(b.values()) for gid, b in grouped.items()}

"""What the street office downloads of the flood-season registers: counts per community, estate
and kind, never a household's name, address or phone (those stay with the community).

Each builder returns (header, rows) for `alliance.emergency.exports`, in one or two statements.
"""

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from alliance.clock import local_today
from alliance.communities.models import Community, Estate
from alliance.emergency.hazard_models import (
    HAZARD_KIND_LABELS,
    HazardKind,
    HazardPoint,
    NoticeState,
    RectificationNotice,
)
from alliance.emergency.household_models import CATEGORY_LABELS, Household
from alliance.emergency.shelter_models import Shelter, ShelterKind, Transfer
from alliance.emergency.supply_models import Stock, SupplyItem, amount_of
from alliance.extensions import db


def _communities(street_office_id: int):
    return select(Community.id).where(Community.street_office_id == street_office_id)


def hazard_counts(street_office_id: int):
    """Per community, estate and kind: active points, notices not closed, overdue ones."""
    today = local_today()
    open_notices = (
        select(
            RectificationNotice.point_id,
            func.count(RectificationNotice.id).label("open"),
            func.sum(case((RectificationNotice.deadline < today, 1), else_=0)).label("late"),
        )
        .where(RectificationNotice.state != NoticeState.CLOSED)
        .group_by(RectificationNotice.point_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Community.name,
            Estate.name,
            HazardPoint.kind,
            func.count(HazardPoint.id),
            func.coalesce(func.sum(open_notices.c.open), 0),
            func.coalesce(func.sum(open_notices.c.late), 0),
        )
        .select_from(HazardPoint)
        .join(Community, Community.id == HazardPoint.community_id)
        .outerjoin(Estate, Estate.id == HazardPoint.estate_id)
        .outerjoin(open_notices, open_notices.c.point_id == HazardPoint.id)
        .where(
            HazardPoint.community_id.in_(_communities(street_office_id)),
            HazardPoint.retired.is_(False),
        )
        .group_by(Community.id, Community.name, Estate.id, Estate.name, HazardPoint.kind)
        .order_by(Community.id, Estate.id.is_(None), Estate.id, HazardPoint.kind)
    ).all()
    header = [_("社区"), _("小区"), _("类型"), _("隐患点数"), _("未销号整改"), _("逾期")]
    return header, [
        [
            community,
            estate or _("不在小区内"),
            str(HAZARD_KIND_LABELS.get(HazardKind(kind), kind)),
            n,
            int(open_),
            int(late),
        ]
        for community, estate, kind, n, open_, late in rows
    ]


def household_counts(street_office_id: int):
    """Per community and estate: households, people needing help to move, each category."""
    rows = db.session.execute(
        select(Community.name, Estate.name, Household.categories, Household.need_help_moving)
        .select_from(Household)
        .join(Community, Community.id == Household.community_id)
        .join(Estate, Estate.id == Household.estate_id)
        .where(Household.community_id.in_(_communities(street_office_id)))
        .order_by(Community.id, Estate.id)
    ).all()
    kinds = list(CATEGORY_LABELS)
    groups: dict[tuple[str, str], list[int]] = {}
    for community, estate, categories, moving in rows:
        tally = groups.setdefault((community, estate), [0, 0] + [0] * len(kinds))
        tally[0] += 1
        tally[1] += moving
        for code in set(categories.split(",")):
            if code in CATEGORY_LABELS:
                tally[2 + kinds.index(code)] += 1
    header = [_("社区"), _("小区"), _("户数"), _("需协助转移人数")] + [
        str(CATEGORY_LABELS[k]) for k in kinds
    ]
    return header, [[c, e, *tally] for (c, e), tally in groups.items()]


def shelter_counts(street_office_id: int):
    """Per community: shelters, places and people inside now; meal points apart (their capacity
    is meals a day, not beds)."""
    inside = (
        select(Transfer.shelter_id, func.sum(Transfer.people).label("people"))
        .where(Transfer.checked_in_at.is_not(None), Transfer.returned_at.is_(None))
        .group_by(Transfer.shelter_id)
        .subquery()
    )
    stay = Shelter.kind == ShelterKind.SHELTER
    meals = Shelter.kind == ShelterKind.MEAL_POINT
    rows = db.session.execute(
        select(
            Community.name,
            func.count(Shelter.id).filter(stay),
            func.coalesce(func.sum(Shelter.capacity).filter(stay), 0),
            func.coalesce(func.sum(inside.c.people), 0),
            func.count(Shelter.id).filter(meals),
            func.coalesce(func.sum(Shelter.capacity).filter(meals), 0),
        )
        .select_from(Community)
        .outerjoin(Shelter, Shelter.community_id == Community.id)
        .outerjoin(inside, inside.c.shelter_id == Shelter.id)
        .where(Community.street_office_id == street_office_id)
        .group_by(Community.id, Community.name)
        .order_by(Community.id)
    ).all()
    header = [
        _("社区"),
        _("安置点数"),
        _("容纳人数"),
        _("在住"),
        _("供餐点数"),
        _("每天可供餐份数"),
    ]
    return header, [
        [c, n, int(cap), int(now), m, int(portions)] for c, n, cap, now, m, portions in rows
    ]


def supply_counts(street_office_id: int):
    """Per community and item: the stock over all its stores, and the minimum it should hold."""
    rows = db.session.execute(
        select(
            Community.name,
            SupplyItem.name,
            SupplyItem.unit,
            func.coalesce(func.sum(Stock.quantity), 0),
            SupplyItem.minimum_units,
            SupplyItem.scale,
        )
        .select_from(SupplyItem)
        .join(Community, Community.id == SupplyItem.community_id)
        .outerjoin(Stock, and_(Stock.item_id == SupplyItem.id))
        .where(SupplyItem.community_id.in_(_communities(street_office_id)))
        .group_by(
            Community.id,
            Community.name,
            SupplyItem.id,
            SupplyItem.name,
            SupplyItem.unit,
            SupplyItem.minimum_units,
            SupplyItem.scale,
        )
        .order_by(Community.id, SupplyItem.id)
    ).all()
    header = [_("社区"), _("物资"), _("单位"), _("合计"), _("储备下限")]
    # Stock and minimum are stored in steps (hundredths of a m³ for sand): shown in the unit.
    return header, [
        [c, name, unit, amount_of(total, scale), amount_of(minimum, scale)]
        for c, name, unit, total, minimum, scale in rows
    ]


COUNTS = {
    "hazards": hazard_counts,
    "households": household_counts,
    "shelters": shelter_counts,
    "supplies": supply_counts,
}

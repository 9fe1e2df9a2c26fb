"""The register of households that need help first, who may see it, and door-knocking.

Who sees a household's details: the community's secretary, the grid worker of its grid and its
named person responsible and deputy. Everyone else gets counts (the street office) or nothing.
Only the person responsible or the deputy records a visit, and only while a response runs.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from alliance.accounts.models import Role, User
from alliance.communities.models import Community, Estate, Grid
from alliance.db_types import utcnow
from alliance.emergency.household_models import (
    CATEGORY_LABELS,
    NEED_LABELS,
    Household,
    HouseholdVisit,
    VisitResult,
)
from alliance.emergency.roster import find_on_roster
from alliance.emergency.services import EmergencyError, running_in_community
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.validators import normalize_phone

FOLLOW_UP = timedelta(hours=2)


@dataclass
class HouseholdInput:
    head_name: str
    estate_id: int | None
    categories: tuple[str, ...] = ()
    grid_id: int | None = None
    building: str = ""
    unit_no: str = ""
    room: str = ""
    members: int = 1
    need_help_moving: int = 0
    contact_phone: str = ""
    needs: tuple[str, ...] = field(default_factory=tuple)
    responsible: str = ""
    deputy: str = ""
    latitude: float | None = None  # both or neither, for the map
    longitude: float | None = None


def visible_to(user: User):
    """The households `user` may see in detail, as a WHERE clause."""
    if user.has_role(Role.SECRETARY) and user.community_id:
        return Household.community_id == user.community_id
    named = or_(Household.responsible_id == user.id, Household.deputy_id == user.id)
    if user.has_role(Role.GRID_WORKER):
        mine = select(Grid.id).where(Grid.worker_id == user.id)
        return or_(named, Household.grid_id.in_(mine))
    return named


def may_see(user: User, household: Household) -> bool:
    if user.id in (household.responsible_id, household.deputy_id):
        return True
    if user.community_id != household.community_id:
        return False
    if user.has_role(Role.SECRETARY):
        return True
    return (
        user.has_role(Role.GRID_WORKER)
        and household.grid is not None
        and household.grid.worker_id == user.id
    )


def is_named(user: User, household: Household) -> bool:
    return user.id in (household.responsible_id, household.deputy_id)


def create_household(
    community: Community, data: HouseholdInput, *, actor: User | None
) -> Household:
    if actor is not None and not (
        actor.has_role(Role.SECRETARY) and actor.community_id == community.id
    ):
        raise EmergencyError(_l("只有社区书记可以登记重点人群。"), status=403)
    name = (data.head_name or "").strip()
    if not name or len(name) > 40:
        raise EmergencyError(_l("请填写户主姓名（最多 40 字）。"), field="head_name")
    categories = [c for c in data.categories if c]
    if not categories or set(categories) - set(CATEGORY_LABELS):
        raise EmergencyError(_l("请至少选择一个类别。"), field="categories")
    if set(data.needs) - set(NEED_LABELS):
        raise EmergencyError(_l("请从列表中选择需求。"), field="needs")
    estate = db.session.get(Estate, data.estate_id) if data.estate_id else None
    if estate is None or estate.community_id != community.id:
        raise EmergencyError(_l("请选择本社区的小区。"), field="estate_id")
    grid = db.session.get(Grid, data.grid_id) if data.grid_id else None
    if data.grid_id and (grid is None or grid.community_id != community.id):
        raise EmergencyError(_l("请选择本社区的网格。"), field="grid_id")
    if not 1 <= data.members <= 50:
        raise EmergencyError(_l("家庭人数是 1 到 50 人。"), field="members")
    if not 0 <= data.need_help_moving <= data.members:
        raise EmergencyError(
            _l("需要协助转移的人数在 0 到家庭人数之间。"), field="need_help_moving"
        )
    phone = ""
    if (data.contact_phone or "").strip():
        phone = normalize_phone(data.contact_phone)
        if phone is None:
            raise EmergencyError(_l("请填写正确的手机号码。"), field="contact_phone")
    if (data.latitude is None) != (data.longitude is None) or (
        data.latitude is not None
        and not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180)
    ):
        raise EmergencyError(_l("请同时填写正确的纬度和经度，或都不填。"), field="latitude")
    responsible = find_on_roster(community, data.responsible, "responsible")
    deputy = (
        find_on_roster(community, data.deputy, "deputy") if (data.deputy or "").strip() else None
    )
    if deputy is not None and deputy.id == responsible.id:
        raise EmergencyError(_l("副责任人不能与包保责任人是同一人。"), field="deputy")
    household = Household(
        community_id=community.id,
        estate_id=estate.id,
        grid_id=grid.id if grid else None,
        head_name=name,
        categories=",".join(dict.fromkeys(categories)),
        building=(data.building or "").strip()[:20],
        unit_no=(data.unit_no or "").strip()[:20],
        room=(data.room or "").strip()[:20],
        members=data.members,
        need_help_moving=data.need_help_moving,
        contact_phone=phone,
        needs=",".join(dict.fromkeys(data.needs)),
        responsible_id=responsible.id,
        deputy_id=deputy.id if deputy else None,
        latitude=data.latitude,
        longitude=data.longitude,
    )
    db.session.add(household)
    db.session.flush()
    return household


def record_visit(household: Household, *, result: str, reason: str, actor: User) -> HouseholdVisit:
    if not is_named(actor, household):
        raise EmergencyError(
            _l("只有这户的包保责任人或副责任人可以记录敲门走访。"),
            code="not_responsible",
            status=403,
        )
    community = db.session.get(Community, household.community_id)
    response = running_in_community(community.id, community.street_office_id)
    if response is None:
        raise EmergencyError(_l("现在没有应急响应，不需要记录敲门走访。"), status=409)
    if result not in set(VisitResult):
        raise EmergencyError(_l("请选择走访结果。"), field="result")
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise EmergencyError(_l("原因最多 200 字。"), field="reason")
    if result == VisitResult.REFUSED and not reason:
        raise EmergencyError(_l("拒绝转移时请写明原因。"), field="reason")
    now = utcnow()
    visit = HouseholdVisit(
        household_id=household.id,
        community_id=household.community_id,
        response_id=response.id,
        visitor_id=actor.id,
        result=result,
        reason=reason,
        visited_at=now,
        follow_up_due=now + FOLLOW_UP if result == VisitResult.NO_ANSWER else None,
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def households_for(user: User) -> list[Household]:
    return db.session.scalars(
        select(Household)
        .where(visible_to(user))
        .options(
            joinedload(Household.estate),
            joinedload(Household.grid),
            joinedload(Household.responsible),
            joinedload(Household.deputy),
        )
        .order_by(Household.estate_id, Household.id)
    ).all()


def latest_visits(household_ids: list[int], response_id: int) -> dict[int, HouseholdVisit]:
    """The last visit of each household in a response, in one statement."""
    if not household_ids:
        return {}
    last = (
        select(func.max(HouseholdVisit.id))
        .where(HouseholdVisit.response_id == response_id)
        .group_by(HouseholdVisit.household_id)
    )
    return {
        v.household_id: v
        for v in db.session.scalars(
            select(HouseholdVisit).where(
                HouseholdVisit.id.in_(last), HouseholdVisit.household_id.in_(household_ids)
            )
        )
    }


def progress_by_grid(community_id: int, response_id: int) -> list[tuple[str, int, int]]:
    """(grid name, visited, total) for every grid with households, in one statement."""
    visited = (
        select(HouseholdVisit.household_id)
        .where(HouseholdVisit.response_id == response_id)
        .distinct()
    )
    rows = db.session.execute(
        select(
            Grid.name,
            func.count(Household.id),
            func.count(Household.id).filter(Household.id.in_(visited)),
        )
        .select_from(Household)
        .outerjoin(Grid, Grid.id == Household.grid_id)
        .where(Household.community_id == community_id)
        .group_by(Grid.id, Grid.name)
        .order_by(Grid.name)
    ).all()
    return [(name or str(_l("未分网格")), seen, total) for name, total, seen in rows]


def overview_scope(user: User):
    """The households in a door-knocking overview: the secretary's community, or the grids a
    grid worker looks after (not the households merely named to them)."""
    if user.has_role(Role.SECRETARY):
        return Household.community_id == user.community_id
    return Household.grid_id.in_(select(Grid.id).where(Grid.worker_id == user.id))


@dataclass
class KnockingGroup:
    """One person responsible (包保责任人) and their households in a response."""

    person: User | None
    visited: int
    total: int
    # Households still to knock on: never visited, or 无人应答 with the follow-up overdue;
    # each as (household, its latest visit or None).
    waiting: list = field(default_factory=list)

    @property
    def left(self) -> int:
        return self.total - self.visited


def knocking_overview(scope, response_id: int | None, now) -> list[KnockingGroup]:
    """Door-knocking by person responsible: visited / total each, and the households still
    waiting (not visited in the response, or nobody answered and the follow-up is overdue).
    Two statements whatever the size; the people with most left come first."""
    visited_ids = (
        select(HouseholdVisit.household_id)
        .where(HouseholdVisit.response_id == response_id)
        .distinct()
    )
    counted = db.session.execute(
        select(
            Household.responsible_id,
            User,
            func.count(Household.id),
            func.count(Household.id).filter(Household.id.in_(visited_ids)),
        )
        .select_from(Household)
        .outerjoin(User, User.id == Household.responsible_id)
        .where(scope)
        .group_by(Household.responsible_id, User.id)
    ).all()
    groups = {rid: KnockingGroup(person, seen, total) for rid, person, total, seen in counted}
    order = lambda g: (-g.left, g.person.display_name if g.person else "\uffff")  # noqa: E731
    if response_id is None:  # no response running: nothing to knock on yet
        return sorted(groups.values(), key=order)
    latest = (
        select(func.max(HouseholdVisit.id).label("id"))
        .where(HouseholdVisit.response_id == response_id)
        .group_by(HouseholdVisit.household_id)
        .subquery()
    )
    last_visit = select(HouseholdVisit).where(HouseholdVisit.id.in_(select(latest.c.id))).subquery()
    Visit = aliased(HouseholdVisit, last_visit)
    waiting = db.session.execute(
        select(Household, Visit)
        .outerjoin(Visit, Visit.household_id == Household.id)
        .where(
            scope,
            or_(
                Visit.id.is_(None),
                and_(Visit.result == VisitResult.NO_ANSWER, Visit.follow_up_due <= now),
            ),
        )
        .options(joinedload(Household.estate))
        .order_by(Household.estate_id, Household.id)
    ).all()
    for household, visit in waiting:
        if household.responsible_id in groups:
            groups[household.responsible_id].waiting.append((household, visit))
    return sorted(groups.values(), key=order)


def counts_by_community(street_office_id: int) -> list[tuple[str, int, int]]:
    """(community, households, people needing help to move): all a street office sees."""
    return [
        tuple(r)
        for r in db.session.execute(
            select(
                Community.name,
                func.count(Household.id),
                func.coalesce(func.sum(Household.need_help_moving), 0),
            )
            .select_from(Community)
            .outerjoin(Household, and_(Household.community_id == Community.id))
            .where(Community.street_office_id == street_office_id)
            .group_by(Community.id, Community.name)
            .order_by(Community.id)
        )
    ]


def unacknowledged(rows: list[Household], community_id: int) -> set[int]:
    """Households (with an account) that have not answered a warning in force: they go on
    their responsible person's list to be knocked first."""
    from alliance.emergency.alert_models import AlertAck
    from alliance.emergency.alerts import current_for

    residents = {h.resident_id for h in rows if h.resident_id}
    warnings = [a.id for a in current_for(community_id)] if residents else []
    if not warnings:
        return set()
    answered = set(
        db.session.scalars(
            select(AlertAck.user_id).where(
                AlertAck.alert_id.in_(warnings), AlertAck.user_id.in_(residents)
            )
        )
    )
    return {h.id for h in rows if h.resident_id and h.resident_id not in answered}

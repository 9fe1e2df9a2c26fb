"""Shelters and transfers: a shelter refuses people beyond its capacity unless the secretary
overrides; occupancy is the people checked in and not yet returned.

Arrival is checked in at the shelter by the household's code or a volunteer card (or the
button on the list); nobody returns home while the response runs ("人员未经批准不得返回")
unless the secretary records why.
"""

from sqlalchemy import func, or_, select

from alliance.accounts.models import Role, User
from alliance.activities.service_hours import card_holder_from_text
from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.emergency.household_models import Household
from alliance.emergency.services import EmergencyError, running_in_community
from alliance.emergency.shelter_models import CheckInMethod, Shelter, ShelterKind, Transfer
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants import staff as merchant_staff
from alliance.validators import normalize_phone

MAX_PEOPLE = 500


def _staff(actor: User | None, community_id: int) -> bool:
    return actor is None or (
        actor.community_id == community_id and actor.has_role(Role.SECRETARY, Role.GRID_WORKER)
    )


def is_shelter_staff(actor: User | None, shelter: Shelter) -> bool:
    """Who may check people in at this shelter: the community's staff, and the staff of the
    alliance member whose space it is (the hotel's front desk)."""
    if _staff(actor, shelter.community_id):
        return True
    return shelter.merchant_id is not None and merchant_staff.is_staff(actor, shelter.merchant_id)


def create_shelter(
    community: Community,
    *,
    name: str,
    place: str,
    capacity: int,
    contact_phone: str,
    offers: str,
    actor: User | None,
    kind: str = ShelterKind.SHELTER,
    merchant_id: int | None = None,
) -> Shelter:
    if actor is not None and not (
        actor.has_role(Role.SECRETARY) and actor.community_id == community.id
    ):
        raise EmergencyError(_l("只有社区书记可以登记安置点。"), status=403)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise EmergencyError(_l("请填写安置点名称（最多 80 字）。"), field="name")
    if kind not in set(ShelterKind):
        raise EmergencyError(_l("请选择安置点或供餐点。"), field="kind")
    if capacity is None or not 1 <= capacity <= 100000:
        raise EmergencyError(_l("容纳人数是 1 到 100000 的整数。"), field="capacity")
    phone = ""
    if (contact_phone or "").strip():
        phone = normalize_phone(contact_phone)
        if phone is None:
            raise EmergencyError(_l("请填写正确的手机号码。"), field="contact_phone")
    shelter = Shelter(
        community_id=community.id,
        name=name,
        place=(place or "").strip()[:120],
        capacity=capacity,
        contact_phone=phone,
        offers=(offers or "").strip()[:200],
        kind=kind,
        merchant_id=merchant_id,
    )
    db.session.add(shelter)
    db.session.flush()
    return shelter


def _present():
    return (Transfer.checked_in_at.is_not(None)) & (Transfer.returned_at.is_(None))


def occupancy(shelter_ids: list[int]) -> dict[int, int]:
    """People checked in and not returned, per shelter, in one statement."""
    if not shelter_ids:
        return {}
    rows = db.session.execute(
        select(Transfer.shelter_id, func.sum(Transfer.people))
        .where(Transfer.shelter_id.in_(shelter_ids), _present())
        .group_by(Transfer.shelter_id)
    ).all()
    return {sid: int(n) for sid, n in rows}


def _expected(shelter_id: int) -> int:
    """People on the way or inside: every transfer not yet returned."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Transfer.people), 0)).where(
                Transfer.shelter_id == shelter_id, Transfer.returned_at.is_(None)
            )
        )
    )


def transfer(
    shelter: Shelter,
    *,
    people: int,
    from_place: str,
    household_id: int | None,
    override: bool,
    actor: User | None,
) -> Transfer:
    if not _staff(actor, shelter.community_id):
        raise EmergencyError(_l("只有社区书记和网格员可以登记转移。"), status=403)
    if shelter.kind == ShelterKind.MEAL_POINT:
        raise EmergencyError(
            _l("%(name)s是供餐点，不安排住宿，请转移到安置点。", name=shelter.name),
            code="meal_point",
            status=409,
        )
    if people is None or not 1 <= people <= MAX_PEOPLE:
        raise EmergencyError(_l("转移人数是 1 到 500 的整数。"), field="people")
    if household_id is not None:
        household = db.session.get(Household, household_id)
        if household is None or household.community_id != shelter.community_id:
            raise EmergencyError(_l("请选择本社区登记的户。"), field="household_id")
        # Moved from home unless told otherwise: the record says from where.
        from_place = (from_place or "").strip() or household.place
    # Lock the shelter row where the database can, so two transfers cannot both take the last
    # places (SQLite serialises writers anyway).
    db.session.execute(select(Shelter.id).where(Shelter.id == shelter.id).with_for_update()).first()
    full = _expected(shelter.id) + people > shelter.capacity
    if full:
        secretary = actor is None or actor.has_role(Role.SECRETARY)
        if not (override and secretary):
            raise EmergencyError(
                _l(
                    "%(name)s已满（容纳 %(capacity)s 人），只有社区书记可以确认超员安置。",
                    name=shelter.name,
                    capacity=shelter.capacity,
                ),
                code="shelter_full",
                field="people",
                status=409,
            )
    community = db.session.get(Community, shelter.community_id)
    response = running_in_community(community.id, community.street_office_id)
    row = Transfer(
        community_id=shelter.community_id,
        shelter_id=shelter.id,
        response_id=response.id if response else None,
        household_id=household_id,
        people=people,
        from_place=(from_place or "").strip()[:120],
        moved_by_id=actor.id if actor else None,
        over_capacity=full,
    )
    db.session.add(row)
    db.session.flush()
    return row


def check_in(row: Transfer, *, actor: User | None, method: str = CheckInMethod.BUTTON) -> None:
    if not is_shelter_staff(actor, row.shelter):
        raise EmergencyError(_l("只有社区书记、网格员和安置点的工作人员可以登记到达。"), status=403)
    if row.returned_at is not None:
        raise EmergencyError(_l("这次转移已经登记返回了。"), status=409)
    if row.checked_in_at is not None:
        raise EmergencyError(_l("已经登记到达了。"), status=409)
    row.checked_in_at = utcnow()
    row.checked_in_by_id = actor.id if actor else None
    row.check_in_method = method


def _on_the_way(shelter: Shelter):
    return select(Transfer).where(
        Transfer.shelter_id == shelter.id,
        Transfer.checked_in_at.is_(None),
        Transfer.returned_at.is_(None),
    )


def check_in_by_code(shelter: Shelter, text: str, *, actor: User | None) -> list[Transfer]:
    """Arrival by the household's code, or by a volunteer card: the card of a resident whose
    household was moved here, or of the volunteer who brought them. Every transfer of theirs
    still on the way to this shelter is checked in (they arrive together)."""
    if not is_shelter_staff(actor, shelter):
        raise EmergencyError(_l("只有社区书记、网格员和安置点的工作人员可以登记到达。"), status=403)
    value = (text or "").strip()
    if not value:
        raise EmergencyError(_l("请输入户码或扫描志愿者卡。"), field="code")
    household = None
    if len(value) <= 8:
        household = db.session.scalars(
            select(Household).where(
                Household.code == value.upper(), Household.community_id == shelter.community_id
            )
        ).first()
    if household is not None:
        method = CheckInMethod.HOUSEHOLD_CODE
        rows = db.session.scalars(
            _on_the_way(shelter).where(Transfer.household_id == household.id)
        ).all()
        if not rows:
            raise EmergencyError(
                _l(
                    "户码 %(code)s 没有待到达%(name)s的转移记录。",
                    code=household.code,
                    name=shelter.name,
                ),
                code="nothing_on_the_way",
                field="code",
                status=409,
            )
    else:
        try:
            card = card_holder_from_text(value)
        except DomainError as exc:
            raise EmergencyError(
                _l("没有找到这个户码或志愿者卡，请核对后重试。")
                if exc.code == "unknown_card"
                else exc.message,
                code="bad_code",
                field="code",
                status=422 if exc.code == "unknown_card" else exc.status,
            ) from exc
        method = CheckInMethod.CARD
        theirs = select(Household.id).where(Household.resident_id == card.holder_id)
        rows = db.session.scalars(
            _on_the_way(shelter).where(
                or_(Transfer.household_id.in_(theirs), Transfer.moved_by_id == card.holder_id)
            )
        ).all()
        if not rows:
            raise EmergencyError(
                _l("这张卡的持卡人没有待到达%(name)s的转移记录。", name=shelter.name),
                code="nothing_on_the_way",
                field="code",
                status=409,
            )
    for row in rows:
        check_in(row, actor=actor, method=method)
    db.session.flush()
    return list(rows)


def record_return(row: Transfer, *, actor: User | None, override_reason: str = "") -> None:
    """People go home: not while the response runs, unless the secretary says why."""
    if not _staff(actor, row.community_id):
        raise EmergencyError(_l("只有社区书记和网格员可以登记返回。"), status=403)
    if row.returned_at is not None:
        raise EmergencyError(_l("已经登记返回了。"), status=409)
    reason = (override_reason or "").strip()
    community = db.session.get(Community, row.community_id)
    if running_in_community(community.id, community.street_office_id) is not None:
        secretary = actor is None or actor.has_role(Role.SECRETARY)
        if not secretary:
            raise EmergencyError(
                _l("应急响应还没有解除，转移人员暂不返回；确需返回的，请社区书记登记原因。"),
                code="response_running",
                status=409,
            )
        if not reason:
            raise EmergencyError(
                _l("应急响应还没有解除：确需提前返回，请写明原因。"),
                code="response_running",
                field="reason",
                status=409,
            )
        if len(reason) > 200:
            raise EmergencyError(_l("原因最多 200 字。"), field="reason")
        row.return_override_reason = reason
    row.returned_at = utcnow()
    row.returned_by_id = actor.id if actor else None


def figures(community_id: int, response_id: int | None = None) -> dict:
    """people moved, in shelters now, returned."""
    query = select(
        func.coalesce(func.sum(Transfer.people), 0),
        func.coalesce(func.sum(Transfer.people).filter(_present()), 0),
        func.coalesce(func.sum(Transfer.people).filter(Transfer.returned_at.is_not(None)), 0),
    ).where(Transfer.community_id == community_id)
    if response_id is not None:
        query = query.where(Transfer.response_id == response_id)
    moved, inside, returned = db.session.execute(query).one()
    return {
        "people_moved": int(moved),
        "people_in_shelters": int(inside),
        "people_returned": int(returned),
    }

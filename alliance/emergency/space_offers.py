"""Alliance members offer space for a flood: a hotel's rooms as a shelter, a restaurant's meals
as a meal point. The member's staff (or the secretary on its behalf) offer; the secretary
accepts, and the offer becomes a Shelter linked to the member, listed in /emergency/shelters
with the member's name and number. Services flush and never commit.
"""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role, User
from alliance.accounts.services import secretary_ids
from alliance.db_types import utcnow
from alliance.emergency import shelters
from alliance.emergency.services import EmergencyError
from alliance.emergency.shelter_models import OfferStatus, ShelterKind, SpaceOffer
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants import staff as merchant_staff
from alliance.merchants.models import Merchant, MerchantStaff, MerchantStatus
from alliance.notifications.services import notify
from alliance.validators import normalize_phone

MAX_CAPACITY = 100000


def _is_secretary_of(actor: User | None, community_id: int) -> bool:
    return actor is None or (actor.has_role(Role.SECRETARY) and actor.community_id == community_id)


def may_offer_for(actor: User, merchant: Merchant) -> bool:
    return _is_secretary_of(actor, merchant.community_id) or merchant_staff.is_staff(
        actor, merchant
    )


def offer_space(
    merchant: Merchant | None,
    *,
    kind: str,
    capacity,
    offers: str,
    contact_phone: str,
    actor: User | None,
) -> SpaceOffer:
    if merchant is None:
        raise EmergencyError(_l("请选择联盟商户。"), field="merchant_id")
    if actor is not None and not may_offer_for(actor, merchant):
        raise EmergencyError(_l("只有本商户的店员或社区书记可以替商户提供应急场所。"), status=403)
    if merchant.status != MerchantStatus.ACTIVE:
        raise EmergencyError(_l("该商户已暂停或退出联盟，不能提供应急场所。"), field="merchant_id")
    if kind not in set(ShelterKind):
        raise EmergencyError(_l("请选择安置点或供餐点。"), field="kind")
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise EmergencyError(_l("人数或每天份数是 1 到 100000 的整数。"), field="capacity")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise EmergencyError(_l("人数或每天份数是 1 到 100000 的整数。"), field="capacity")
    offers = (offers or "").strip()
    if not offers or len(offers) > 200:
        raise EmergencyError(_l("请写明提供什么（最多 200 字）。"), field="offers")
    phone = normalize_phone(contact_phone or "") if (contact_phone or "").strip() else None
    if phone is None:
        raise EmergencyError(_l("请填写正确的手机号码。"), field="contact_phone")
    row = SpaceOffer(
        community_id=merchant.community_id,
        merchant_id=merchant.id,
        kind=kind,
        capacity=capacity,
        offers=offers,
        contact_phone=phone,
        offered_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    secretaries = secretary_ids(merchant.community_id)
    notify(
        secretaries,
        "emergency.space_offered",
        {"merchant": merchant.name, "kind": kind},
        link="/emergency/space-offers",
        community_id=merchant.community_id,
        skip=actor.id if actor else None,
    )
    return row


def _open(row: SpaceOffer, actor: User | None) -> None:
    if not _is_secretary_of(actor, row.community_id):
        raise EmergencyError(_l("只有社区书记可以确认商户提供的场所。"), status=403)
    if row.status != OfferStatus.OFFERED:
        raise EmergencyError(
            _l("这份提供已经处理过了（%(status)s）。", status=row.status_label),
            code="already_decided",
            status=409,
        )


def _tell_staff(row: SpaceOffer, kind: str, **params) -> None:
    staff = db.session.scalars(
        select(MerchantStaff.user_id).where(MerchantStaff.merchant_id == row.merchant_id)
    ).all()
    notify(
        staff,
        kind,
        {"kind": row.kind, **params},
        link="/emergency/space-offers",
        community_id=row.community_id,
    )


def accept(row: SpaceOffer, *, actor: User | None):
    """The offer becomes a shelter (or meal point) of the community, linked to the member."""
    _open(row, actor)
    merchant = db.session.get(Merchant, row.merchant_id)
    if merchant.status != MerchantStatus.ACTIVE:
        raise EmergencyError(_l("该商户已暂停或退出联盟，不能接受它提供的场所。"), status=409)
    shelter = shelters.create_shelter(
        merchant.community,
        name=merchant.name,
        place=merchant.address or "",
        capacity=row.capacity,
        contact_phone=row.contact_phone,
        offers=row.offers,
        actor=actor,
        kind=row.kind,
        merchant_id=merchant.id,
    )
    row.status = OfferStatus.ACCEPTED
    row.decided_by_id = actor.id if actor else None
    row.decided_at = utcnow()
    row.shelter_id = shelter.id
    db.session.flush()
    _tell_staff(row, "emergency.space_accepted", name=shelter.name)
    return shelter


def decline(row: SpaceOffer, *, reason: str, actor: User | None) -> None:
    _open(row, actor)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise EmergencyError(_l("请写明不接受的原因（最多 200 字）。"), field="reason")
    row.status = OfferStatus.DECLINED
    row.decline_reason = reason
    row.decided_by_id = actor.id if actor else None
    row.decided_at = utcnow()
    db.session.flush()
    _tell_staff(row, "emergency.space_declined", reason=reason)


def offers_for(user: User) -> list[SpaceOffer]:
    """The secretary sees the community's offers; a member's staff see their members' offers."""
    query = select(SpaceOffer).options(joinedload(SpaceOffer.merchant))
    if user.has_role(Role.SECRETARY) and user.community_id:
        query = query.where(SpaceOffer.community_id == user.community_id)
    else:
        query = query.where(SpaceOffer.merchant_id.in_(merchant_staff.staffed_merchant_ids(user)))
    return db.session.scalars(
        query.order_by(SpaceOffer.status != OfferStatus.OFFERED, SpaceOffer.id.desc()).limit(200)
    ).all()

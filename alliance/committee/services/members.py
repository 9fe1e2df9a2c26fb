"""Who sits on the committee: roles, terms, and the liaison officer each member names."""

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from alliance.accounts.models import Role, User
from alliance.committee.models import CommitteeMember, MemberRole
from alliance.committee.services import CommitteeError
from alliance.communities.models import Community
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant

ROLE_ORDER = list(MemberRole)
# One person holds these for the community at a time; naming a new one ends the old term.
SINGLE = (MemberRole.CHAIR, MemberRole.STREET_CONTACT)
FOR_A_MEMBER = (MemberRole.LIAISON, MemberRole.BUSINESS_HEAD)


def committee_of(community_id: int) -> list[CommitteeMember]:
    rows = db.session.scalars(
        select(CommitteeMember)
        .where(CommitteeMember.community_id == community_id, CommitteeMember.active)
        .options(selectinload(CommitteeMember.user), selectinload(CommitteeMember.merchant))
        .order_by(CommitteeMember.id)
    ).all()
    return sorted(rows, key=lambda m: (ROLE_ORDER.index(MemberRole(m.role)), m.id))


def in_office(community_id: int, roles, day: date) -> list[CommitteeMember]:
    """Active members with one of `roles` whose term covers `day`."""
    return list(
        db.session.scalars(
            select(CommitteeMember)
            .where(
                CommitteeMember.community_id == community_id,
                CommitteeMember.active,
                CommitteeMember.role.in_(list(roles)),
                CommitteeMember.term_start <= day,
                or_(CommitteeMember.term_end.is_(None), CommitteeMember.term_end >= day),
            )
            .order_by(CommitteeMember.id)
        )
    )


def liaison_of(merchant_id: int) -> CommitteeMember | None:
    return db.session.scalars(
        select(CommitteeMember).where(
            CommitteeMember.merchant_id == merchant_id,
            CommitteeMember.role == MemberRole.LIAISON,
            CommitteeMember.active,
        )
    ).first()


def liaison_posts(user_id: int) -> list[CommitteeMember]:
    return list(
        db.session.scalars(
            select(CommitteeMember).where(
                CommitteeMember.user_id == user_id,
                CommitteeMember.role == MemberRole.LIAISON,
                CommitteeMember.active,
            )
        )
    )


def _check_person(community: Community, user: User | None, role: str) -> User:
    if user is None:
        raise CommitteeError(
            "person_unknown", _l("没有找到这个人，请核对用户名或手机号。"), 404, "person"
        )
    if role == MemberRole.STREET_CONTACT:
        if not user.has_role(Role.STREET_OFFICER) or (
            user.street_office_id != community.street_office_id
        ):
            raise CommitteeError(
                "not_street_officer", _l("街道联系人须是本街道的街道干部。"), field="person"
            )
        return user
    if user.community_id != community.id:
        raise CommitteeError(
            "other_community",
            _l(
                "%(name)s不是本社区的人，不能担任本社区协调委员会的%(role)s。",
                name=user.display_name,
                role=MemberRole(role).label,
            ),
            field="person",
        )
    return user


def _check_term(term_start: date | None, term_end: date | None) -> None:
    if term_start is None:
        raise CommitteeError("term_start_required", _l("请填写任期开始日期。"), field="term_start")
    if term_end is not None and term_end < term_start:
        raise CommitteeError("term_order", _l("任期结束不能早于开始。"), field="term_end")


def add_member(
    community: Community,
    *,
    user: User | None,
    role: str,
    term_start: date | None,
    term_end: date | None = None,
    merchant: Merchant | None = None,
) -> CommitteeMember:
    if role not in set(MemberRole):
        raise CommitteeError("bad_role", _l("请选择委员会职务。"), field="role")
    _check_term(term_start, term_end)
    person = _check_person(community, user, role)
    if role in FOR_A_MEMBER:
        if merchant is None or merchant.community_id != community.id:
            raise CommitteeError(
                "merchant_required", _l("请选择本社区的联盟商户。"), field="merchant_id"
            )
    else:
        merchant = None
    if role == MemberRole.LIAISON:
        return name_liaison(merchant, person, term_start=term_start, term_end=term_end)
    same = [
        m
        for m in committee_of(community.id)
        if m.role == role
        and (role in SINGLE or m.user_id == person.id)
        and (merchant is None or m.merchant_id == merchant.id)
    ]
    if role not in SINGLE and same:
        raise CommitteeError("already_member", _l("这个人已经担任这个职务。"), 409, "person")
    for old in same:
        _end(old, term_start)
    member = CommitteeMember(
        community_id=community.id,
        user_id=person.id,
        role=role,
        merchant_id=merchant.id if merchant else None,
        term_start=term_start,
        term_end=term_end,
    )
    db.session.add(member)
    db.session.flush()
    return member


def name_liaison(
    merchant: Merchant,
    user: User | None,
    *,
    term_start: date,
    term_end: date | None = None,
) -> CommitteeMember:
    """The member names (or changes) its liaison officer; the previous one's term ends."""
    _check_term(term_start, term_end)
    community = db.session.get(Community, merchant.community_id)
    person = _check_person(community, user, MemberRole.LIAISON)
    current = liaison_of(merchant.id)
    if current is not None and current.user_id == person.id:
        raise CommitteeError(
            "same_liaison",
            _l("%(name)s已经是本店的联络员。", name=person.display_name),
            409,
            "person",
        )
    if current is not None:
        _end(current, term_start)
        db.session.flush()
    member = CommitteeMember(
        community_id=community.id,
        user_id=person.id,
        role=MemberRole.LIAISON,
        merchant_id=merchant.id,
        term_start=term_start,
        term_end=term_end,
    )
    db.session.add(member)
    db.session.flush()
    return member


def _end(member: CommitteeMember, day: date) -> None:
    member.active = False
    member.term_end = max(day, member.term_start)


def end_term(member: CommitteeMember, day: date) -> CommitteeMember:
    if not member.active:
        raise CommitteeError("already_ended", _l("这位委员的任期已经结束。"), 409)
    _end(member, day)
    db.session.flush()
    return member

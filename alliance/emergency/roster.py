"""The emergency roster and party identity (亮身份): who the community already has enrolled, who
declared party membership and shows it on their card, and finding a person on the roster by
name, phone, username or card number."""

from sqlalchemy import case, func, select

from alliance.accounts.models import Role, User, UserRole
from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.emergency.models import PartyMembership, PartyStatus
from alliance.emergency.services import EmergencyError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l

# Who is on the emergency roster: the people the community already has enrolled.
ROSTER_ROLES = (Role.VOLUNTEER, Role.MERCHANT_STAFF, Role.GRID_WORKER, Role.SECRETARY)


def membership_of(user_id: int) -> PartyMembership | None:
    return db.session.scalars(
        select(PartyMembership).where(PartyMembership.user_id == user_id)
    ).first()


def card_party_identity(user_id: int) -> PartyMembership | None:
    """The membership the holder chose to show on their card (亮身份), or None."""
    row = membership_of(user_id)
    return row if row is not None and row.show_on_card else None


def may_declare(user: User) -> bool:
    return bool(user.community_id) and user.has_role(*ROSTER_ROLES)


def declare_membership(
    user: User, *, status: str, branch: str, show_on_card: bool
) -> PartyMembership | None:
    """Record (or, with status "", clear) the person's own party membership."""
    if not may_declare(user):
        raise EmergencyError(_l("志愿者和联盟商户店员可以亮明党员身份。"), status=403)
    row = membership_of(user.id)
    if not status:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        return None
    if status not in set(PartyStatus):
        raise EmergencyError(_l("请选择政治面貌。"), code="bad_status", field="status")
    branch = (branch or "").strip()
    if not branch:
        raise EmergencyError(_l("请填写所在党支部。"), code="missing_branch", field="branch")
    if len(branch) > 80:
        raise EmergencyError(_l("最多 %(n)d 字。", n=80), field="branch")
    if row is None:
        row = PartyMembership(user_id=user.id, community_id=user.community_id)
        db.session.add(row)
    row.status, row.branch, row.show_on_card = status, branch, bool(show_on_card)
    row.updated_at = utcnow()
    db.session.flush()
    return row


def _on_roster(stmt, community_id: int):
    on_roster = select(UserRole.user_id).where(UserRole.role.in_([r.value for r in ROSTER_ROLES]))
    return stmt.outerjoin(PartyMembership, PartyMembership.user_id == User.id).where(
        User.community_id == community_id, User.active, User.id.in_(on_roster)
    )


def roster_query(community_id: int, *, party_only: bool = False):
    """The people of the community's roster, party members first (page it, then
    `memberships_for` the page)."""
    stmt = _on_roster(select(User), community_id)
    if party_only:
        stmt = stmt.where(PartyMembership.id.is_not(None))
    return stmt.order_by(case((PartyMembership.id.is_(None), 1), else_=0), User.id)


def memberships_for(user_ids: list[int]) -> dict[int, PartyMembership]:
    if not user_ids:
        return {}
    return {
        m.user_id: m
        for m in db.session.scalars(
            select(PartyMembership).where(PartyMembership.user_id.in_(user_ids))
        )
    }


def roster_counts(community_id: int) -> tuple[int, int]:
    """(people on the roster, of whom party members or candidates); one statement."""
    stmt = _on_roster(
        select(func.count(User.id), func.count(PartyMembership.id)).select_from(User), community_id
    )
    total, party = db.session.execute(stmt).one()
    return total, party


def find_on_roster(community: Community, identifier: str, field: str) -> User:
    """The person of the community's roster named by name, phone, username or card number."""
    from alliance.dashboard.people import find_person

    found = find_person([community.id], identifier)
    if found.ambiguous:
        raise EmergencyError(
            _l("有多位同名的人，请改填手机号或卡号。"), code="ambiguous", field=field
        )
    user = found.person
    if user is None or user.community_id != community.id or not user.has_role(*ROSTER_ROLES):
        raise EmergencyError(
            _l("本社区名册上没有这个用户名或手机号：%(who)s", who=identifier),
            code="no_such_person",
            field=field,
        )
    return user

"""The switch (平急转换): start, raise, lower and end an emergency response.

Who may: a secretary for their own community; a street officer for the whole street office or
any community under it. Each change is a `ResponseChange` with who, when and why; changes made
by a secretary or street officer are also in the audit log (its mapper hooks see the rows).
One response runs per community and per street office at a time (the `running_key` column is
unique). A community under a street office's response shows the higher of the two levels.
"""

from dataclasses import dataclass
from functools import wraps

from flask import g, has_app_context
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role, User
from alliance.audit.services import acting_as
from alliance.communities.models import Community, StreetOffice
from alliance.db_types import utcnow
from alliance.emergency.models import (
    LEVEL_RANK,
    ChangeAction,
    EmergencyResponse,
    Kind,
    ResponseChange,
    Scope,
)
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l

MAX_REASON = 500
MAX_SUMMARY = 4000


class EmergencyError(DomainError):
    code = "emergency_refused"


@dataclass(frozen=True)
class Target:
    """What a response covers: one community, or a street office and every community under it."""

    community: Community | None = None
    street_office: StreetOffice | None = None

    @property
    def scope(self) -> Scope:
        return Scope.COMMUNITY if self.community is not None else Scope.STREET_OFFICE

    @property
    def street_office_id(self) -> int:
        if self.community is not None:
            return self.community.street_office_id
        return self.street_office.id

    @property
    def running_key(self) -> str:
        if self.community is not None:
            return f"c{self.community.id}"
        return f"s{self.street_office.id}"


def find_target(code: str) -> Target | None:
    """A community code or a street office code (the CLI's CODE)."""
    code = (code or "").strip()[:16]
    community = db.session.scalars(select(Community).where(Community.code == code)).first()
    if community is not None:
        return Target(community=community)
    office = db.session.scalars(select(StreetOffice).where(StreetOffice.code == code)).first()
    return Target(street_office=office) if office is not None else None


def can_manage_target(user: User | None, target: Target) -> bool:
    """None is the operator at the command line, who may do anything."""
    if user is None:
        return True
    if (
        target.community is not None
        and user.has_role(Role.SECRETARY)
        and user.community_id == target.community.id
    ):
        return True
    return bool(
        user.has_role(Role.STREET_OFFICER)
        and user.street_office_id
        and user.street_office_id == target.street_office_id
    )


def can_manage(user: User | None, response: EmergencyResponse) -> bool:
    return can_manage_target(
        user,
        Target(community=response.community)
        if response.community_id
        else Target(street_office=response.street_office),
    )


def visible_responses(user: User):
    """Responses this person may see on the console: their community's own and its street
    office's, or for a street officer everything in their office."""
    stmt = select(EmergencyResponse).options(
        joinedload(EmergencyResponse.community), joinedload(EmergencyResponse.street_office)
    )
    if user.has_role(Role.STREET_OFFICER) and user.street_office_id:
        return stmt.where(EmergencyResponse.street_office_id == user.street_office_id)
    community = user.community
    if community is None:
        return stmt.where(False)
    return stmt.where(_affecting(community.id, community.street_office_id))


def _affecting(community_id: int, street_office_id: int):
    return or_(
        EmergencyResponse.community_id == community_id,
        and_(
            EmergencyResponse.scope == Scope.STREET_OFFICE,
            EmergencyResponse.street_office_id == street_office_id,
        ),
    )


def _level(level: str) -> str:
    value = (level or "").strip().upper()
    if value not in LEVEL_RANK:
        raise EmergencyError(
            _l("响应级别只能是Ⅳ级、Ⅲ级、Ⅱ级或Ⅰ级。"), code="bad_level", field="level"
        )
    return value


def _text(value: str, *, field: str, limit: int, missing) -> str:
    text = (value or "").strip()
    if not text:
        raise EmergencyError(missing, code=f"missing_{field}", field=field)
    if len(text) > limit:
        raise EmergencyError(_l("最多 %(n)d 字。", n=limit), code=f"long_{field}", field=field)
    return text


def _allowed(actor: User | None, target: Target) -> None:
    if not can_manage_target(actor, target):
        raise EmergencyError(_l("您不能指挥这个范围的应急响应。"), code="forbidden", status=403)


def _log(response, action, actor, reason, *, from_level=None, to_level=None, source="web"):
    change = ResponseChange(
        response=response,
        community_id=response.community_id,
        action=action,
        from_level=from_level,
        to_level=to_level,
        reason=reason,
        actor_id=actor.id if actor else None,
        source=source,
        created_at=utcnow(),
    )
    db.session.add(change)
    return change


def _audited(change):
    """Run a change of the switch as its actor, so the audit log names them from every door
    (web, CLI, tests); the rows are flushed inside."""

    @wraps(change)
    def run(*args, actor: User | None, **kwargs):
        with acting_as(actor):
            result = change(*args, actor=actor, **kwargs)
            db.session.flush()
        _forget_cached()
        return result

    return run


def running_for(target: Target) -> EmergencyResponse | None:
    return db.session.scalars(
        select(EmergencyResponse).where(EmergencyResponse.running_key == target.running_key)
    ).first()


@_audited
def start_response(
    target: Target,
    *,
    kind: str,
    level: str,
    reason: str,
    drill: bool,
    actor: User | None,
    source: str = "web",
) -> EmergencyResponse:
    _allowed(actor, target)
    if kind not in set(Kind):
        raise EmergencyError(_l("请选择事件类型。"), code="bad_kind", field="kind")
    level = _level(level)
    reason = _text(reason, field="reason", limit=MAX_REASON, missing=_l("请写明启动的原因。"))
    if running_for(target) is not None:
        raise EmergencyError(
            _l("这里已经有正在运行的应急响应：请调整它的级别，或先终止它。"),
            code="already_running",
            status=409,
        )
    now = utcnow()
    response = EmergencyResponse(
        scope=target.scope,
        community_id=target.community.id if target.community else None,
        community=target.community,
        street_office_id=target.street_office_id,
        kind=kind,
        level=level,
        drill=bool(drill),
        reason=reason,
        started_at=now,
        started_by_id=actor.id if actor else None,
        running_key=target.running_key,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError as exc:  # someone else started one between the check and now
        raise EmergencyError(
            _l("这里已经有正在运行的应急响应：请调整它的级别，或先终止它。"),
            code="already_running",
            status=409,
        ) from exc
    _log(response, ChangeAction.START, actor, reason, to_level=level, source=source)
    return response


@_audited
def change_level(
    response: EmergencyResponse, *, level: str, reason: str, actor: User | None, source="web"
) -> ResponseChange:
    if not can_manage(actor, response):
        raise EmergencyError(_l("您不能指挥这个范围的应急响应。"), code="forbidden", status=403)
    if not response.running:
        raise EmergencyError(_l("这次应急响应已经终止。"), code="not_running", status=409)
    level = _level(level)
    reason = _text(reason, field="reason", limit=MAX_REASON, missing=_l("请写明调整的原因。"))
    if level == response.level:
        raise EmergencyError(_l("已经是这个级别了。"), code="same_level", field="level")
    action = (
        ChangeAction.RAISE if LEVEL_RANK[level] > LEVEL_RANK[response.level] else ChangeAction.LOWER
    )
    change = _log(
        response, action, actor, reason, from_level=response.level, to_level=level, source=source
    )
    response.level = level
    return change


@_audited
def end_response(
    response: EmergencyResponse, *, summary: str, actor: User | None, source="web"
) -> ResponseChange:
    if not can_manage(actor, response):
        raise EmergencyError(_l("您不能指挥这个范围的应急响应。"), code="forbidden", status=403)
    if not response.running:
        raise EmergencyError(_l("这次应急响应已经终止。"), code="not_running", status=409)
    summary = _text(
        summary, field="summary", limit=MAX_SUMMARY, missing=_l("终止应急响应请填写总结。")
    )
    now = utcnow()
    response.ended_at = now
    response.ended_by_id = actor.id if actor else None
    response.summary = summary
    response.running_key = None
    change = _log(
        response, ChangeAction.END, actor, summary, from_level=response.level, source=source
    )
    return change


def _highest(rows):
    return max(rows, key=lambda r: (LEVEL_RANK[r.level], r.started_at), default=None)


# Built once: every signed-in page asks (the banner), and building it cost more than running it.
_RUNNING_IN_COMMUNITY = select(EmergencyResponse).where(
    EmergencyResponse.running_key.is_not(None),
    _affecting(bindparam("community_id"), bindparam("street_office_id")),
)


def running_in_community(community_id: int, street_office_id: int) -> EmergencyResponse | None:
    """The highest running response that covers a community (its own or its office's)."""
    params = {"community_id": community_id, "street_office_id": street_office_id}
    return _highest(db.session.scalars(_RUNNING_IN_COMMUNITY, params).all())


def running_clause(community_id: int):
    """EXISTS a running response covering the community: a clause for other statements."""
    office = select(Community.street_office_id).where(Community.id == community_id)
    return (
        select(EmergencyResponse.id)
        .where(
            EmergencyResponse.running_key.is_not(None),
            _affecting(community_id, office.scalar_subquery()),
        )
        .exists()
    )


def banner_clause(user_entity):
    """EXISTS the response a person's banner would show (see banner_for), correlated with a
    statement that loads users: the login loader asks it with the user, so in normal times
    the banner costs no statement of its own."""
    office = (
        select(Community.street_office_id)
        .where(Community.id == user_entity.community_id)
        .correlate_except(Community)  # the loaded user's row, two levels up
        .scalar_subquery()
    )
    return (
        select(EmergencyResponse.id)
        .where(
            EmergencyResponse.running_key.is_not(None),
            or_(
                and_(
                    user_entity.community_id.is_not(None),
                    _affecting(user_entity.community_id, office),
                ),
                and_(
                    user_entity.community_id.is_(None),
                    EmergencyResponse.street_office_id == user_entity.street_office_id,
                ),
            ),
        )
        .exists()
    )


def is_running_in(community: Community) -> bool:
    return running_in_community(community.id, community.street_office_id) is not None


def _forget_cached() -> None:
    if has_app_context():
        g.pop("emergency_banner", None)


def banner_for(user) -> EmergencyResponse | None:
    """The response a signed-in person's pages announce; one statement, once per request.

    A street officer sees the highest running response anywhere in their office; everyone
    else that of their community. Visitors who are not signed in see none.
    """
    if "emergency_banner" in g:
        return g.emergency_banner
    found = None
    # False when the login loader found none (banner_clause): nothing to look up.
    if (
        user is not None
        and user.is_authenticated
        and user.__dict__.get("emergency_running") is not False
    ):
        community = user.community
        if community is not None:
            found = running_in_community(community.id, community.street_office_id)
        elif user.street_office_id:
            found = _highest(
                db.session.scalars(
                    select(EmergencyResponse).where(
                        EmergencyResponse.running_key.is_not(None),
                        EmergencyResponse.street_office_id == user.street_office_id,
                    )
                ).all()
            )
    g.emergency_banner = found
    return found


def public_query(*, active_only: bool):
    stmt = select(EmergencyResponse).options(
        joinedload(EmergencyResponse.community), joinedload(EmergencyResponse.street_office)
    )
    if active_only:
        stmt = stmt.where(EmergencyResponse.running_key.is_not(None))
    return stmt.order_by(EmergencyResponse.started_at.desc(), EmergencyResponse.id.desc())


def public_row(response: EmergencyResponse) -> dict:
    return {
        "id": response.id,
        "scope": response.scope,
        "code": response.code,
        "kind": response.kind,
        "level": response.level,
        "drill": response.drill,
        "started_at": response.started_at.isoformat(),
        "ended_at": response.ended_at.isoformat() if response.ended_at else None,
    }


def history(response: EmergencyResponse) -> list[ResponseChange]:
    return list(
        db.session.scalars(
            select(ResponseChange)
            .where(ResponseChange.response_id == response.id)
            .options(joinedload(ResponseChange.actor))
            .order_by(ResponseChange.id)
        )
    )

"""The order's life: ONE table decides every transition, who may make it, and what it changes.

    (from state, action) -> (to state, roles allowed)

A role is the person's relation to this order (requester, the community's secretary, the street
officer of its street office, the provider it is dispatched to). A pair missing from the table
is a WrongState (409); a pair present but not for this person's roles is NotAllowed (403).

The row carries a version column (SQLAlchemy's version_id_col): the UPDATE is
`... WHERE id = :id AND version = :seen`, so a replayed or concurrent transition that read an
older state finds no row, raises Conflict (409) and changes nothing.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from alliance.accounts.models import Role, User, UserRole
from alliance.accounts.services import secretary_ids
from alliance.co_building.models import CoBuildingUnit, ProviderKind
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.help_requests.models import (
    HelpRequest,
    HelpRequestEvent,
    State,
)
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant, MerchantStaff
from alliance.merchants.staff import is_staff
from alliance.notifications.kinds import register_kind
from alliance.notifications.services import notify
from alliance.volunteers.models import VolunteerProfile


class WorkflowError(DomainError):
    """A step of an order's workflow was refused."""

    code = "workflow_refused"
    status = 400


class WrongState(WorkflowError):
    code = "wrong_state"
    status = 409


class Conflict(WorkflowError):
    code = "conflict"
    status = 409


class NotAllowed(WorkflowError):
    code = "not_allowed"
    status = 403


class InvalidInput(WorkflowError):
    code = "invalid_input"
    status = 400


register_kind(
    "order.recalled",
    label=_l("工单已改派或撤回"),
    title=_l("工单“%(title)s”已由社区改派或撤回，您不用再接这一单"),
    urgent=True,
)

REQUESTER, SECRETARY, STREET, PROVIDER = "requester", "secretary", "street", "provider"
ROLES = (REQUESTER, SECRETARY, STREET, PROVIDER)

S = State
TRANSITIONS: dict[tuple[State, str], tuple[State, frozenset[str]]] = {
    (S.SUBMITTED, "dispatch"): (S.DISPATCHED, frozenset({SECRETARY})),
    (S.SUBMITTED, "cancel"): (S.CANCELLED, frozenset({REQUESTER})),
    (S.SUBMITTED, "escalate"): (S.ESCALATED, frozenset({SECRETARY})),
    (S.DISPATCHED, "accept"): (S.ACCEPTED, frozenset({PROVIDER})),
    (S.DISPATCHED, "decline"): (S.SUBMITTED, frozenset({PROVIDER})),
    (S.DISPATCHED, "cancel"): (S.CANCELLED, frozenset({REQUESTER})),
    # Before it is accepted the secretary may give it to someone else or take it back.
    (S.DISPATCHED, "reassign"): (S.DISPATCHED, frozenset({SECRETARY})),
    (S.DISPATCHED, "recall"): (S.SUBMITTED, frozenset({SECRETARY})),
    (S.DISPATCHED, "escalate"): (S.ESCALATED, frozenset({SECRETARY})),
    (S.ACCEPTED, "start"): (S.IN_PROGRESS, frozenset({PROVIDER})),
    (S.ACCEPTED, "escalate"): (S.ESCALATED, frozenset({SECRETARY})),
    (S.IN_PROGRESS, "finish"): (S.DONE, frozenset({PROVIDER})),
    (S.IN_PROGRESS, "escalate"): (S.ESCALATED, frozenset({SECRETARY})),
    (S.ESCALATED, "assign_unit"): (S.IN_PROGRESS, frozenset({STREET})),
    (S.ESCALATED, "resolve"): (S.DONE, frozenset({STREET})),
    (S.ESCALATED, "return"): (S.SUBMITTED, frozenset({STREET})),
    (S.DONE, "review"): (S.REVIEWED, frozenset({REQUESTER})),
    # Orders nobody can review (an Open311 report made with a community key) close from done.
    (S.DONE, "close"): (S.CLOSED, frozenset({SECRETARY, STREET})),
    (S.REVIEWED, "close"): (S.CLOSED, frozenset({SECRETARY, STREET})),
}
ACTIONS = tuple(dict.fromkeys(action for _state, action in TRANSITIONS))

ACTION_LABELS = {
    "submit": _l("提交需求"),
    "dispatch": _l("派单"),
    "reassign": _l("改派"),
    "recall": _l("撤回派单"),
    "accept": _l("接单"),
    "decline": _l("退单"),
    "start": _l("开始办理"),
    "finish": _l("办结"),
    "review": _l("评价"),
    "close": _l("关闭"),
    "cancel": _l("撤销"),
    "escalate": _l("上报街道"),
    "assign_unit": _l("指派共建单位"),
    "resolve": _l("街道办结"),
    "return": _l("退回社区"),
}
# Actions that must say why.
NOTE_REQUIRED = {
    "decline": _l("请填写退单原因。"),
    "escalate": _l("请填写上报原因。"),
    "return": _l("请填写退回说明。"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


# --- who is who ------------------------------------------------------------------------------


def _is_secretary(user: User, order: HelpRequest) -> bool:
    return user.has_role(Role.SECRETARY) and user.community_id == order.community_id


def _is_street(user: User, order: HelpRequest) -> bool:
    return bool(
        user.has_role(Role.STREET_OFFICER)
        and user.street_office_id
        and order.community.street_office_id == user.street_office_id
    )


def is_provider(user: User, order: HelpRequest) -> bool:
    """Acts for the provider: the member's staff, the volunteer, the grid worker it was
    dispatched to, or (for a co-building unit, which has no accounts) the secretary and street
    officer who record its work."""
    if order.provider_kind == ProviderKind.MERCHANT and order.provider_merchant_id:
        return is_staff(user, order.provider_merchant_id)
    if order.provider_kind == ProviderKind.VOLUNTEER and order.provider_volunteer:
        return order.provider_volunteer.user_id == user.id
    if order.provider_kind == ProviderKind.UNIT and order.provider_unit_id:
        return _is_secretary(user, order) or _is_street(user, order)
    if order.provider_kind == ProviderKind.GRID_WORKER and order.provider_user_id:
        return order.provider_user_id == user.id and user.has_role(Role.GRID_WORKER)
    return False


def roles_for(user: User, order: HelpRequest) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    roles = set()
    if order.requester_id is not None and order.requester_id == user.id:
        roles.add(REQUESTER)
    if _is_secretary(user, order):
        roles.add(SECRETARY)
    if _is_street(user, order):
        roles.add(STREET)
    if order.provider_kind and is_provider(user, order):
        roles.add(PROVIDER)
    return frozenset(roles)


def can_see(user: User, order: HelpRequest) -> bool:
    if roles_for(user, order):
        return True
    # Grid workers coordinate their community's needs.
    return user.has_role(Role.GRID_WORKER) and user.community_id == order.community_id


def available_actions(user: User, order: HelpRequest, roles=None) -> list[str]:
    roles = roles_for(user, order) if roles is None else roles
    return [
        action
        for (state, action), (_to, allowed) in TRANSITIONS.items()
        if state == order.state and roles & allowed
    ]


# --- who hears about it ---------------------------------------------------------------------


def street_officer_ids(street_office_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                User.street_office_id == street_office_id,
                UserRole.role == Role.STREET_OFFICER,
                User.active,
            )
        )
    )


def provider_user_ids(order: HelpRequest) -> list[int]:
    if order.provider_kind == ProviderKind.MERCHANT and order.provider_merchant_id:
        return list(
            db.session.scalars(
                select(MerchantStaff.user_id).where(
                    MerchantStaff.merchant_id == order.provider_merchant_id
                )
            )
        )
    if order.provider_kind == ProviderKind.VOLUNTEER and order.provider_volunteer:
        return [order.provider_volunteer.user_id]
    if order.provider_kind == ProviderKind.GRID_WORKER and order.provider_user_id:
        return [order.provider_user_id]
    return []


# --- the one door --------------------------------------------------------------------------


@dataclass
class Provider:
    kind: str
    id: int


def _resolve_provider(order: HelpRequest, provider: Provider | None, *, units_only=False):
    if provider is None:
        raise InvalidInput(_l("请选择接单方。"))
    kind = provider.kind
    if units_only and kind != ProviderKind.UNIT:
        raise InvalidInput(_l("请选择共建单位。"))
    if kind == ProviderKind.MERCHANT:
        row = db.session.get(Merchant, provider.id)
        ok = row is not None and row.community_id == order.community_id and row.is_active
    elif kind == ProviderKind.VOLUNTEER:
        row = db.session.get(VolunteerProfile, provider.id)
        ok = row is not None and row.community_id == order.community_id and row.is_active
    elif kind == ProviderKind.UNIT:
        row = db.session.get(CoBuildingUnit, provider.id)
        ok = (
            row is not None
            and row.active
            and row.street_office_id == order.community.street_office_id
        )
    elif kind == ProviderKind.GRID_WORKER:
        # A grid worker takes only the orders of a grid they look after.
        from alliance.grid.membership import grid_of_order  # the grid domain sits above

        row = db.session.get(User, provider.id)
        grid = grid_of_order(order)
        ok = (
            row is not None
            and row.active
            and row.community_id == order.community_id
            and row.has_role(Role.GRID_WORKER)
            and grid is not None
            and grid.worker_id == row.id
        )
    else:
        ok = False
    if not ok:
        raise InvalidInput(_l("找不到这个接单方，或它不能接这个社区的单。"))
    return kind, row


def provider_name(order: HelpRequest, provider: Provider | None) -> str | None:
    """The name of a provider this order may go to, or None (the transition then says why)."""
    try:
        _kind, row = _resolve_provider(order, provider)
    except InvalidInput:
        return None
    if isinstance(row, User):
        return str(_l("网格员 %(name)s", name=row.display_name))
    return row.name


def provider_key(order: HelpRequest) -> str:
    """ "merchant:3" for the order's provider now ("" for none), as the dispatch form posts it."""
    provider_id = _provider_id(order)
    return f"{order.provider_kind}:{provider_id}" if provider_id else ""


def _provider_id(order: HelpRequest) -> int | None:
    return {
        ProviderKind.MERCHANT: order.provider_merchant_id,
        ProviderKind.VOLUNTEER: order.provider_volunteer_id,
        ProviderKind.UNIT: order.provider_unit_id,
        ProviderKind.GRID_WORKER: order.provider_user_id,
    }.get(order.provider_kind)


def _set_provider(order: HelpRequest, kind: str | None, row=None) -> None:
    order.provider_kind = kind
    order.provider_merchant_id = row.id if kind == ProviderKind.MERCHANT else None
    order.provider_volunteer_id = row.id if kind == ProviderKind.VOLUNTEER else None
    order.provider_unit_id = row.id if kind == ProviderKind.UNIT else None
    order.provider_user_id = row.id if kind == ProviderKind.GRID_WORKER else None
    # Keep the relationships in step for the rest of this request.
    order.provider_merchant = row if kind == ProviderKind.MERCHANT else None
    order.provider_volunteer = row if kind == ProviderKind.VOLUNTEER else None
    order.provider_unit = row if kind == ProviderKind.UNIT else None
    order.provider_user = row if kind == ProviderKind.GRID_WORKER else None


def transition(
    order: HelpRequest,
    action: str,
    actor: User,
    *,
    note: str = "",
    expected_version: int | None = None,
    provider: Provider | None = None,
    rating: int | None = None,
) -> HelpRequestEvent:
    """Apply `action` to `order` as `actor`, or raise and change nothing. Flushes, never commits."""
    from_state = State(order.state)
    entry = TRANSITIONS.get((from_state, action))
    if entry is None:
        raise WrongState(
            _l(
                "工单当前状态为「%(state)s」，不能%(action)s。",
                state=from_state.label,
                action=action_label(action),
            )
        )
    to_state, allowed = entry
    if not roles_for(actor, order) & allowed:
        raise NotAllowed(_l("您不能对这个工单%(action)s。", action=action_label(action)))
    if expected_version is not None and expected_version != order.version:
        raise Conflict(_l("工单已被其他人更新，请刷新后再试。"))
    note = (note or "").strip()
    if len(note) > 500:
        raise InvalidInput(_l("说明不能超过 500 字。"))
    if action in NOTE_REQUIRED and not note:
        raise InvalidInput(NOTE_REQUIRED[action])

    now = utcnow()
    old_provider_users = provider_user_ids(order)
    if action in ("dispatch", "reassign"):
        kind, row = _resolve_provider(order, provider)
        if action == "reassign" and (kind, row.id) == (order.provider_kind, _provider_id(order)):
            raise InvalidInput(_l("已经派给这一方了，请选择另一个接单方。"))
        _set_provider(order, kind, row)
        if order.first_dispatched_at is None:
            order.first_dispatched_at = now
    elif action == "recall":
        _set_provider(order, None)
    elif action == "assign_unit":
        kind, row = _resolve_provider(order, provider, units_only=True)
        _set_provider(order, kind, row)
    elif action in ("decline", "escalate"):
        _set_provider(order, None)
        if action == "escalate":
            order.escalated = True
            order.escalation_reason = note
    elif action == "return":
        order.escalated = False
        _set_provider(order, None)
    elif action == "review":
        if rating is None or not 1 <= int(rating) <= 5:
            raise InvalidInput(_l("请给出 1 到 5 星的评分。"))
        order.rating = int(rating)
        order.review_comment = note
    if to_state == State.DONE:
        order.resolved_at = now
    if to_state == State.CLOSED:
        order.closed_at = now
    if action == "resolve":
        order.escalated = True
    if note:
        order.last_note = note
    order.state = to_state
    order.updated_at = now
    event = HelpRequestEvent(
        help_request=order,
        community_id=order.community_id,
        actor_id=actor.id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        created_at=now,
    )
    db.session.add(event)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict(_l("工单已被其他人更新，请刷新后再试。")) from exc
    _notify(order, action, actor, old_provider_users)
    return event


def record_submission(order: HelpRequest, actor: User | None) -> HelpRequestEvent:
    event = HelpRequestEvent(
        help_request=order,
        community_id=order.community_id,
        actor_id=actor.id if actor else None,
        action="submit",
        from_state=None,
        to_state=State.SUBMITTED,
        note=f"{order.on_behalf_name}" if order.on_behalf_name else "",
        created_at=order.submitted_at,
    )
    db.session.add(event)
    notify(
        secretary_ids(order.community_id),
        "order.submitted",
        {"title": order.title},
        link=f"/requests/{order.id}",
        community_id=order.community_id,
        skip=actor.id if actor else None,
    )
    return event


# Actions with words of their own for the person they concern most; other steps and other people
# get the generic "order.step".
_OWN_KIND = {
    "dispatch": ("order.dispatched", "providers"),
    "reassign": ("order.dispatched", "providers"),
    "accept": ("order.accepted", "requester"),
    "finish": ("order.finished", "requester"),
    "return": ("order.returned", "secretaries"),
    "escalate": ("order.escalated", "street"),
}


def _notify(order: HelpRequest, action: str, actor: User, old_provider_users: list[int]):
    secretaries = secretary_ids(order.community_id)
    providers = provider_user_ids(order)
    requester = [order.requester_id]
    street = street_officer_ids(order.community.street_office_id) if action == "escalate" else []
    groups = {
        "providers": providers,
        "requester": requester,
        "secretaries": secretaries,
        "street": street,
    }
    audience = {
        "dispatch": providers + requester,
        "reassign": providers + requester,
        "recall": requester,
        "accept": requester,
        "start": requester,
        "finish": requester + secretaries,
        "decline": secretaries + requester,
        "cancel": secretaries + old_provider_users,
        "escalate": street + requester + old_provider_users,
        "assign_unit": requester + secretaries,
        "resolve": requester + secretaries,
        "return": secretaries,
        "review": old_provider_users + secretaries,
        "close": requester,
    }.get(action, [])
    params = {
        "title": order.title,
        "action": action,
        "note": order.last_note if action != "review" else "",
    }
    common = dict(link=f"/requests/{order.id}", community_id=order.community_id, skip=actor.id)
    own = _OWN_KIND.get(action)
    told = set()
    if own:
        kind, group = own
        told = set(groups[group])
        notify(told, kind, params, **common)
    if action in ("reassign", "recall"):
        # The first provider is told the order is no longer theirs.
        taken_back = [uid for uid in old_provider_users if uid not in set(providers)]
        notify(taken_back, "order.recalled", params, **common)
        told |= set(taken_back)
    notify([uid for uid in audience if uid not in told], "order.step", params, **common)

"""Hazard points, inspection rounds, checks and rectification notices (隐患排查, 逐一销号).

Rules: a point belongs to one community and has one named person responsible; a round assigns
every active point to an inspector (the grid worker of its grid, else the named inspector); the
inspector records 正常 or 发现隐患, and 发现隐患 opens a numbered notice by itself. The person
responsible for the notice reports the work done; the re-checker, never that person, passes it
(销号) or sends it back. Figures are counted from the rows, never typed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role, User
from alliance.clock import local_start, local_today
from alliance.communities.models import Community, Estate, Grid
from alliance.db_types import utcnow
from alliance.emergency import hazard_photos
from alliance.emergency.hazard_models import (
    CheckResult,
    HazardCheck,
    HazardKind,
    HazardPoint,
    InspectionRound,
    NoticeState,
    RectificationNotice,
)
from alliance.emergency.roster import find_on_roster
from alliance.emergency.services import EmergencyError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.notifications.services import notify

DEFAULT_DAYS_TO_FIX = 7
MAX_NOTE = 500


@dataclass
class PointInput:
    kind: str
    name: str
    estate_id: int | None = None
    grid_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    responsible: str = ""
    check_every_days: int = 7
    description: str = ""


def is_secretary_of(user: User | None, community_id: int) -> bool:
    return user is None or (user.has_role(Role.SECRETARY) and user.community_id == community_id)


def is_staff_of(user: User | None, community_id: int) -> bool:
    return user is None or (
        user.community_id == community_id and user.has_role(Role.SECRETARY, Role.GRID_WORKER)
    )


def _must_be_secretary(actor, community_id):
    if not is_secretary_of(actor, community_id):
        raise EmergencyError(_l("只有社区书记可以这样做。"), status=403)


def _place(community: Community, data: PointInput) -> tuple[int | None, int | None]:
    estate_id = grid_id = None
    if data.estate_id is not None:
        estate = db.session.get(Estate, data.estate_id)
        if estate is None or estate.community_id != community.id:
            raise EmergencyError(_l("请选择本社区的小区。"), field="estate_id")
        estate_id = estate.id
    if data.grid_id is not None:
        grid = db.session.get(Grid, data.grid_id)
        if grid is None or grid.community_id != community.id:
            raise EmergencyError(_l("请选择本社区的网格。"), field="grid_id")
        grid_id = grid.id
        estate_id = estate_id or grid.estate_id
    return estate_id, grid_id


def _location(data: PointInput) -> tuple[float | None, float | None]:
    lat, lon = data.latitude, data.longitude
    if (lat is None) != (lon is None):
        raise EmergencyError(_l("纬度和经度要一起填写，或都不填。"), field="latitude")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise EmergencyError(
            _l("纬度在 -90 到 90 之间，经度在 -180 到 180 之间。"), field="latitude"
        )
    return lat, lon


def _validated(community: Community, data: PointInput) -> dict:
    """The point's columns from the input, or the first rule it breaks."""
    if data.kind not in set(HazardKind):
        raise EmergencyError(_l("请选择隐患点类型。"), field="kind")
    name = (data.name or "").strip()
    if not name or len(name) > 80:
        raise EmergencyError(_l("请填写隐患点名称（最多 80 字）。"), field="name")
    if not 1 <= (data.check_every_days or 0) <= 365:
        raise EmergencyError(_l("汛期检查间隔是 1 到 365 天。"), field="check_every_days")
    estate_id, grid_id = _place(community, data)
    lat, lon = _location(data)
    person = (
        find_on_roster(community, data.responsible, "responsible")
        if (data.responsible or "").strip()
        else None
    )
    return dict(
        kind=data.kind,
        name=name,
        estate_id=estate_id,
        grid_id=grid_id,
        latitude=lat,
        longitude=lon,
        responsible_id=person.id if person else None,
        check_every_days=data.check_every_days,
        description=(data.description or "").strip()[:2000],
    )


def _flush_unique(name: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise EmergencyError(
            _l("本社区已有同名的隐患点：%(name)s", name=name), field="name", status=409
        ) from None


def create_point(community: Community, data: PointInput, *, actor: User | None) -> HazardPoint:
    _must_be_secretary(actor, community.id)
    point = HazardPoint(community_id=community.id, **_validated(community, data))
    db.session.add(point)
    _flush_unique(point.name)
    return point


def update_point(point: HazardPoint, data: PointInput, *, actor: User | None) -> None:
    """The secretary changes any of the point's fields (the audit log keeps before and after)."""
    _must_be_secretary(actor, point.community_id)
    if point.retired:
        raise EmergencyError(_l("已停用的隐患点不能再修改。"), status=409)
    values = _validated(db.session.get(Community, point.community_id), data)
    for key, value in values.items():
        setattr(point, key, value)
    _flush_unique(point.name)


def retire_point(point: HazardPoint, *, reason: str, actor: User | None) -> int:
    """停用/撤销 with a reason: the point leaves the rounds still open (its unchecked checks go)
    and the map; its checks and notices stay in its history. Returns the checks withdrawn."""
    _must_be_secretary(actor, point.community_id)
    if point.retired:
        raise EmergencyError(_l("这个隐患点已经停用了。"), status=409)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise EmergencyError(_l("请写明停用原因（最多 200 字）。"), field="reason")
    point.retired = True
    point.retired_reason = reason
    point.retired_at = utcnow()
    pending = db.session.scalars(
        select(HazardCheck).where(HazardCheck.point_id == point.id, HazardCheck.result.is_(None))
    ).all()
    for check in pending:
        db.session.delete(check)
    db.session.flush()
    return len(pending)


def points_of(community_id: int) -> list[HazardPoint]:
    return db.session.scalars(
        select(HazardPoint)
        .where(HazardPoint.community_id == community_id)
        .options(
            joinedload(HazardPoint.estate),
            joinedload(HazardPoint.grid),
            joinedload(HazardPoint.responsible),
        )
        .order_by(HazardPoint.retired, HazardPoint.id)
    ).all()


def start_round(
    community: Community, *, name: str, inspector: str, actor: User | None
) -> InspectionRound:
    """Assign every active point: to its grid's worker, else to the named inspector."""
    _must_be_secretary(actor, community.id)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise EmergencyError(_l("请填写排查名称（最多 80 字）。"), field="name")
    fallback = find_on_roster(community, inspector, "inspector") if inspector.strip() else None
    rows = db.session.execute(
        select(HazardPoint.id, Grid.worker_id)
        .outerjoin(Grid, Grid.id == HazardPoint.grid_id)
        .where(HazardPoint.community_id == community.id, HazardPoint.retired.is_(False))
        .order_by(HazardPoint.id)
    ).all()
    if not rows:
        raise EmergencyError(_l("还没有隐患点，无法开始排查。"), field="name")
    unassigned = [pid for pid, worker in rows if worker is None]
    if unassigned and fallback is None:
        raise EmergencyError(
            _l("%(n)s 个隐患点不在有网格员的网格里，请填写排查人。", n=len(unassigned)),
            field="inspector",
        )
    found = InspectionRound(
        community_id=community.id, name=name, created_by_id=actor.id if actor else None
    )
    db.session.add(found)
    db.session.flush()
    db.session.execute(
        HazardCheck.__table__.insert(),
        [
            {
                "round_id": found.id,
                "point_id": pid,
                "community_id": community.id,
                "inspector_id": worker or fallback.id,
                "note": "",
            }
            for pid, worker in rows
        ],
    )
    return found


def progress_by_inspector(round_id: int) -> list[tuple[User, int, int]]:
    """(inspector, checked, total) of one round, by name, in one statement."""
    rows = db.session.execute(
        select(User, func.count(HazardCheck.result), func.count(HazardCheck.id))
        .join(HazardCheck, HazardCheck.inspector_id == User.id)
        .where(HazardCheck.round_id == round_id)
        .group_by(User.id)
        .order_by(User.display_name, User.id)
    ).all()
    return [tuple(r) for r in rows]


def can_record(user: User | None, check: HazardCheck) -> bool:
    return (
        user is None or user.id == check.inspector_id or is_secretary_of(user, check.community_id)
    )


def _next_number(community_id: int, year: int) -> str:
    prefix = f"ZG{year}-"
    count = db.session.scalar(
        select(func.count(RectificationNotice.id)).where(
            RectificationNotice.community_id == community_id,
            RectificationNotice.number.like(f"{prefix}%"),
        )
    )
    return f"{prefix}{count + 1:04d}"


def record_check(
    check: HazardCheck,
    *,
    result: str,
    note: str,
    actor: User | None,
    photos: Sequence[bytes] = (),
) -> RectificationNotice | None:
    """正常 or 发现隐患 (with what was found); a hazard opens its notice by itself."""
    if not can_record(actor, check):
        raise EmergencyError(_l("这个隐患点不是分配给你的。"), status=403)
    if result not in set(CheckResult):
        raise EmergencyError(_l("请选择“正常”或“发现隐患”。"), field="result")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise EmergencyError(_l("说明最多 500 字。"), field="note")
    if result == CheckResult.FOUND and not note:
        raise EmergencyError(_l("发现隐患时请写明隐患情况。"), field="note")
    if check.result is not None:
        raise EmergencyError(_l("这个隐患点本轮已经检查过了。"), status=409)
    check.result = result
    check.note = note
    check.checked_at = utcnow()
    check.checked_by_id = actor.id if actor else None
    if photos:
        hazard_photos.attach(check, list(photos), actor=actor)
    if result != CheckResult.FOUND:
        return None
    point = check.point
    today = local_today()
    notice = RectificationNotice(
        community_id=check.community_id,
        number=_next_number(check.community_id, today.year),
        point_id=point.id,
        check_id=check.id,
        round_id=check.round_id,
        hazard=note,
        measure="",
        responsible_id=point.responsible_id,
        deadline=today + timedelta(days=DEFAULT_DAYS_TO_FIX),
        state=NoticeState.OPEN,
    )
    db.session.add(notice)
    db.session.flush()
    _tell_responsible(notice, point)
    return notice


def _tell_responsible(notice: RectificationNotice, point: HazardPoint) -> None:
    if notice.responsible_id:
        notify(
            [notice.responsible_id],
            "emergency.hazard_notice",
            {"number": notice.number, "point": point.name, "deadline": notice.deadline.isoformat()},
            link=f"/emergency/hazards/notices/{notice.id}",
            community_id=notice.community_id,
        )


@dataclass
class NoticeInput:
    measure: str
    money: str
    responsible: str
    rechecker: str
    deadline: date | None


def set_notice(notice: RectificationNotice, data: NoticeInput, *, actor: User | None) -> None:
    """The secretary fills in the 六定: measure, money, person, deadline, re-checker."""
    _must_be_secretary(actor, notice.community_id)
    if notice.state == NoticeState.CLOSED:
        raise EmergencyError(_l("已销号的整改通知书不能再修改。"), status=409)
    measure = (data.measure or "").strip()
    if not measure or len(measure) > MAX_NOTE:
        raise EmergencyError(_l("请填写整改措施（最多 500 字）。"), field="measure")
    if data.deadline is None:
        raise EmergencyError(_l("请填写整改期限。"), field="deadline")
    community = db.session.get(Community, notice.community_id)
    person = find_on_roster(community, data.responsible, "responsible")
    checker = find_on_roster(community, data.rechecker, "rechecker")
    if checker.id == person.id:
        raise EmergencyError(_l("复查人不能是整改责任人本人。"), field="rechecker")
    changed_person = person.id != notice.responsible_id
    notice.measure = measure
    notice.money = (data.money or "").strip()[:120]
    notice.responsible_id = person.id
    notice.rechecker_id = checker.id
    notice.deadline = data.deadline
    if changed_person:
        _tell_responsible(notice, notice.point)


def report_fixed(notice: RectificationNotice, *, note: str, actor: User | None) -> None:
    """The person responsible says the work is done; it waits for the re-check."""
    if actor is not None and actor.id != notice.responsible_id:
        raise EmergencyError(_l("只有整改责任人可以报告整改完成。"), status=403)
    if notice.state != NoticeState.OPEN:
        raise EmergencyError(_l("这份整改通知书不在整改中。"), status=409)
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE:
        raise EmergencyError(_l("请写明做了哪些整改（最多 500 字）。"), field="note")
    notice.state = NoticeState.FIXED
    notice.fixed_at = utcnow()
    notice.fixed_by_id = actor.id if actor else notice.responsible_id
    notice.fix_note = note


def recheck(notice: RectificationNotice, *, passed: bool, note: str, actor: User) -> None:
    """The re-checker passes it (销号) or sends it back; never the person who did the work."""
    if actor.id in (notice.fixed_by_id, notice.responsible_id):
        raise EmergencyError(
            _l("整改的人不能给自己复查销号，请由复查人复查。"), code="fixer_closes", status=403
        )
    if actor.id != notice.rechecker_id and not is_secretary_of(actor, notice.community_id):
        raise EmergencyError(_l("只有指定的复查人或社区书记可以复查。"), status=403)
    if notice.state != NoticeState.FIXED:
        raise EmergencyError(_l("还没有报告整改完成，不能复查销号。"), code="not_fixed", status=409)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise EmergencyError(_l("说明最多 500 字。"), field="note")
    if not passed and not note:
        raise EmergencyError(_l("复查不通过时请写明原因。"), field="note")
    now = utcnow()
    notice.rechecked_at = now
    notice.rechecked_by_id = actor.id
    notice.recheck_note = note
    if passed:
        notice.state = NoticeState.CLOSED
        notice.closed_at = now
    else:
        notice.state = NoticeState.OPEN


def figures(community_id: int, *, round_id: int | None = None, year: int | None = None) -> dict:
    """checked, total, found, in rectification, closed, overdue: for one round or a season."""
    checks = select(
        func.count(HazardCheck.id),
        func.count(HazardCheck.result),
        func.coalesce(func.sum(case((HazardCheck.result == CheckResult.FOUND, 1), else_=0)), 0),
    ).where(HazardCheck.community_id == community_id)
    today = local_today()
    notices = select(
        func.coalesce(
            func.sum(case((RectificationNotice.state != NoticeState.CLOSED, 1), else_=0)), 0
        ),
        func.coalesce(
            func.sum(case((RectificationNotice.state == NoticeState.CLOSED, 1), else_=0)), 0
        ),
        func.coalesce(
            func.sum(
                case(
                    (
                        (RectificationNotice.state != NoticeState.CLOSED)
                        & (RectificationNotice.deadline < today),
                        1,
                    ),
                    else_=0,
                )
            ),
            0,
        ),
    ).where(RectificationNotice.community_id == community_id)
    if round_id is not None:
        checks = checks.where(HazardCheck.round_id == round_id)
        notices = notices.where(RectificationNotice.round_id == round_id)
    elif year is not None:
        rounds = select(InspectionRound.id).where(
            InspectionRound.community_id == community_id,
            InspectionRound.started_at >= local_start(date(year, 1, 1)),
            InspectionRound.started_at < local_start(date(year + 1, 1, 1)),
        )
        checks = checks.where(HazardCheck.round_id.in_(rounds))
        notices = notices.where(RectificationNotice.round_id.in_(rounds))
    total, checked, found = db.session.execute(checks).one()
    open_, closed, overdue = db.session.execute(notices).one()
    return {
        "total": total,
        "checked": checked,
        "found": int(found),
        "in_rectification": int(open_),
        "closed": int(closed),
        "overdue": int(overdue),
    }

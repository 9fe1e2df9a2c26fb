"""Broadcasts: a secretary's message to an audience, fanned out by the worker.

The request writes one Broadcast row (and nothing per recipient), so 12,000 recipients never hold
it open; after the commit the worker's fan_out() writes every inbox and SMS row in one transaction
(all or none, so a worker killed mid-way leaves the broadcast `queued` and the retry starts
clean), and the SMS go out in batches through the outbox.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from alliance.accounts.models import User
from alliance.celery_app import enqueue
from alliance.communities.models import Estate, Grid
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.notifications import outbox
from alliance.notifications.models import Broadcast, NotificationPreference, OutboxMessage
from alliance.notifications.services import add_inbox_rows
from alliance.validators import normalize_phone
from alliance.volunteers.models import VolunteerProfile, VolunteerStatus

PENDING = "broadcast_pending"
TITLE_MAX, BODY_MAX = 60, 500
# With SMS the whole text (signature included) stays within five segments.
SMS_MAX = 5 * 67

AUDIENCES = {
    "all": _l("本社区全部居民"),
    "volunteers": _l("全体志愿者"),
    "estate": _l("某个小区的居民"),
    "grid": _l("某个网格"),
}


class BroadcastError(DomainError):
    code = "broadcast_refused"


@dataclass
class BroadcastInput:
    audience: str
    audience_id: int | None
    title: str
    body: str
    inbox: bool
    sms: bool
    emergency: bool = False


def audience_ids(community_id: int, audience: str, audience_id: int | None):
    """A statement selecting the user ids of an audience (active accounts only)."""
    active = VolunteerProfile.status == VolunteerStatus.ACTIVE
    if audience == "all":
        return select(User.id).where(User.community_id == community_id, User.active)
    if audience == "volunteers":
        where = [VolunteerProfile.community_id == community_id, active]
    elif audience == "estate":
        where = [
            VolunteerProfile.community_id == community_id,
            active,
            VolunteerProfile.estate_id == audience_id,
        ]
    elif audience == "grid":
        grid = db.session.get(Grid, audience_id)
        estate_id = grid.estate_id if grid is not None else None
        people = select(VolunteerProfile.user_id).where(
            VolunteerProfile.community_id == community_id,
            active,
            VolunteerProfile.estate_id == estate_id,
        )
        worker = select(Grid.worker_id).where(Grid.id == audience_id, Grid.worker_id.is_not(None))
        return select(User.id).where(User.active, User.id.in_(people.union(worker)))
    else:
        raise BroadcastError(_l("请选择发送范围。"), field="audience")
    return (
        select(User.id)
        .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(User.active, *where)
    )


def audience_size(community_id: int, audience: str, audience_id: int | None) -> int:
    stmt = audience_ids(community_id, audience, audience_id).subquery()
    return db.session.scalar(select(func.count()).select_from(stmt)) or 0


def _check_target(community_id: int, data: BroadcastInput) -> None:
    if data.audience not in AUDIENCES:
        raise BroadcastError(_l("请选择发送范围。"), field="audience")
    model = {"estate": Estate, "grid": Grid}.get(data.audience)
    if model is None:
        return
    row = db.session.get(model, data.audience_id) if data.audience_id else None
    if row is None or row.community_id != community_id:
        raise BroadcastError(_l("请选择本社区的小区或网格。"), field="audience_id")


def create_broadcast(secretary: User, data: BroadcastInput) -> Broadcast:
    community_id = secretary.community_id
    title, body = (data.title or "").strip(), (data.body or "").strip()
    if not title:
        raise BroadcastError(_l("请填写标题。"), field="title")
    if len(title) > TITLE_MAX:
        raise BroadcastError(_l("标题最多 %(n)d 个字。", n=TITLE_MAX), field="title")
    if len(body) > BODY_MAX:
        raise BroadcastError(_l("内容最多 %(n)d 个字。", n=BODY_MAX), field="body")
    if not (data.inbox or data.sms):
        raise BroadcastError(_l("请至少选择一种发送方式。"))
    if data.sms:
        from alliance.notifications.sms import compose

        if len(compose(outbox.signature_of(community_id), title, body)) > SMS_MAX:
            raise BroadcastError(
                _l("短信最多 %(n)d 个字（含签名），请缩短内容。", n=SMS_MAX), field="body"
            )
    _check_target(community_id, data)
    size = audience_size(community_id, data.audience, data.audience_id)
    if size == 0:
        raise BroadcastError(_l("这个范围内没有可以通知的人。"), field="audience")
    limit = current_app.config["BROADCASTS_PER_HOUR"]
    recent = db.session.scalar(
        select(func.count(Broadcast.id)).where(
            Broadcast.community_id == community_id,
            Broadcast.emergency == bool(data.emergency),
            Broadcast.created_at > utcnow() - timedelta(hours=1),
        )
    )
    if recent >= limit:
        raise BroadcastError(
            _l("每个社区每小时最多群发 %(n)d 次，请稍后再发。", n=limit), status=429
        )
    now = utcnow()
    broadcast = Broadcast(
        community_id=community_id,
        created_by_id=secretary.id,
        audience=data.audience,
        audience_id=data.audience_id if data.audience in ("estate", "grid") else None,
        title=title,
        body=body,
        inbox=bool(data.inbox),
        sms=bool(data.sms),
        emergency=bool(data.emergency),
        state="queued",
        recipients=size,
        dispatched_at=now,
        created_at=now,
    )
    db.session.add(broadcast)
    db.session.flush()
    db.session.info.setdefault(PENDING, []).append(broadcast.id)
    return broadcast


def dispatch_broadcast(broadcast_id: int) -> bool:
    try:
        enqueue("notifications.fan_out_broadcast", broadcast_id)
    except Exception as exc:  # noqa: BLE001  (the sweeper hands it over once the broker is back)
        if current_app.config["CELERY"].get("task_always_eager"):
            raise
        outbox.log.warning("broker unavailable, broadcast %s waits: %s", broadcast_id, exc)
        return False
    return True


def fan_out(broadcast_id: int) -> int:
    """Every recipient's rows in one transaction; returns the recipients told (0 if done before)."""
    now = utcnow()
    won = db.session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.state == "queued")
        .values(state="fanned_out", fanned_out_at=now)
    ).rowcount
    if not won:
        db.session.rollback()
        return 0
    b = db.session.get(Broadcast, broadcast_id)
    kind = "broadcast.emergency" if b.emergency else "broadcast.notice"
    params = {"title": b.title, "body": b.body}
    ids = list(db.session.scalars(audience_ids(b.community_id, b.audience, b.audience_id)))
    if b.inbox:
        add_inbox_rows(ids, kind, params, link="/inbox/", community_id=b.community_id)
    if b.sms:
        off = set(
            db.session.scalars(
                select(NotificationPreference.user_id).where(
                    NotificationPreference.kind == kind, NotificationPreference.sms.is_(False)
                )
            )
        )
        audience = audience_ids(b.community_id, b.audience, b.audience_id)
        phones = dict(
            db.session.execute(select(User.id, User.phone).where(User.id.in_(audience))).all()
        )
        rows, bad = [], 0
        for uid in ids:
            if uid in off:
                continue
            number = normalize_phone(phones.get(uid) or "")
            if number is None:
                bad += 1
                continue
            rows.append((uid, number, b.title, b.body))
        outbox.add_rows(
            rows, kind=kind, community_id=b.community_id, emergency=b.emergency, broadcast_id=b.id
        )
        b.sms_total, b.skipped_phone = len(rows), bad
        b.skipped_sms_off = sum(1 for uid in ids if uid in off)
    b.recipients = len(ids)
    db.session.commit()
    return len(ids)


def progress(broadcast_ids) -> dict[int, dict[str, int]]:
    """{broadcast id: {state: count}} for the outbox page."""
    counts: dict[int, dict[str, int]] = {}
    if not broadcast_ids:
        return counts
    for bid, state, n in db.session.execute(
        select(OutboxMessage.broadcast_id, OutboxMessage.state, func.count())
        .where(OutboxMessage.broadcast_id.in_(broadcast_ids))
        .group_by(OutboxMessage.broadcast_id, OutboxMessage.state)
    ):
        counts.setdefault(bid, {})[state] = n
    return counts

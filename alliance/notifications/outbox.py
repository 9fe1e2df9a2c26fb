"""The outbox: every SMS is a row before it is a message.

queue_sms() writes rows in the caller's transaction; once that transaction commits, their ids go
to the worker (`send_messages`). If the broker is away the request still succeeds: the rows stay
`queued` and sweep() hands them over later. A send is three steps:

1. claim: one conditional UPDATE moves due rows to `sending` (only one worker can win a row);
2. send: the provider call, carrying the row id as its idempotency key;
3. mark: `sent`, or `failed` with the next attempt after a backoff, or `given_up`.

A worker killed between 1 and 3 leaves the row `sending`; Celery re-delivers the task (acks_late)
and sweep() re-queues claims older than SMS_SEND_LEASE_SECONDS; the retried send carries the same
idempotency key, so the gateway delivers it once.
"""

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import and_, event, insert, or_, select, update

from alliance.accounts.models import User
from alliance.celery_app import enqueue
from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.notifications import sms
from alliance.notifications.kinds import KINDS
from alliance.notifications.models import Broadcast, OutboxMessage, OutboxState
from alliance.validators import normalize_phone

log = logging.getLogger("alliance.outbox")
LOCAL = ZoneInfo("Asia/Shanghai")
PENDING = "outbox_pending"
REDISPATCH_AFTER = timedelta(minutes=2)
BATCH = 200


def _quiet_hours() -> tuple[time, time] | None:
    spec = current_app.config.get("SMS_QUIET_HOURS") or ""
    if "-" not in spec:
        return None
    start, end = (time.fromisoformat(part.strip()) for part in spec.split("-", 1))
    return start, end


def release_time(now: datetime, *, emergency: bool = False) -> datetime:
    """When an SMS queued at `now` may go: now, or the end of the quiet hours."""
    quiet = _quiet_hours()
    if emergency or quiet is None:
        return now
    start, end = quiet
    local = now.astimezone(LOCAL)
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return now
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=LOCAL).astimezone(now.tzinfo)


def signature_of(community_id: int | None) -> str:
    name = None
    if community_id is not None:
        name = db.session.scalar(select(Community.name).where(Community.id == community_id))
    return sms.signature(name)


def queue_sms(user_ids, kind_name: str, params: dict, *, link: str, community_id) -> dict:
    """Outbox rows for these people, each in their language; returns what was queued/skipped."""
    kind = KINDS[kind_name]
    people = db.session.execute(
        select(User.id, User.phone, User.locale).where(User.id.in_(user_ids), User.active)
    ).all()
    rows = []
    for uid, phone, locale in people:
        number = normalize_phone(phone or "")
        if number is None:
            continue
        with force_locale(locale or "zh_CN"):
            title, body = kind.render_title(params), kind.render_body(params)
        rows.append((uid, number, title, body))
    return add_rows(
        rows,
        kind=kind_name,
        community_id=community_id,
        link=_absolute(link),
        emergency=kind.emergency,
        skipped_phone=len(user_ids) - len(rows),
    )


def _absolute(link: str) -> str:
    root = current_app.config.get("SITE_URL")
    return f"{root.rstrip('/')}{link}" if root and link.startswith("/") else ""


def add_rows(rows, *, kind, community_id, link="", emergency=False, broadcast_id=None, **counts):
    """rows: (user id, mainland mobile, title, body). Written now, sent after the commit."""
    now = utcnow()
    due = release_time(now, emergency=emergency)
    sign = signature_of(community_id)
    values = [
        dict(
            community_id=community_id,
            user_id=uid,
            broadcast_id=broadcast_id,
            channel="sms",
            kind=kind,
            address=number,
            text=sms.compose(sign, title, body, link),
            state=OutboxState.QUEUED,
            attempts=0,
            not_before=due,
            dispatched_at=now if due <= now else None,
            provider_answer="",
            created_at=now,
        )
        for uid, number, title, body in rows
    ]
    if values:
        ids = db.session.scalars(
            insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True),
            values,
        ).all()
        if due <= now:
            db.session.info.setdefault(PENDING, []).extend(ids)
    return {"queued": len(values), **counts}


@event.listens_for(db.session, "after_commit")
def _hand_over(session) -> None:
    # A savepoint's commit (begin_nested) fires this too: wait for the real one.
    if session.get_nested_transaction() is not None:
        return
    ids = session.info.pop(PENDING, None)
    broadcasts = session.info.pop("broadcast_pending", None)
    if ids:
        dispatch(ids)
    if broadcasts:
        from alliance.notifications.broadcasts import dispatch_broadcast

        for broadcast_id in broadcasts:
            dispatch_broadcast(broadcast_id)


@event.listens_for(db.session, "after_rollback")
def _forget(session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint rolled back; rows written before it still stand
    session.info.pop(PENDING, None)
    session.info.pop("broadcast_pending", None)


def dispatch(ids: list[int]) -> bool:
    """Give ids to the worker; a broker that is away only delays them (sweep() retries)."""
    try:
        for start in range(0, len(ids), BATCH):
            enqueue("notifications.send_messages", ids[start : start + BATCH])
    except Exception as exc:  # noqa: BLE001  (any broker failure: the rows wait for sweep())
        if current_app.config["CELERY"].get("task_always_eager"):
            raise
        log.warning("broker unavailable, %d message(s) wait for the sweeper: %s", len(ids), exc)
        return False
    return True


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=current_app.config["SMS_RETRY_BASE_SECONDS"] * 4 ** (attempts - 1))


def send_messages(ids: list[int]) -> int:
    """Claim, send, mark. Returns how many were sent now. Commits (it runs in the worker)."""
    table = OutboxMessage.__table__
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["SMS_SEND_LEASE_SECONDS"])
    claimed = db.session.execute(
        update(table)
        .where(
            table.c.id.in_(ids),
            or_(
                and_(
                    table.c.state.in_([OutboxState.QUEUED, OutboxState.FAILED]),
                    table.c.not_before <= now,
                ),
                and_(table.c.state == OutboxState.SENDING, table.c.claimed_at < stale),
            ),
        )
        .values(state=OutboxState.SENDING, claimed_at=now, attempts=table.c.attempts + 1)
        .returning(table.c.id, table.c.address, table.c.text, table.c.attempts)
    ).all()
    db.session.commit()
    provider = sms.provider()
    max_attempts = current_app.config["SMS_MAX_ATTEMPTS"]
    sent = 0
    for message_id, address, text, attempts in sorted(claimed):
        answer = provider.send(message_id, address, text)
        if answer.ok:
            values = dict(state=OutboxState.SENT, sent_at=utcnow())
            sent += 1
        elif answer.retry and attempts < max_attempts:
            values = dict(state=OutboxState.FAILED, not_before=utcnow() + _backoff(attempts))
        else:
            values = dict(state=OutboxState.GIVEN_UP)
        db.session.execute(
            update(table)
            .where(
                table.c.id == message_id,
                table.c.state == OutboxState.SENDING,
                table.c.claimed_at == now,
            )
            .values(provider_answer=answer.detail[:500], **values)
        )
        db.session.commit()
    return sent


def sweep(limit: int = 5000) -> dict:
    """Hand over what is due and not with the worker: held, retried, orphaned or never queued."""
    now = utcnow()
    t = OutboxMessage
    stale = now - timedelta(seconds=current_app.config["SMS_SEND_LEASE_SECONDS"])
    ids = db.session.scalars(
        select(t.id)
        .where(
            or_(
                and_(
                    t.state == OutboxState.QUEUED,
                    t.not_before <= now,
                    or_(t.dispatched_at.is_(None), t.dispatched_at < now - REDISPATCH_AFTER),
                ),
                and_(t.state == OutboxState.FAILED, t.not_before <= now),
                and_(t.state == OutboxState.SENDING, t.claimed_at < stale),
            )
        )
        .order_by(t.id)
        .limit(limit)
    ).all()
    broadcasts = db.session.scalars(
        select(Broadcast.id).where(
            Broadcast.state == "queued",
            or_(
                Broadcast.dispatched_at.is_(None), Broadcast.dispatched_at < now - REDISPATCH_AFTER
            ),
        )
    ).all()
    if ids:
        db.session.execute(update(t).where(t.id.in_(ids)).values(dispatched_at=now))
    if broadcasts:
        db.session.execute(
            update(Broadcast).where(Broadcast.id.in_(broadcasts)).values(dispatched_at=now)
        )
    db.session.commit()
    handed = dispatch(list(ids)) if ids else True
    if broadcasts:
        from alliance.notifications.broadcasts import dispatch_broadcast

        for broadcast_id in broadcasts:
            dispatch_broadcast(broadcast_id)
    return {"messages": len(ids), "broadcasts": len(broadcasts), "handed_over": handed}

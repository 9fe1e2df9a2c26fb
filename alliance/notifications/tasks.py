"""Background jobs of the notifications domain (registered on every Celery app)."""

import time

from celery import shared_task
from flask import current_app

from alliance.celery_app import HEARTBEAT_KEY
from alliance.notifications import outbox


@shared_task(name="notifications.send_messages", acks_late=True, ignore_result=True)
def send_messages(ids: list[int]) -> int:
    return outbox.send_messages(ids)


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> dict:
    return outbox.sweep()


@shared_task(name="notifications.fan_out_broadcast", acks_late=True, ignore_result=True)
def fan_out_broadcast(broadcast_id: int) -> int:
    from alliance.notifications.broadcasts import fan_out

    return fan_out(broadcast_id)


@shared_task(name="notifications.heartbeat", ignore_result=True)
def heartbeat() -> int:
    """The unix time this worker last ran a job, on the broker (read by the readiness check)."""
    import redis

    now = int(time.time())
    url = current_app.config.get("CELERY_BROKER_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        redis.Redis.from_url(url).set(HEARTBEAT_KEY, now)
    return now


@shared_task(name="notifications.points_expiring", ignore_result=True)
def points_expiring() -> int:
    from alliance.notifications.periodic import notify_points_expiring

    return notify_points_expiring()


@shared_task(name="notifications.orders_overdue", ignore_result=True)
def orders_overdue() -> int:
    from alliance.notifications.periodic import notify_orders_overdue

    return notify_orders_overdue()

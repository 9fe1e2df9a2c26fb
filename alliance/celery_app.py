"""Celery bound to the app, as Flask's Celery pattern documents it.

Every task runs inside an app context (FlaskTask). Without CELERY_BROKER_URL tasks run inline in
the process that queued them (`make run`, the tests); `make serve` and `make worker` set it to
Redis. Tasks are declared with @shared_task next to their domain (alliance/*/tasks.py).
"""

from datetime import timedelta

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask, current_app, has_app_context

HEARTBEAT_KEY = "alliance:worker:heartbeat"

BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "notifications.heartbeat", "schedule": timedelta(seconds=30)},
    "outbox-sweep": {"task": "notifications.sweep", "schedule": timedelta(seconds=60)},
    "points-expiring": {
        "task": "notifications.points_expiring",
        "schedule": crontab(hour=9, minute=0),
    },
    "orders-overdue": {
        "task": "notifications.orders_overdue",
        "schedule": crontab(hour=8, minute=30),
    },
    "hazards-overdue": {
        "task": "emergency.hazards_overdue",
        "schedule": crontab(hour=8, minute=0),
    },
}


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            # Inline (eager) tasks run in a fresh context of the app that queued them, so they
            # get their own database session, as they would in the worker.
            target = current_app._get_current_object() if has_app_context() else app
            with target.app_context():
                return self.run(*args, **kwargs)

    broker = app.config.get("CELERY_BROKER_URL") or ""
    conf = dict(app.config.get("CELERY") or {})
    conf.setdefault("broker_url", broker or "memory://")
    conf.setdefault("task_always_eager", not broker)
    conf.setdefault("beat_schedule", BEAT_SCHEDULE)
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(conf)
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    import alliance.emergency.jobs  # noqa: F401  (registers the shared tasks)
    import alliance.notifications.tasks  # noqa: F401

    return celery_app


def enqueue(task_name: str, *args) -> None:
    """Queue a task on the current app's Celery (inline when it has no broker)."""
    current_app.extensions["celery"].tasks[task_name].delay(*args)

"""Overdue rectification notices: a daily job on the worker's beat, once per person per notice
per day (running it twice tells nobody twice), the next day again while still overdue."""

from datetime import timedelta

from celery.schedules import crontab
from sqlalchemy import func, select

from alliance.celery_app import BEAT_SCHEDULE
from alliance.clock import local_today
from alliance.emergency import hazard_reminders, hazards
from alliance.emergency.hazard_models import HazardCheck, NoticeState
from alliance.extensions import db
from alliance.notifications.models import Notification

KIND = "emergency.hazard_overdue"


def _overdue_notice(world, days_late=1):
    secretary = world.users["secretary_a"]
    point = hazards.create_point(
        world.a,
        hazards.PointInput(
            kind="slope", name="后山斜坡", grid_id=world.grid.id, responsible="merchant"
        ),
        actor=secretary,
    )
    found = hazards.start_round(world.a, name="排查", inspector="", actor=secretary)
    check = db.session.scalars(select(HazardCheck).where(HazardCheck.round_id == found.id)).one()
    notice = hazards.record_check(check, result="found", note="落石", actor=world.users["grid"])
    notice.rechecker_id = world.users["volunteer"].id
    notice.deadline = local_today() - timedelta(days=days_late)
    db.session.commit()
    return point, notice


def _told():
    return sorted(
        db.session.execute(
            select(Notification.user_id, Notification.link).where(Notification.kind == KIND)
        ).all()
    )


def test_the_job_is_on_the_beat_schedule_daily():
    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == "emergency.hazards_overdue")
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {0}


def test_the_scheduled_job_tells_each_person_once_a_day_per_notice(world, app):
    _point, notice = _overdue_notice(world)
    link = f"/emergency/hazards/notices/{notice.id}"
    task = app.extensions["celery"].tasks["emergency.hazards_overdue"]
    assert task.delay().get() == 3
    people = [world.users[n].id for n in ("merchant", "volunteer", "secretary_a")]
    assert _told() == sorted((p, link) for p in people)
    # Run twice the same day: nobody is told again.
    assert task.delay().get() == 0
    assert len(_told()) == 3
    assert hazard_reminders.notify_overdue(today=local_today()) == 0


def test_the_next_day_it_is_told_again_and_a_closed_notice_is_quiet(world):
    _point, notice = _overdue_notice(world, days_late=3)
    assert hazard_reminders.notify_overdue(today=local_today() - timedelta(days=1)) == 3
    db.session.commit()
    # Yesterday's reminders do not stop today's (the day is the local day it is sent).
    rows = db.session.scalars(select(Notification).where(Notification.kind == KIND)).all()
    for row in rows:
        row.created_at = row.created_at - timedelta(days=1)
    db.session.commit()
    assert hazard_reminders.notify_overdue() == 3
    db.session.commit()
    notice.state = NoticeState.CLOSED
    db.session.commit()
    for row in db.session.scalars(select(Notification).where(Notification.kind == KIND)):
        row.created_at = row.created_at - timedelta(days=2)
    db.session.commit()
    assert hazard_reminders.notify_overdue() == 0
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == KIND)) == 6
    )


def test_a_notice_not_yet_due_tells_nobody(world):
    _point, notice = _overdue_notice(world)
    notice.deadline = local_today()
    db.session.commit()
    assert hazard_reminders.run_daily() == 0

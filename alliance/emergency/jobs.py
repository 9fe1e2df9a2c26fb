"""Background jobs of the emergency domain (Celery; scheduled in alliance/celery_app.py).
(`tasks.py` in this package is the people's to-do list while a response runs, not Celery's.)"""

from celery import shared_task


@shared_task(name="emergency.hazards_overdue", ignore_result=True)
def hazards_overdue() -> int:
    from alliance.emergency.hazard_reminders import run_daily

    return run_daily()

"""Celery tasks of programmes: interfaces, not logic; the beat schedule
(khuyencong.settings.CELERY_BEAT_SCHEDULE) names the periodic ones."""

from celery import shared_task

from . import reminders


@shared_task(acks_late=True)
def remind_kcqg_plan():
    """Daily: remind staff of the KCQG plan calendar's deadlines while next year's KCQG plan is not
    submitted (programmes.reminders). Running it twice the same day tells nobody twice."""
    return {"reminders": reminders.send_plan_reminders()}

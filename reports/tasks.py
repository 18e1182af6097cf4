"""Celery tasks of reports: interfaces, not logic. They take ids or nothing and call the reports'
services; the beat schedule (khuyencong.settings.CELERY_BEAT_SCHEDULE) names the periodic ones."""

from celery import shared_task

from . import reminders


@shared_task(acks_late=True)
def remind_unit_reports():
    """Daily: remind the units that have not sent their yearly report, and the staff digest of the
    last week (reports.reminders). Running it twice the same day tells nobody twice."""
    sent = reminders.send_reminders()
    return {"reminders": sent.reminders, "digests": sent.digests}

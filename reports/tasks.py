"""Celery tasks of reports: interfaces, not logic. They take ids or nothing and call the reports'
services; the beat schedule (khuyencong.settings.CELERY_BEAT_SCHEDULE) names the periodic ones."""

from celery import shared_task
from django.conf import settings

from . import pdf, reminders


@shared_task(acks_late=True)
def remind_unit_reports():
    """Daily: remind the units that have not sent their yearly report, and the staff digest of the
    last week (reports.reminders). Running it twice the same day tells nobody twice."""
    sent = reminders.send_reminders()
    return {"reminders": sent.reminders, "digests": sent.digests}


@shared_task(
    acks_late=True,
    soft_time_limit=settings.DOCUMENT_JOB_SOFT_TIME_LIMIT,
    time_limit=settings.DOCUMENT_JOB_TIME_LIMIT,
)
def render_unit_report_pdf(*, job_id):
    """Build the official PDF of a submitted unit report (reports.pdf); a duplicate delivery of
    the task builds nothing the second time (core.jobs claims the row once)."""
    job = pdf.pdf_job_run(job_id=job_id)
    return job.status if job else None

"""Celery tasks of reports: interfaces, not logic. They take ids or nothing and call the reports'
services; the beat schedule (khuyencong.settings.CELERY_BEAT_SCHEDULE) names the periodic ones."""

from celery import shared_task
from django.conf import settings

from . import pdf, reminders, yearly_jobs


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


# --- compiled reports to UBND tỉnh and Bộ Công Thương (reports.yearly_jobs) ----------------------


@shared_task(
    acks_late=True,
    soft_time_limit=settings.DOCUMENT_JOB_SOFT_TIME_LIMIT,
    time_limit=settings.DOCUMENT_JOB_TIME_LIMIT,
)
def build_generated_report(*, report_id):
    """Build one queued version of a compiled report; a duplicate delivery builds nothing."""
    job = yearly_jobs.generated_report_run(report_id=report_id)
    return job.status if job else None


@shared_task
def watch_generated_reports():
    """Every 5 minutes: fail the builds whose worker died (never "running" forever) and send again
    the ones whose task could not be sent while the broker was down."""
    return {
        "failed": yearly_jobs.generated_reports_fail_stale(),
        "sent": yearly_jobs.generated_reports_requeue(),
    }


@shared_task(acks_late=True)
def yearly_report_drafts_and_reminders():
    """Daily: a first draft of each yearly report the day after the units' deadline, and the
    leaders told before the province deadline which reports have no final version (once each)."""
    return {"drafts": yearly_jobs.yearly_drafts(), "reminders": yearly_jobs.remind_leaders()}

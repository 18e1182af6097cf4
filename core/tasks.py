"""Celery tasks of core: interfaces, not logic. They take ids or plain values and call core's
services; limits come from settings (document jobs get the longer pair)."""

from celery import shared_task
from django.conf import settings

from . import jobs, mail
from .models import FileJob
from .spreadsheets import purge_stale_drafts

# Retries of one e-mail with a broker: 1, 2, 4, 8 and 16 minutes after the first try.
EMAIL_MAX_RETRIES = 5


@shared_task
def purge_import_drafts():
    """Daily: delete import previews nobody confirmed (they hold uploaded personal data)."""
    return purge_stale_drafts()


@shared_task(bind=True, acks_late=True, max_retries=EMAIL_MAX_RETRIES)
def send_email(self, *, key, event, to, subject, body, recipient_id=None, html=""):
    """Send one queued e-mail once (see core.mail). Run eagerly a failure ends here, logged on its
    row: the request that saved the change must not fail. With a worker it is retried later."""
    try:
        return mail.email_deliver(
            key=key, event=event, to=to, subject=subject, body=body, recipient_id=recipient_id, html=html
        ).status
    except mail.SEND_ERRORS as exc:
        if self.request.is_eager:
            return mail.Status.FAILED
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task(
    acks_late=True,
    soft_time_limit=settings.DOCUMENT_JOB_SOFT_TIME_LIMIT,
    time_limit=settings.DOCUMENT_JOB_TIME_LIMIT,
)
def run_file_job(*, job_id):
    """Build a queued background file (an export); a duplicate delivery does nothing."""
    job = jobs.file_job_run(job_id=job_id)
    return job.status if job else None


@shared_task
def fail_stale_file_jobs():
    """Every 15 minutes: file jobs still running past the document hard limit lost their worker."""
    return jobs.jobs_fail_stale(FileJob, seconds=settings.DOCUMENT_JOB_TIME_LIMIT)

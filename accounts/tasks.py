"""Celery tasks of accounts: thin wrappers that load by id and call `notify()`."""

from celery import shared_task

from .models import User
from .notifications import notify


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_notification(*, user_ids, event, title, body="", url="", dedupe=""):
    """Tell users about an event from a job (reminders, finished reports): the same in-app
    message and email after commit as `notify()` called in a request. A job that may run twice
    (a retry, a second beat) passes `dedupe` (e.g. "period:5:offset:7:2026-12-15") so each
    recipient is emailed once. Returns how many were told."""
    users = list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
    return len(notify(recipients=users, event=event, title=title, body=body, url=url, dedupe=dedupe))

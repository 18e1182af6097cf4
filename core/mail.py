"""E-mail through the queue, once: every message goes out from a Celery task after the caller's
transaction commits, with one `EmailDelivery` row per recipient and event key.

The key (event + recipient + what the caller says makes the message unique, such as
"period:5:offset:7:2026-12-15") is UNIQUE in the database, so a retried task, a task delivered
twice or a second run of a periodic job finds the row already sent and sends nothing.

With a broker no web request waits for mail. Run eagerly (no REDIS_URL) the SMTP backend gives up
after EMAIL_TIMEOUT seconds; the failure is logged on the row and never raised into the request,
and a server that timed out is left alone for a minute so one request pays the timeout at most
once, not once per recipient."""

import hashlib
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import EmailDelivery

logger = logging.getLogger(__name__)

Status = EmailDelivery.Status
# smtplib's errors are OSErrors too; timeouts and refused connections are what SEND_ERRORS adds.
SEND_ERRORS = (smtplib.SMTPException, OSError)
# A stalled or unreachable server, as opposed to one that refused one message.
SERVER_DOWN_ERRORS = (TimeoutError, ConnectionError)
SERVER_DOWN_KEY = "core.mail.server-down"
SERVER_DOWN_PAUSE = 60  # seconds without trying a server that timed out
_KEY_MAX = 255


class MailServerDown(ConnectionError):
    """The server timed out a moment ago: this delivery is not tried now (a worker retries it)."""


def delivery_key(*, event: str, recipient: object, dedupe: str) -> str:
    """The UNIQUE key of one message: readable when short, hashed when it would not fit."""
    key = f"{event}:{recipient}:{dedupe}"
    if len(key) <= _KEY_MAX:
        return key
    return f"{event}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"[:_KEY_MAX]


def _queue(kwargs: dict) -> None:
    """Hand the message to the broker; a broker that cannot be reached is logged, never raised into
    the request that saved the change (the delivery row never existed, so nothing claims it was
    sent)."""
    from .tasks import send_email

    try:
        send_email.delay(**kwargs)
    except Exception:  # kombu's errors, redis's, a misconfigured URL: all mean the same here
        logger.exception("email for event %s not queued", kwargs["event"])


def email_enqueue(
    *,
    event: str,
    to: str,
    subject: str,
    body: str,
    dedupe: str,
    recipient_id: int | None = None,
    html: str = "",
    after_commit: bool = True,
) -> str:
    """Send one e-mail to `to` from the queue, after the current transaction commits (at once
    outside one). `after_commit=False` queues it now: for a message that reports no change (a
    password-reset link). Returns the delivery key."""
    key = delivery_key(event=event, recipient=recipient_id or to.lower(), dedupe=dedupe)
    kwargs = {
        "key": key,
        "event": str(event),
        "to": to,
        "subject": " ".join(str(subject).split())[:300],
        "body": str(body),
        "recipient_id": recipient_id,
        "html": html,
    }
    if after_commit:
        transaction.on_commit(lambda: _queue(kwargs))
    else:
        _queue(kwargs)
    return key


def _claim(delivery: EmailDelivery) -> bool:
    """queued/failed -> sending for one worker only; a row left `sending` by a killed worker may be
    taken again after the task's hard time limit."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    takeable = Q(status__in=[Status.QUEUED, Status.FAILED]) | Q(status=Status.SENDING, attempted_at__lt=stale)
    claimed = (
        EmailDelivery.objects.filter(pk=delivery.pk)
        .filter(takeable)
        .update(status=Status.SENDING, attempts=F("attempts") + 1, attempted_at=now)
    )
    return bool(claimed)


def _send(*, to: str, subject: str, body: str, html: str) -> None:
    if cache.get(SERVER_DOWN_KEY):
        raise MailServerDown("the mail server timed out less than a minute ago")
    message = EmailMultiAlternatives(subject, body, None, [to])
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except SERVER_DOWN_ERRORS:
        cache.set(SERVER_DOWN_KEY, True, SERVER_DOWN_PAUSE)
        raise


def email_deliver(
    *,
    key: str,
    event: str,
    to: str,
    subject: str,
    body: str,
    recipient_id: int | None = None,
    html: str = "",
) -> EmailDelivery:
    """Create or find the delivery row for `key` and send the message unless it was sent (or is
    being sent) already. A send error marks the row failed, is logged (the event and the row, never
    the address) and is raised again for the task to retry."""
    delivery, _created = EmailDelivery.objects.get_or_create(
        dedupe_key=key,
        defaults={"event": event, "address": to, "subject": subject, "recipient_id": recipient_id},
    )
    if not _claim(delivery):
        logger.info("email %s for event %s already %s: not sent again", delivery.pk, event, delivery.status)
        delivery.refresh_from_db()
        return delivery
    try:
        _send(to=to, subject=subject, body=body, html=html)
    except SEND_ERRORS as exc:
        EmailDelivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, error=type(exc).__name__)
        logger.warning("email %s for event %s not sent: %s", delivery.pk, event, type(exc).__name__)
        raise
    EmailDelivery.objects.filter(pk=delivery.pk).update(status=Status.SENT, sent_at=timezone.now(), error="")
    delivery.refresh_from_db()
    return delivery

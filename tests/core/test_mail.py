import smtplib

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends import locmem

from core import mail as core_mail
from core.models import EmailDelivery
from core.tasks import send_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class StalledServer(locmem.EmailBackend):
    """An SMTP server that accepts the connection and then never answers (EMAIL_TIMEOUT fires)."""

    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        raise TimeoutError("timed out")  # socket.timeout, as smtplib raises it


@pytest.fixture
def stalled(settings):
    StalledServer.calls = 0
    settings.EMAIL_BACKEND = f"{__name__}.StalledServer"
    return StalledServer


def _kwargs(key="report_reminder:7:period:5:offset:7:2026-12-15", to="xa@example.test", **extra):
    return {
        "key": key,
        "event": "report_reminder",
        "to": to,
        "subject": "Nhắc hạn báo cáo",
        "body": "Còn 7 ngày.",
        **extra,
    }


def test_the_same_task_run_twice_sends_one_email():
    assert send_email.delay(**_kwargs()).get() == "sent"
    assert send_email.delay(**_kwargs()).get() == "sent"  # a retry or a duplicate delivery
    assert len(mail.outbox) == 1
    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.address) == ("sent", 1, "xa@example.test")
    assert delivery.sent_at is not None


def test_a_delivery_being_sent_by_another_worker_is_not_sent_again():
    EmailDelivery.objects.create(
        dedupe_key=_kwargs()["key"], event="report_reminder", address="xa@example.test", status="sending"
    )
    core_mail.email_deliver(**_kwargs())
    assert mail.outbox == []


def test_a_failed_delivery_is_sent_by_the_next_try(settings, stalled):
    assert send_email.delay(**_kwargs()).get() == "failed"  # eager: logged on the row, not raised
    failed = EmailDelivery.objects.get()
    assert (failed.status, failed.error, failed.attempts) == ("failed", "TimeoutError", 1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.delete(core_mail.SERVER_DOWN_KEY)  # the minute's pause is over
    assert send_email.delay(**_kwargs()).get() == "sent"
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.get().attempts == 2


def test_with_a_worker_a_failed_send_is_retried_later(monkeypatch, stalled):
    """Not eager (a real worker): the task asks Celery to run it again with a growing delay."""
    asked = {}

    class Retry(Exception):
        pass

    def retry(*, exc, countdown):
        asked.update(exc=exc, countdown=countdown)
        return Retry()

    monkeypatch.setattr(send_email, "retry", retry)
    with pytest.raises(Retry):
        send_email(**_kwargs())  # called as a worker calls it, not eagerly
    assert isinstance(asked["exc"], TimeoutError) and asked["countdown"] == 60


def test_a_stalled_server_costs_one_timeout_not_one_per_recipient(stalled, caplog):
    for n in range(3):
        assert send_email.delay(**_kwargs(key=f"k{n}", to=f"u{n}@example.test")).get() == "failed"
    assert stalled.calls == 1
    assert list(EmailDelivery.objects.values_list("error", flat=True).order_by("pk")) == [
        "TimeoutError",
        "MailServerDown",
        "MailServerDown",
    ]
    assert "u0@example.test" not in caplog.text and "not sent: TimeoutError" in caplog.text


class RefusesOne(locmem.EmailBackend):
    def send_messages(self, messages):
        if messages[0].to == ["bad@example.test"]:
            raise smtplib.SMTPRecipientsRefused({"bad@example.test": (550, b"no such user")})
        return super().send_messages(messages)


def test_a_refused_message_does_not_stop_the_next_one(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesOne"
    assert send_email.delay(**_kwargs(key="a", to="bad@example.test")).get() == "failed"
    assert send_email.delay(**_kwargs(key="b", to="good@example.test")).get() == "sent"
    assert [m.to for m in mail.outbox] == [["good@example.test"]]


def test_the_smtp_backend_gives_up_after_email_timeout(settings):
    from django.core.mail import get_connection

    settings.EMAIL_TIMEOUT = 5
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert connection.timeout == 5


def test_the_key_names_event_recipient_and_dedupe_and_always_fits():
    assert core_mail.delivery_key(event="report_reminder", recipient=7, dedupe="period:5") == (
        "report_reminder:7:period:5"
    )
    long = core_mail.delivery_key(event="report_reminder", recipient=7, dedupe="x" * 400)
    assert len(long) <= 255 and long.startswith("report_reminder:sha256:")
    assert long != core_mail.delivery_key(event="report_reminder", recipient=8, dedupe="x" * 400)


def test_a_queued_email_leaves_only_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory(email="htx@example.test")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        core_mail.email_enqueue(
            event="test", to=user.email, subject="Thử\nxuống dòng", body="x", dedupe="1", recipient_id=user.pk
        )
    assert mail.outbox == [] and not EmailDelivery.objects.exists()
    callbacks[0]()
    assert mail.outbox[0].subject == "Thử xuống dòng"  # a header never carries a newline
    assert EmailDelivery.objects.get().recipient == user


def test_an_unreachable_broker_is_logged_not_raised_into_the_request(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from kombu.exceptions import OperationalError

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(send_email, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        core_mail.email_enqueue(event="test", to="htx@example.test", subject="x", body="x", dedupe="1")
    assert len(callbacks) == 1
    assert "email for event test not queued" in caplog.text and "Connection refused" in caplog.text
    assert mail.outbox == [] and not EmailDelivery.objects.exists()

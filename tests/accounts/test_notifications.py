import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction

from accounts.models import Notification, User
from accounts.notifications import Event, notify
from accounts.tasks import send_notification
from core.models import EmailDelivery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(*users, **kwargs):
    return notify(
        recipients=users,
        event=Event.TEST,
        title="Đề án 2026-001 đã được phê duyệt",
        body="Xem chi tiết trên cổng.",
        url="/de-an/",
        **kwargs,
    )


def test_notify_stores_rows_and_emails_only_after_commit(django_capture_on_commit_callbacks):
    with_email = UserFactory(email="htx@example.test")
    phone_only = UserFactory(email=None, phone="0912000001")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = _notify(with_email, phone_only, with_email)
        assert Notification.objects.filter(event=Event.TEST).count() == 2 == len(rows)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["htx@example.test"]
    assert mail.outbox[0].subject == "Đề án 2026-001 đã được phê duyệt"
    assert "http://127.0.0.1:8000/de-an/" in mail.outbox[0].body


def test_a_rolled_back_transaction_stores_and_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory(email="htx@example.test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _notify(user)
                raise RuntimeError("the change that caused the message failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(recipient=user).exists()


def test_inactive_users_get_nothing(django_capture_on_commit_callbacks):
    user = UserFactory(email="old@example.test", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(user) == []
    assert mail.outbox == []


def test_email_can_be_left_out(django_capture_on_commit_callbacks):
    user = UserFactory(email="htx@example.test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify(user, email=False)
    assert callbacks == [] and mail.outbox == []
    assert Notification.objects.filter(recipient=user).count() == 1


def test_bell_shows_the_unread_count(client):
    user = UserFactory(roles=["applicant"])
    client.force_login(user)
    assert 'data-testid="unread-count"' not in client.get("/tai-khoan/").content.decode()
    _notify(user)
    _notify(user)
    page = client.get("/tai-khoan/").content.decode()
    assert 'data-testid="unread-count">2<' in page


def test_list_shows_only_the_users_own_messages(client):
    user, other = UserFactory(), UserFactory()
    _notify(user)
    notify(recipients=[other], event=Event.TEST, title="Tin của người khác")
    client.force_login(user)
    page = client.get("/tai-khoan/thong-bao/").content.decode()
    assert "Đề án 2026-001 đã được phê duyệt" in page and "Tin của người khác" not in page


def test_anonymous_is_sent_to_login(client):
    for path in ["/tai-khoan/thong-bao/"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/")
    response = client.post("/tai-khoan/thong-bao/da-doc-tat-ca/")
    assert response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/")


@pytest.mark.parametrize("role", ["staff", "leader", "unit_reporter", "applicant", "observer"])
def test_every_role_reads_and_marks_its_messages(client, role):
    user = UserFactory(roles=[role])
    [first] = _notify(user)
    [second] = _notify(user)
    client.force_login(user)
    assert client.get("/tai-khoan/thong-bao/").status_code == 200

    response = client.post(f"/tai-khoan/thong-bao/{first.pk}/da-doc/")
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None

    response = client.post(f"/tai-khoan/thong-bao/{second.pk}/da-doc/", {"open": "1"})
    assert response.status_code == 302 and response.url == "/de-an/"

    _notify(user)
    client.post("/tai-khoan/thong-bao/da-doc-tat-ca/")
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


def test_marking_another_users_message_answers_404(client):
    owner, intruder = UserFactory(), UserFactory()
    [message] = _notify(owner)
    client.force_login(intruder)
    assert client.post(f"/tai-khoan/thong-bao/{message.pk}/da-doc/").status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_an_outside_link_is_never_followed(client):
    user = UserFactory()
    [message] = notify(recipients=[user], event=Event.TEST, title="x", url="https://evil.example/")
    client.force_login(user)
    response = client.post(f"/tai-khoan/thong-bao/{message.pk}/da-doc/", {"open": "1"})
    assert response.url == "/tai-khoan/thong-bao/"


@pytest.mark.parametrize("count", [3, 30])
def test_list_and_bell_query_count_is_constant(client, django_assert_max_num_queries, count):
    user = UserFactory(roles=["applicant"])
    for _ in range(count):
        _notify(user)
    client.force_login(user)
    with django_assert_max_num_queries(7):
        response = client.get("/tai-khoan/thong-bao/")
    assert response.status_code == 200
    assert response.content.decode().count("data-notification=") == min(count, 20)


class DownForOneAddress(locmem.EmailBackend):
    """A mail server that drops the connection for one address and delivers the others."""

    def send_messages(self, messages):
        if any("down@example.test" in m.to for m in messages):
            raise smtplib.SMTPServerDisconnected("mail server down")
        return super().send_messages(messages)


def test_a_mail_server_failure_after_commit_stops_nothing(
    django_capture_on_commit_callbacks, settings, caplog
):
    """The change is saved and the in-app message stored: a failing mail server must not raise
    after the commit (an error page for a saved action) nor stop the other recipients' mail."""
    settings.EMAIL_BACKEND = f"{__name__}.DownForOneAddress"
    first, second = UserFactory(email="down@example.test"), UserFactory(email="htx@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(first, second)
    assert [m.to for m in mail.outbox] == [["htx@example.test"]]
    assert Notification.objects.filter(recipient__in=[first, second]).count() == 2
    statuses = dict(EmailDelivery.objects.values_list("address", "status"))
    assert statuses == {"down@example.test": "failed", "htx@example.test": "sent"}
    assert "for event test not sent: SMTPServerDisconnected" in caplog.text
    assert "down@example.test" not in caplog.text


def _remind(user_ids, day):
    """What a reminder job does for one offset of one period: the key names the period, the
    offset and the day, so a retried task or a second beat on the same day is the same message."""
    return send_notification.delay(
        user_ids=user_ids,
        event=Event.REPORT_REMINDER,
        title="Nhắc hạn báo cáo năm 2026",
        body="Còn 7 ngày đến hạn nộp báo cáo.",
        url="/bao-cao/",
        dedupe=f"period:5:offset:7:{day}",
    ).get()


def test_a_reminder_sent_twice_by_a_retried_task_reaches_the_recipient_once(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="xa@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        assert _remind([user.pk], "2026-12-15") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert _remind([user.pk], "2026-12-15") == 0  # the retry, or a second beat the same day
    assert [m.to for m in mail.outbox] == [["xa@example.test"]]
    assert user.notifications.count() == 1  # one message in the bell too
    delivery = EmailDelivery.objects.get()
    assert delivery.dedupe_key == f"report_reminder:{user.pk}:period:5:offset:7:2026-12-15"
    assert (delivery.status, delivery.attempts, delivery.recipient) == ("sent", 1, user)

    with django_capture_on_commit_callbacks(execute=True):
        _remind([user.pk], "2026-12-19")  # the next offset is a new message
    assert len(mail.outbox) == 2 and EmailDelivery.objects.count() == 2
    assert user.notifications.count() == 2


def test_without_a_dedupe_key_each_call_is_its_own_email(django_capture_on_commit_callbacks):
    user = UserFactory(email="htx@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(user)
        _notify(user)
    assert len(mail.outbox) == 2
    assert EmailDelivery.objects.filter(recipient=user, status="sent").count() == 2


class StalledServer(locmem.EmailBackend):
    """The mail server accepts the connection, then never answers: EMAIL_TIMEOUT fires."""

    def send_messages(self, messages):
        raise TimeoutError("timed out")  # socket.timeout, as smtplib raises it


def test_a_stalled_mail_server_still_shows_the_new_accounts_temporary_password(
    client, settings, django_capture_on_commit_callbacks, caplog
):
    """Run eagerly (no broker) the welcome email is tried after the commit: its timeout is logged
    on the delivery row and the staff member still gets the page with the temporary password."""
    settings.EMAIL_BACKEND = f"{__name__}.StalledServer"
    client.force_login(UserFactory(roles=["staff"]))
    data = {"full_name": "Nguyễn Văn Hải", "email": "hai@example.test", "roles": ["applicant"]}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/tai-khoan/nguoi-dung/tao-moi/", {**data, "temporary_password": "Tam-thoi-2026"}
        )
    assert len(callbacks) == 1
    assert response.status_code == 200
    assert "Tam-thoi-2026" in response.content.decode()
    account = User.objects.get(email="hai@example.test")
    assert account.must_change_password and account.check_password("Tam-thoi-2026")
    assert Notification.objects.filter(recipient=account, event=Event.ACCOUNT_CREATED).exists()
    delivery = EmailDelivery.objects.get(recipient=account)
    assert (delivery.status, delivery.error) == ("failed", "TimeoutError")
    assert "for event account_created not sent: TimeoutError" in caplog.text
    assert mail.outbox == []


def test_the_recipient_queries_name_active_staff_and_leaders_once_each():
    from accounts.selectors import leaders, staff_and_leaders

    staff, leader = UserFactory(roles=["staff"]), UserFactory(roles=["leader"])
    both = UserFactory(roles=["staff", "leader"])
    UserFactory(roles=["staff"], is_active=False)
    UserFactory(roles=["unit_reporter"])
    assert list(staff_and_leaders()) == [staff, leader, both]
    assert list(leaders()) == [leader, both]


def test_two_runs_of_a_reminder_at_the_same_instant_leave_one_message(db):
    """The constraint, not only the look-up before it: a row with the same recipient and key is
    refused by the database (two beats racing past the look-up)."""
    from django.db import IntegrityError, transaction

    from accounts.models import Notification

    user = UserFactory()
    Notification.objects.create(recipient=user, event="report_reminder", title="a", dedupe_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=user, event="report_reminder", title="b", dedupe_key="k")
    Notification.objects.create(recipient=user, event="test", title="c")  # one-offs carry no key
    Notification.objects.create(recipient=user, event="test", title="d")
    assert user.notifications.count() == 3

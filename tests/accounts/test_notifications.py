import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Notification
from accounts.notifications import Event, notify
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


def test_a_mail_server_failure_after_commit_stops_nothing(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """The change is saved and the in-app message stored: a failing mail server must not raise
    after the commit (an error page for a saved action) nor stop the other recipients' mail."""
    import smtplib

    from django.core.mail import send_mail as real_send_mail

    def flaky(subject, message, from_email, recipients, **kwargs):
        if recipients == ["down@example.test"]:
            raise smtplib.SMTPServerDisconnected("mail server down")
        return real_send_mail(subject, message, from_email, recipients, **kwargs)

    monkeypatch.setattr("accounts.notifications.send_mail", flaky)
    first, second = UserFactory(email="down@example.test"), UserFactory(email="htx@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(first, second)
    assert [m.to for m in mail.outbox] == [["htx@example.test"]]
    assert Notification.objects.filter(recipient__in=[first, second]).count() == 2
    assert "1 of 2 emails for event test not sent" in caplog.text
    assert "down@example.test" not in caplog.text

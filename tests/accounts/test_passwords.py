import datetime
import re
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem

from accounts.models import User
from core.models import EmailDelivery
from core.tasks import send_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "matkhau-Test-123"
NEW_PASSWORD = "Hung-Yen-moi-2026"


def test_forced_change_blocks_every_page_until_the_password_is_changed(client):
    user = UserFactory(phone="0912345678", email=None, roles=["staff"], must_change_password=True)
    response = client.post("/tai-khoan/dang-nhap/", {"username": "0912 345 678", "password": PASSWORD})
    assert response.status_code == 302
    for path in ["/tai-khoan/", "/tai-khoan/nguoi-dung/", "/tai-khoan/thong-bao/", "/"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url == "/tai-khoan/doi-mat-khau/", path
    page = client.get("/tai-khoan/doi-mat-khau/")
    assert "mật khẩu tạm" in page.content.decode()

    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.url == "/tai-khoan/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    assert client.get("/tai-khoan/nguoi-dung/").status_code == 200  # still signed in, free to go


def test_forced_change_still_allows_logout(client):
    UserFactory(phone="0912345678", must_change_password=True)
    client.post("/tai-khoan/dang-nhap/", {"username": "0912345678", "password": PASSWORD})
    response = client.post("/tai-khoan/dang-xuat/")
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/tai-khoan/").url.startswith("/tai-khoan/dang-nhap/")


def test_password_change_refuses_a_wrong_old_password(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": "sai-mat-khau", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Mật khẩu cũ" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_anonymous_cannot_open_password_change(client):
    response = client.get("/tai-khoan/doi-mat-khau/")
    assert response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/")


def _reset_link(client, email):
    client.post("/tai-khoan/quen-mat-khau/", {"email": email})
    return re.search(
        r"https://khuyencong\.hungyen\.gov\.vn(/tai-khoan/dat-lai-mat-khau/\S+/)", mail.outbox[-1].body
    )


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://khuyencong.hungyen.gov.vn"
    return settings.SITE_URL


def test_reset_by_email_case_insensitive_sends_a_working_link(client, site_url):
    # The link names the portal's public address (SITE_URL), not the Host the request came with.
    user = UserFactory(email="canbo@example.test", must_change_password=True)
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "CanBo@Example.TEST"})
    assert response.status_code == 302 and response.url == "/tai-khoan/quen-mat-khau/da-gui/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["canbo@example.test"]
    assert "Đặt lại mật khẩu" in message.subject
    assert "Kính gửi" in message.body and "có hiệu lực trong 24 giờ và chỉ dùng được một lần" in message.body
    assert "testserver" not in message.body
    link = re.search(
        r"https://khuyencong\.hungyen\.gov\.vn(/tai-khoan/dat-lai-mat-khau/\S+/)", message.body
    ).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and "Đặt mật khẩu mới" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.url == "/tai-khoan/dat-lai-mat-khau/xong/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.must_change_password

    again = client.get(link, follow=True).content.decode()  # a link works once
    assert "không hợp lệ, đã hết hạn hoặc đã được dùng" in again


def test_a_reset_link_expires_after_a_day(client, site_url):
    user = UserFactory(email="canbo@example.test")
    start = datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        link = _reset_link(client, "canbo@example.test").group(1)
        clock.shift(datetime.timedelta(hours=23, minutes=59))
        assert "Đặt mật khẩu mới" in client.get(link, follow=True).content.decode()
        assert "đã hết hạn" not in client.get(link, follow=True).content.decode()
        clock.shift(datetime.timedelta(minutes=2))
        page = client.get(link, follow=True).content.decode()
    assert "không hợp lệ, đã hết hạn hoặc đã được dùng" in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_reset_for_an_unknown_email_sends_nothing_and_tells_nothing(client):
    UserFactory(email="canbo@example.test")
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "khac@example.test"})
    assert response.status_code == 302 and response.url == "/tai-khoan/quen-mat-khau/da-gui/"
    assert mail.outbox == []


def test_reset_by_phone_number_advises_to_contact_staff(client):
    UserFactory(email=None, phone="0912345678")
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "0912345678"})
    assert response.status_code == 200
    assert "liên hệ cán bộ Sở Công Thương" in response.content.decode()
    assert mail.outbox == []


def test_reset_page_tells_users_without_email_to_contact_staff(client):
    response = client.get("/tai-khoan/quen-mat-khau/")
    assert response.status_code == 200
    assert "không có email" in response.content.decode()


def test_login_page_links_to_password_reset(client):
    assert "/tai-khoan/quen-mat-khau/" in client.get("/tai-khoan/dang-nhap/").content.decode()


def test_demo_user_without_email_can_sign_in_by_phone(client):
    User.objects.create_user(phone="0912000004", password=PASSWORD, full_name="Phạm Thị Lan")
    response = client.post("/tai-khoan/dang-nhap/", {"username": "0912.000.004", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/tai-khoan/"


def test_reset_emails_are_limited_per_email_and_per_address(client):
    """Nobody can flood a mailbox: three reset emails an hour per email typed, ten per address."""
    UserFactory(email="canbo@example.test")
    with time_machine.travel(datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC), tick=False) as clock:
        for _ in range(3):
            assert (
                client.post("/tai-khoan/quen-mat-khau/", {"email": "canbo@example.test"}).status_code == 302
            )
        response = client.post("/tai-khoan/quen-mat-khau/", {"email": "CanBo@example.test"})
        page = response.content.decode()
        assert response.status_code == 200 and "quá nhiều yêu cầu đặt lại mật khẩu" in page
        assert "chờ 60 phút" in page
        assert len(mail.outbox) == 3
        # an address that has no account is counted the same way: the message reveals nothing
        for _ in range(3):
            client.post("/tai-khoan/quen-mat-khau/", {"email": "khong-co@example.test"})
        assert (
            "quá nhiều yêu cầu"
            in client.post("/tai-khoan/quen-mat-khau/", {"email": "khong-co@example.test"}).content.decode()
        )
        clock.shift(datetime.timedelta(minutes=61))
        assert client.post("/tai-khoan/quen-mat-khau/", {"email": "canbo@example.test"}).status_code == 302
        assert len(mail.outbox) == 4

        for n in range(10):
            client.post(
                "/tai-khoan/quen-mat-khau/", {"email": f"n{n}@example.test"}, REMOTE_ADDR="203.0.113.5"
            )
        response = client.post(
            "/tai-khoan/quen-mat-khau/", {"email": "canbo@example.test"}, REMOTE_ADDR="203.0.113.5"
        )
        assert "quá nhiều yêu cầu" in response.content.decode() and len(mail.outbox) == 4


class StalledServer(locmem.EmailBackend):
    def send_messages(self, messages):
        raise TimeoutError("timed out")  # socket.timeout, as smtplib raises it


def test_the_reset_email_goes_through_the_mail_queue_once(client):
    user = UserFactory(email="canbo@example.test")
    with mock.patch("core.tasks.send_email.delay", wraps=send_email.delay) as queued:
        client.post("/tai-khoan/quen-mat-khau/", {"email": "canbo@example.test"})
    assert queued.call_count == 1 and len(mail.outbox) == 1
    delivery = EmailDelivery.objects.get()
    assert (delivery.event, delivery.recipient, delivery.status) == ("password_reset_link", user, "sent")
    assert "Đặt lại mật khẩu" in delivery.subject
    # the link itself is never stored
    assert "dat-lai-mat-khau" not in delivery.dedupe_key + delivery.subject + delivery.error


def test_a_stalled_mail_server_never_turns_a_reset_request_into_an_error_page(client, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.StalledServer"
    UserFactory(email="canbo@example.test")
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "canbo@example.test"})
    assert response.status_code == 302 and response.url == "/tai-khoan/quen-mat-khau/da-gui/"
    assert EmailDelivery.objects.get().status == "failed"
    assert "for event password_reset_link not sent: TimeoutError" in caplog.text
    assert "canbo@example.test" not in caplog.text

"""Issue 10 (security and robustness), items 2, 3, 4, 5, 7, 9, 10 and 11: each test reproduces what an
attack on the portal found, then holds the fix."""

import io
import socket
import socket
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from accounts.roles import Role
from tests.factories import UserFactory

# --- Item 4: two confirms of one preview import it once ---------------------------------------


def _applicant_rows_xlsx(n):
    from applicants.resources import APPLICANT_COLUMNS

    wb = Workbook()
    wb.active.append([h for h, _f in APPLICANT_COLUMNS])
    for i in range(n):
        wb.active.append(
            ["Hộ kinh doanh", f"Hộ kinh doanh số {i}", "", "", "Nguyễn Văn A", f"09120{i:05d}", "", "Thôn 1"]
            + ["11953", "Mây tre", 2015, 3, 500000000, ""]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "co-so.xlsx"
    return buffer


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirms_of_one_preview_import_it_once(committed_reference):
    from applicants.models import Applicant

    staff = UserFactory(roles=[Role.STAFF])
    first, second = Client(), Client()
    first.force_login(staff)
    second.force_login(staff)
    preview = first.post(reverse("applicants:import"), {"file": _applicant_rows_xlsx(30)})
    assert preview.context["result"].ok, [str(e) for e in preview.context["result"].errors]
    token = preview.context["token"]
    before = Applicant.objects.count()
    barrier = threading.Barrier(2)
    answers = []

    def confirm(client):
        from django.db import connection

        barrier.wait()
        try:
            answers.append(client.post(reverse("applicants:import"), {"token": token}, follow=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Applicant.objects.count() == before + 30
    texts = sorted(" ".join(str(m) for m in a.context["messages"]) for a in answers)
    assert any("Đã nhập 30 cơ sở" in t for t in texts), texts
    assert any("Tệp này đã được nhập" in t for t in texts), texts
    assert not any("Dòng 0" in t for t in texts)
    # a late third confirm is told the same, not that the session expired
    late = first.post(reverse("applicants:import"), {"token": token}, follow=True)
    assert "Tệp này đã được nhập" in " ".join(str(m) for m in late.context["messages"])


# --- Item 5: Redis down: sign-in, lookup and reset still answer, floods still refused -------------


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.mark.django_db
def test_with_the_cache_down_sign_in_works_and_five_wrong_passwords_still_lock(client, cache_down, caplog):
    from core.models import ThrottleCounter

    user = UserFactory(phone="0912345678")
    for _attempt in range(5):
        wrong = client.post("/tai-khoan/dang-nhap/", {"username": "0912345678", "password": "sai"})
        assert wrong.status_code == 200 and "mật khẩu không đúng" in wrong.content.decode()
    locked = client.post("/tai-khoan/dang-nhap/", {"username": "0912345678", "password": "matkhau-Test-123"})
    assert locked.status_code == 200 and "quá nhiều lần" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert ThrottleCounter.objects.filter(count=5).count() == 2  # the login and the address
    assert "the cache does not answer" in caplog.text
    other = UserFactory(phone="0912000111")
    ok = client.post("/tai-khoan/dang-nhap/", {"username": "0912000111", "password": "matkhau-Test-123"})
    assert ok.status_code == 302 and client.session["_auth_user_id"] == str(other.pk)
    assert user.pk


@pytest.mark.django_db
def test_with_the_cache_down_the_lookup_the_reset_and_the_admin_sign_in_answer(client, cache_down):
    UserFactory(email="canbo@example.test")
    assert client.get(reverse("applicants:lookup")).status_code == 200
    lookup = client.post(reverse("applicants:lookup"), {"code": "YC-2026-000001", "secret": "0912345678"})
    assert lookup.status_code == 200
    reset = client.post(reverse("accounts:password_reset"), {"email": "canbo@example.test"})
    assert reset.status_code == 302
    admin = client.post("/quan-tri/login/", {"username": "canbo@example.test", "password": "sai"})
    assert admin.status_code == 200


@pytest.mark.django_db
def test_the_health_page_reports_the_cache_down(client, cache_down):
    body = client.get("/healthz/").json()
    assert body["status"] == "degraded"
    assert body["cache"] == {"ok": False, "error": "ConnectionError", "fallback": "database"}

"""Issue 10 (security and robustness), items 2, 3, 4, 5, 7, 9, 10 and 11: each test reproduces what an
attack on the portal found, then holds the fix."""

import io
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

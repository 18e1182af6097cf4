"""`make run`'s demo opens the reporting period of the demo's year: the commune official finds
their report on the first page, pre-filled from the demo projects; loading twice changes nothing."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from reports.models import ReportingPeriod, UnitReport

pytestmark = pytest.mark.django_db


def test_the_demo_opens_the_period_and_the_official_finds_the_report(client):
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    call_command("load_demo", force=True, stdout=io.StringIO())
    period = ReportingPeriod.objects.get(year=2026)
    assert ReportingPeriod.objects.count() == 1 and period.expected.count() > 104
    assert "Kỳ báo cáo năm 2026" in out.getvalue()
    official = User.objects.get(phone="0912000003")  # UBND phường Phố Hiến
    report = UnitReport.objects.get(period=period, unit__members=official)
    client.force_login(official)
    assert f"/bao-cao/don-vi/{report.pk}/" in client.get("/tai-khoan/").content.decode()
    assert client.get(f"/bao-cao/don-vi/{report.pk}/").status_code == 200

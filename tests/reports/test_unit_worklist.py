"""The commune official's line on "Trang làm việc" (issue 11, item 6): their unit's report of the
open period, its status and the time left; gone once the period is closed, back when reopened."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from programmes.models import Indicator
from reports import services
from reports.models import UnitReport

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NARRATIVE = {"results": "Kết quả.", "difficulties": "Khó khăn.", "proposals": "Đề xuất."}


@pytest.fixture
def clock():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=HCM), tick=False) as traveller:
        yield traveller


@pytest.fixture
def report(clock, staff):
    period = services.period_open(user=staff, year=2026)
    return UnitReport.objects.get(period=period, unit__commune__code="11953")


def _line(client, user, report):
    client.force_login(user)
    html = client.get("/tai-khoan/").content.decode()
    found = re.search(rf'<a [^>]*href="([^"]*)" data-line="unit-report-{report.pk}">(.*?)</a>', html, re.S)
    return (found.group(1), re.sub(r"\s+", " ", found.group(2))) if found else None


def test_the_official_sees_their_report_its_status_and_the_time_left(client, reporter, report):
    href, text = _line(client, reporter, report)
    assert href == f"/bao-cao/don-vi/{report.pk}/"
    assert "Báo cáo kết quả khuyến công năm 2026 — UBND phường Phố Hiến" in text
    assert "Đang soạn · Chưa gửi · Hạn gửi: 22/12/2026 (còn 21 ngày)" in text


def test_after_sending_the_line_says_on_time_and_after_a_return_the_day_wanted(
    client, staff, reporter, report, clock
):
    values = {i.pk: {"value": 1, "note": "Số của đơn vị"} for i in Indicator.objects.filter(is_active=True)}
    services.unit_report_submit(user=reporter, report=report, values=values, narrative=NARRATIVE)
    assert "Đã gửi · Gửi đúng hạn" in _line(client, reporter, report)[1]
    services.unit_report_transition(
        user=staff,
        report=report,
        step="return",
        data={"comment": "Thiếu", "wanted_back_by": datetime.date(2026, 12, 5)},
    )
    assert "Hạn gửi lại: 05/12/2026 (còn 4 ngày)" in _line(client, reporter, report)[1]
    clock.move_to(datetime.datetime(2026, 12, 7, 9, tzinfo=HCM))
    assert "đã quá hạn 2 ngày" in _line(client, reporter, report)[1]


def test_a_closed_period_leaves_the_list_until_staff_reopen_the_report(client, staff, reporter, report):
    services.period_close(user=staff, period=report.period)
    assert _line(client, reporter, report) is None
    services.unit_report_reopen(user=staff, report=report, reason="Bổ sung số liệu")
    assert "Đang soạn" in _line(client, reporter, report)[1]


def test_no_line_for_another_units_report_nor_for_staff(client, staff, reporter, report):
    other = UnitReport.objects.get(period=report.period, unit__commune__code="12364")
    assert _line(client, reporter, other) is None
    assert _line(client, staff, report) is None

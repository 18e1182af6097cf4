"""The completeness board (issue 11, item 5): expected / submitted / on time / late / missing /
accepted / returned, per unit with a drill-down to its report, filtered by kind, sortable, in a
bounded number of queries, and the same figures as a spreadsheet with formulas neutralised."""

import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from programmes.models import Indicator, ReportingUnit
from reports import services
from reports.completeness import reporting_completeness
from reports.models import ExpectedUnit, UnitReport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NARRATIVE = {"results": "Kết quả.", "difficulties": "Khó khăn.", "proposals": "Đề xuất."}


@pytest.fixture
def clock():
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, tzinfo=HCM), tick=False) as traveller:
        yield traveller


@pytest.fixture
def period(clock, staff):
    return services.period_open(user=staff, year=2026)


def _official(unit):
    user = UserFactory(roles=["unit_reporter"])
    unit.members.add(user)
    return user


def _send(report):
    user = _official(report.unit)
    values = {i.pk: {"value": 1, "note": "Số của đơn vị"} for i in Indicator.objects.filter(is_active=True)}
    services.unit_report_submit(user=user, report=report, values=values, narrative=NARRATIVE)


def _reports(period, *codes):
    return [UnitReport.objects.get(period=period, unit__commune__code=c) for c in codes]


@pytest.fixture
def seeded(clock, staff, period):
    """On time: Phố Hiến (accepted) and Tiên Lữ (returned); late: 12127; a partner department
    on time; one department excused; every other unit missing after the deadline."""
    pho_hien, tien_lu, late = _reports(period, "11953", "12364", "12127")
    department = UnitReport.objects.get(period=period, unit__code="so-nong-nghiep-moi-truong")
    clock.move_to(datetime.datetime(2026, 12, 20, 9, tzinfo=HCM))
    for report in (pho_hien, tien_lu, department):
        _send(report)
    services.unit_report_transition(user=staff, report=pho_hien, step="accept")
    services.unit_report_transition(
        user=staff,
        report=tien_lu,
        step="return",
        data={"comment": "Bổ sung", "wanted_back_by": datetime.date(2026, 12, 26)},
    )
    clock.move_to(datetime.datetime(2026, 12, 23, 0, 0, 1, tzinfo=HCM))
    _send(late)
    services.expected_unit_excuse(
        user=staff,
        period=period,
        unit=ReportingUnit.objects.get(code="so-tai-chinh"),
        reason="Không có nhiệm vụ",
    )
    return period


def test_the_figures_per_unit_and_in_total(seeded):
    board = reporting_completeness(seeded)
    expected = ExpectedUnit.objects.filter(period=seeded, excused=False).count()
    assert board.summary == {
        "expected": expected,
        "submitted": 4,
        "on_time": 3,
        "late": 1,
        "missing": expected - 4,
        "accepted": 1,
        "returned": 1,
        "excused": 1,
    }
    states = {r.unit.code: (r.status, r.timeliness) for r in board.rows}
    by_commune = {r.unit.commune.code: (r.status, r.timeliness) for r in board.rows if r.unit.commune}
    assert by_commune["11953"] == ("accepted", "on_time")
    assert by_commune["12364"] == ("returned", "on_time")
    assert by_commune["12127"] == ("submitted", "late")
    assert by_commune["12025"] == ("draft", "missing")
    assert states["so-tai-chinh"] == ("draft", "excused")


def test_filter_by_kind_changes_the_figures_and_show_keeps_one_figures_rows(seeded):
    departments = reporting_completeness(seeded, kind="department")
    assert {r.unit.kind for r in departments.rows} == {"department"}
    assert (departments.summary["submitted"], departments.summary["excused"]) == (1, 1)
    late = reporting_completeness(seeded, show="late")
    assert [r.unit.commune.code for r in late.rows] == ["12127"]
    assert reporting_completeness(seeded, kind="nonsense").kind == ""


def test_sorting_and_search_ignoring_diacritics(seeded):
    by_time = reporting_completeness(seeded, sort="submitted").rows
    assert by_time[0].first_submitted_at is not None and by_time[-1].first_submitted_at is None
    assert by_time[3].unit.commune.code == "12127"  # the last one sent
    names = [r.unit.sort_key for r in reporting_completeness(seeded, kind="commune").rows]
    assert names == sorted(names)
    reverse = [r.unit.sort_key for r in reporting_completeness(seeded, kind="commune", sort="-name").rows]
    assert reverse == sorted(names, reverse=True)
    found = reporting_completeness(seeded, q="pho hien").rows
    assert [r.unit.commune.code for r in found] == ["11953"]


def test_the_board_page_drills_down_to_each_report(client, staff, seeded):
    client.force_login(staff)
    page = client.get(f"/bao-cao/ky/{seeded.pk}/?kind=commune&sort=submitted").content.decode()
    report = UnitReport.objects.get(period=seeded, unit__commune__code="12127")
    assert f'href="/bao-cao/don-vi/{report.pk}/"' in page
    figures = dict(re.findall(r'data-figure="(\w+)".*?data-count>(\d+)<', page, re.S))
    assert (figures["submitted"], figures["late"], figures["accepted"]) == ("3", "1", "1")


def _seed_more(period, n):
    for report in UnitReport.objects.filter(period=period, status="draft", unit__kind="commune")[:n]:
        _send(report)


def test_the_board_takes_a_bounded_number_of_queries(client, staff, period, django_assert_max_num_queries):
    client.force_login(staff)
    _seed_more(period, 1)
    with django_assert_max_num_queries(8):
        assert client.get(f"/bao-cao/ky/{period.pk}/").status_code == 200
    _seed_more(period, 30)
    with django_assert_max_num_queries(8):
        page = client.get(f"/bao-cao/ky/{period.pk}/")
    assert re.search(r'data-figure="submitted".*?data-count>31<', page.content.decode(), re.S)
    with django_assert_max_num_queries(8):
        assert client.get(f"/bao-cao/ky/{period.pk}/?format=xlsx").status_code == 200


def test_the_spreadsheet_carries_the_same_figures_with_formulas_neutralised(client, staff, seeded):
    odd = ReportingUnit.objects.create(code="to-chuc-la", name='=HYPERLINK("http://x")', kind="organisation")
    services.expected_unit_add(user=staff, period=seeded, unit=odd, reason="+cmd|' /C calc'!A0")
    client.force_login(staff)
    response = client.get(f"/bao-cao/ky/{seeded.pk}/?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    summary, units = workbook.worksheets
    header = [c.value for c in summary[3]]
    values = [c.value for c in summary[4]]
    figures = dict(zip(header, values, strict=True))
    board = reporting_completeness(seeded)
    assert figures["Phải báo cáo"] == board.summary["expected"]
    assert (figures["Đã gửi"], figures["Đúng hạn"], figures["Muộn"]) == (4, 3, 1)
    assert figures["Chưa gửi"] == board.summary["missing"] and figures["Được miễn"] == 1
    rows = list(units.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(board.rows)
    odd_row = next(r for r in rows if "HYPERLINK" in str(r[1]))
    assert odd_row[1].startswith("'=") and odd_row[7].startswith("'+")
    late_row = next(r for r in rows if r[4] == "Gửi muộn")
    assert late_row[5] == datetime.datetime(2026, 12, 23, 0, 0, 1)  # shown in the province's time

"""The unit report's workflow (issue 11, item 4) on the shared engine, with frozen time on both sides
of the deadline (22/12 23:59:59 and 23/12 00:00:01 in Asia/Ho_Chi_Minh) and the server's clock in
UTC: on time vs late vs locked, return and resubmission by the day staff set and after it, reopening
a report of a closed period with a reason."""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import Notification
from programmes.models import Indicator, ReportingUnit
from reports import services
from reports.models import UnitReport, UnitReportEvent

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
Status = UnitReport.Status


def at(day, hour=10, minute=0, second=0, month=12, year=2026):
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=HCM)


LAST_SECOND = at(22, 23, 59, 59)
FIRST_SECOND_AFTER = at(23, 0, 0, 1)


@pytest.fixture(autouse=True)
def server_clock_in_utc(monkeypatch):
    """The server's own clock zone is UTC (Django set the process's TZ to TIME_ZONE): nothing may
    depend on it."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def clock():
    with time_machine.travel(at(2), tick=False) as traveller:
        yield traveller


@pytest.fixture
def period(clock, staff):
    return services.period_open(user=staff, year=2026)


@pytest.fixture
def report(period):
    return UnitReport.objects.get(period=period, unit__commune__code="11953")


NARRATIVE = {
    "results": "Đã hoàn thành kế hoạch khuyến công năm.",
    "difficulties": "Kinh phí đối ứng của cơ sở còn hạn chế.",
    "proposals": "Đề nghị tăng kinh phí khuyến công địa phương.",
}


def complete_values():
    """Every active indicator's figure: the portal's (0 without projects), 5 where it has none."""
    return {
        i.pk: {"value": 5 if i.prefill == "none" else 0, "note": ""}
        for i in Indicator.objects.filter(is_active=True)
    }


def send(user, report, **kwargs):
    report = UnitReport.objects.get(pk=report.pk)
    kwargs.setdefault("values", complete_values())
    kwargs.setdefault("narrative", NARRATIVE)
    return services.unit_report_submit(user=user, report=report, **kwargs)


def review(user, report, step, **data):
    return services.unit_report_transition(
        user=user, report=UnitReport.objects.get(pk=report.pk), step=step, data=data
    )


def test_sent_in_the_last_second_of_22_12_is_on_time(clock, reporter, report):
    clock.move_to(LAST_SECOND)
    sent = send(reporter, report)
    assert (sent.status, sent.late) == (Status.SUBMITTED, False)
    assert sent.first_submitted_at == datetime.datetime(2026, 12, 22, 16, 59, 59, tzinfo=datetime.UTC)
    event = UnitReportEvent.objects.get(report=report)
    assert (event.step, event.from_status, event.to_status, event.actor, event.late) == (
        "submit",
        "draft",
        "submitted",
        reporter,
        False,
    )


def test_sent_one_second_into_23_12_is_late(clock, reporter, report):
    clock.move_to(FIRST_SECOND_AFTER)
    sent = send(reporter, report)
    assert (sent.status, sent.late) == (Status.SUBMITTED, True)


def test_before_the_deadline_a_draft_is_not_overdue_after_it_it_is(clock, report):
    clock.move_to(LAST_SECOND)
    assert not UnitReport.objects.get(pk=report.pk).is_overdue
    clock.move_to(FIRST_SECOND_AFTER)
    assert UnitReport.objects.get(pk=report.pk).is_overdue


def test_after_closing_the_reports_are_locked_which_is_not_lateness(clock, staff, reporter, report, period):
    clock.move_to(at(20))
    services.period_close(user=staff, period=period)
    locked = UnitReport.objects.get(pk=report.pk)
    assert locked.is_locked and not locked.late  # locked before the deadline: not late
    with pytest.raises(ValidationError, match="khóa sổ") as error:
        send(reporter, report)
    assert error.value.code == "locked"
    with pytest.raises(ValidationError, match="khóa sổ"):
        services.unit_report_save(user=reporter, report=locked, narrative={"results": "Sửa"})
    assert UnitReport.objects.get(pk=report.pk).status == Status.DRAFT
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        services.period_close(user=staff, period=period)


def test_staff_reopen_one_report_with_a_reason_the_unit_sees_it_and_sends_it_late(
    clock, staff, reporter, report, period
):
    other = UnitReport.objects.get(period=period, unit__commune__code="12364")
    clock.move_to(at(24))
    services.period_close(user=staff, period=period)
    with pytest.raises(ValidationError, match="Lý do mở lại"):
        services.unit_report_reopen(user=staff, report=report, reason="")
    reopened = services.unit_report_reopen(user=staff, report=report, reason="Xã bị mất điện ngày 22/12")
    assert (reopened.status, reopened.reopen_reason, reopened.is_locked) == (
        Status.DRAFT,
        "Xã bị mất điện ngày 22/12",
        False,
    )
    assert UnitReport.objects.get(pk=other.pk).is_locked  # only that one
    told = Notification.objects.get(recipient=reporter)
    assert "Mở lại" in told.title and told.body == "Xã bị mất điện ngày 22/12"
    clock.move_to(at(28))
    sent = send(reporter, report)
    assert (sent.status, sent.late) == (Status.SUBMITTED, True)  # first sent after the deadline
    event = UnitReportEvent.objects.get(report=report, step="reopen_draft")
    assert (event.comment, event.actor) == ("Xã bị mất điện ngày 22/12", staff)


def test_an_accepted_report_of_a_closed_period_reopens_as_returned(clock, staff, reporter, report, period):
    clock.move_to(at(20))
    send(reporter, report)
    review(staff, report, "accept")
    services.period_close(user=staff, period=period)
    reopened = services.unit_report_reopen(
        user=staff, report=report, reason="Sai số liệu kinh phí", wanted_back_by=datetime.date(2027, 1, 5)
    )
    assert (reopened.status, reopened.wanted_back_by, reopened.is_editable) == (
        Status.RETURNED,
        datetime.date(2027, 1, 5),
        True,
    )
    sent = send(reporter, report)
    assert (sent.status, sent.late) == (Status.SUBMITTED, False)  # on time by its first submission


def test_an_open_report_is_not_reopened(clock, staff, report):
    with pytest.raises(ValidationError, match="vẫn sửa được"):
        services.unit_report_reopen(user=staff, report=report, reason="Thử")


def _returned_on_the_20th(clock, staff, reporter, report, back_by):
    clock.move_to(at(20))
    send(reporter, report)
    review(staff, report, "return", comment="Bổ sung số học viên", wanted_back_by=back_by)
    returned = UnitReport.objects.get(pk=report.pk)
    assert (returned.status, returned.wanted_back_by) == (Status.RETURNED, back_by)
    return returned


def test_resubmitted_by_the_day_staff_set_keeps_its_on_time_status(clock, staff, reporter, report):
    _returned_on_the_20th(clock, staff, reporter, report, datetime.date(2026, 12, 27))
    clock.move_to(at(27, 23, 59, 59))  # after the unit deadline, on the last second of the day set
    sent = send(reporter, report)
    assert (sent.status, sent.late) == (Status.SUBMITTED, False)
    assert sent.first_submitted_at == at(20)


def test_resubmitted_after_the_day_staff_set_is_late(clock, staff, reporter, report):
    _returned_on_the_20th(clock, staff, reporter, report, datetime.date(2026, 12, 27))
    clock.move_to(at(28, 0, 0, 1))
    assert UnitReport.objects.get(pk=report.pk).is_overdue
    sent = send(reporter, report)
    assert (sent.status, sent.late) == (Status.SUBMITTED, True)


def test_a_late_first_submission_stays_late_when_resubmitted_in_time(clock, staff, reporter, report):
    clock.move_to(FIRST_SECOND_AFTER)
    send(reporter, report)
    review(staff, report, "return", comment="Thiếu", wanted_back_by=datetime.date(2026, 12, 26))
    clock.move_to(at(25))
    assert send(reporter, report).late


def test_return_needs_what_to_add_and_a_day_not_past(clock, staff, reporter, report):
    clock.move_to(at(20))
    send(reporter, report)
    with pytest.raises(ValidationError) as error:
        review(staff, report, "return", comment="", wanted_back_by=None)
    assert set(error.value.message_dict) == {"comment", "wanted_back_by"}
    with pytest.raises(ValidationError, match="trước hôm nay"):
        review(staff, report, "return", comment="Thiếu", wanted_back_by=datetime.date(2026, 12, 19))
    assert UnitReport.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_only_sở_officers_review_and_only_the_units_officials_send(
    clock, staff, leader, reporter, report, period
):
    from tests.factories import UserFactory

    stranger = UserFactory(roles=["unit_reporter"])
    ReportingUnit.objects.get(commune__code="12364").members.add(stranger)
    clock.move_to(at(20))
    with pytest.raises(ValidationError, match="không phải cán bộ báo cáo"):
        send(stranger, report)
    with pytest.raises(ValidationError, match="không phải cán bộ báo cáo"):
        send(staff, report)
    send(reporter, report)
    for user in (leader, reporter):
        with pytest.raises(ValidationError, match="không có quyền"):
            review(user, report, "accept")
    with pytest.raises(ValidationError):
        review(staff, report, "submit")
    accepted = review(staff, report, "accept", comment="Đạt")
    assert accepted.status == Status.ACCEPTED
    assert Notification.objects.filter(recipient=reporter, event="unit_report_reviewed").count() == 1
    with pytest.raises(ValidationError, match="Không thể"):
        review(staff, report, "return", comment="Muộn", wanted_back_by=datetime.date(2026, 12, 30))


def test_an_incomplete_report_is_refused_with_vietnamese_messages_and_nothing_changes(
    clock, reporter, report
):
    clock.move_to(at(20))
    values = complete_values()
    trainees = Indicator.objects.get(code="hoc_vien")
    workers = Indicator.objects.get(code="lao_dong_tang_them")
    values[trainees.pk] = {"value": 12, "note": ""}  # the portal has 0: a note is needed
    values[workers.pk] = {"value": None, "note": ""}
    with pytest.raises(ValidationError) as error:
        send(reporter, report, values=values, narrative={**NARRATIVE, "proposals": "  "})
    messages = error.value.message_dict
    assert set(messages) == {f"note_{trainees.pk}", f"value_{workers.pk}", "proposals"}
    assert "cần ghi giải trình" in messages[f"note_{trainees.pk}"][0]
    assert "Chưa nhập số liệu" in messages[f"value_{workers.pk}"][0]
    assert (
        "Đề xuất, kiến nghị" in messages["proposals"][0] or "đề xuất, kiến nghị" in messages["proposals"][0]
    )
    unchanged = UnitReport.objects.get(pk=report.pk)
    assert (unchanged.status, unchanged.version, unchanged.results, unchanged.values.count()) == (
        Status.DRAFT,
        1,
        "",
        0,
    )
    values[trainees.pk]["note"] = "Có thêm lớp do xã tự tổ chức"
    values[workers.pk]["value"] = 7
    sent = send(reporter, report, values=values)
    row = sent.values.get(indicator=trainees)
    assert (row.prefilled, row.value, row.note) == (0, 12, "Có thêm lớp do xã tự tổ chức")


def test_a_draft_saves_at_any_time_without_checks_and_a_stale_form_is_refused(clock, reporter, report):
    saved = services.unit_report_save(
        user=reporter, report=report, values={}, narrative={"results": "Nháp"}, expected_version=1
    )
    assert (saved.results, saved.version, saved.status) == ("Nháp", 2, Status.DRAFT)
    with pytest.raises(ValidationError, match="vừa được người khác cập nhật"):
        services.unit_report_save(
            user=reporter, report=report, narrative={"results": "Cũ"}, expected_version=1
        )
    assert UnitReport.objects.get(pk=report.pk).results == "Nháp"
    bad = {Indicator.objects.get(code="hoc_vien").pk: {"value": -3, "note": ""}}
    with pytest.raises(ValidationError, match="không âm"):
        services.unit_report_save(user=reporter, report=report, values=bad, expected_version=2)


def test_nothing_is_sent_before_the_period_opens(staff, reporter):
    with time_machine.travel(at(20, month=11), tick=False):
        period = services.period_open(user=staff, year=2026)
        report = UnitReport.objects.get(period=period, unit__commune__code="11953")
        services.unit_report_save(user=reporter, report=report, narrative={"results": "Soạn trước"})
        with pytest.raises(ValidationError, match="bắt đầu nhận báo cáo từ 01/12/2026"):
            send(reporter, report)

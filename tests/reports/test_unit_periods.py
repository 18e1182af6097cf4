"""Reporting periods (issue 11, item 1): the decision's default dates as aware moments in
Asia/Ho_Chi_Minh, the snapshot of the units expected taken when the period opens, one report per
unit and period, staff adding or excusing a unit with a reason."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programmes.models import AdministrativeUnit, ReportingUnit
from reports import services
from reports.models import ExpectedUnit, ReportingPeriod, UnitReport, UnitReportValue

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = datetime.UTC


def test_a_period_opens_with_the_decisions_dates_in_the_provinces_time(staff, settings):
    period = services.period_open(user=staff, year=2026)
    period.refresh_from_db()
    assert period.opens_at == datetime.datetime(2026, 12, 1, 0, 0, tzinfo=HCM)
    # end of 22/12 and of 31/12 there, whatever zone the server's clock is in
    assert period.unit_deadline == datetime.datetime(2026, 12, 22, 16, 59, 59, 999999, tzinfo=UTC)
    assert period.province_deadline.astimezone(HCM) == datetime.datetime(
        2026, 12, 31, 23, 59, 59, 999999, tzinfo=HCM
    )
    assert (period.data_from, period.data_to) == (datetime.date(2025, 12, 15), datetime.date(2026, 12, 14))
    assert period.reminder_offsets == [7, 3, 1, -1]
    assert not period.is_closed and period.opened_by == staff


def test_dates_given_replace_the_defaults_and_must_be_in_order(staff):
    deadline = datetime.datetime(2026, 12, 20, 23, 59, 59, tzinfo=HCM)
    period = services.period_open(user=staff, year=2026, unit_deadline=deadline, reminder_offsets=[5, -2])
    assert (period.unit_deadline, period.reminder_offsets) == (deadline, [5, -2])
    with pytest.raises(ValidationError):
        services.period_open(
            user=staff, year=2027, unit_deadline=datetime.datetime(2028, 1, 5, tzinfo=HCM)
        )  # after the province's deadline
    with pytest.raises(ValidationError) as error:
        services.period_open(user=staff, year=2028, reminder_offsets=["bảy"])
    assert "reminder_offsets" in error.value.message_dict
    assert list(ReportingPeriod.objects.values_list("year", flat=True)) == [2026]


def test_the_snapshot_holds_every_active_unit_each_with_its_draft_report(staff):
    expected = set(ReportingUnit.objects.filter(is_active=True).values_list("pk", flat=True))
    assert len(expected) > 104  # the 104 communes and the partner departments and organisations
    period = services.period_open(user=staff, year=2026)
    assert set(period.expected.values_list("unit", flat=True)) == expected
    reports = UnitReport.objects.filter(period=period)
    assert set(reports.values_list("unit", flat=True)) == expected
    assert set(reports.values_list("status", flat=True)) == {UnitReport.Status.DRAFT}


def test_a_unit_inactive_before_opening_is_not_expected(staff):
    ReportingUnit.objects.filter(code="so-tai-chinh").update(is_active=False)
    AdministrativeUnit.objects.filter(code="12364").update(is_active=False)  # merged away
    period = services.period_open(user=staff, year=2026)
    units = set(period.expected.values_list("unit__code", flat=True))
    assert "so-tai-chinh" not in units
    assert not period.expected.filter(unit__commune__code="12364").exists()
    assert period.expected.filter(unit__commune__code="11953").exists()


def test_the_snapshot_does_not_change_when_a_commune_is_deactivated_after_opening(staff):
    period = services.period_open(user=staff, year=2026)
    before = set(period.expected.values_list("unit", flat=True))
    AdministrativeUnit.objects.filter(code="12364").update(is_active=False)
    ReportingUnit.objects.filter(commune__code="12364").update(is_active=False)
    ReportingUnit.objects.create(code="so-moi", name="Sở mới thành lập", kind=ReportingUnit.Kind.DEPARTMENT)
    assert set(period.expected.values_list("unit", flat=True)) == before


def test_one_period_per_year_and_only_staff_open_it(staff, leader, reporter):
    services.period_open(user=staff, year=2026)
    with pytest.raises(ValidationError, match="đã được mở"):
        services.period_open(user=staff, year=2026)
    for user in (leader, reporter):
        with pytest.raises(ValidationError, match="Chỉ cán bộ Sở"):
            services.period_open(user=user, year=2027)
    assert ReportingPeriod.objects.count() == 1


def test_one_report_per_unit_and_period_is_a_database_constraint(staff):
    period = services.period_open(user=staff, year=2026)
    unit = ReportingUnit.objects.get(commune__code="11953")
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitReport.objects.create(period=period, unit=unit)


def test_staff_add_a_unit_with_a_reason_and_it_gets_its_report(staff):
    period = services.period_open(user=staff, year=2026)
    new = ReportingUnit.objects.create(
        code="so-moi", name="Sở mới thành lập", kind=ReportingUnit.Kind.DEPARTMENT
    )
    with pytest.raises(ValidationError, match="lý do"):
        services.expected_unit_add(user=staff, period=period, unit=new, reason="  ")
    row = services.expected_unit_add(user=staff, period=period, unit=new, reason="Thành lập tháng 11")
    assert (row.added_by_staff, row.added_reason, row.changed_by) == (True, "Thành lập tháng 11", staff)
    assert UnitReport.objects.filter(period=period, unit=new, status="draft").exists()
    with pytest.raises(ValidationError, match="đã có trong danh sách"):
        services.expected_unit_add(user=staff, period=period, unit=new, reason="Lần nữa")


def test_staff_excuse_a_unit_with_a_reason(staff, leader):
    period = services.period_open(user=staff, year=2026)
    unit = ReportingUnit.objects.get(code="so-tai-chinh")
    with pytest.raises(ValidationError, match="Chỉ cán bộ Sở"):
        services.expected_unit_excuse(user=leader, period=period, unit=unit, reason="Không có nhiệm vụ")
    with pytest.raises(ValidationError, match="lý do"):
        services.expected_unit_excuse(user=staff, period=period, unit=unit, reason="")
    row = services.expected_unit_excuse(user=staff, period=period, unit=unit, reason="Không có nhiệm vụ")
    assert (row.excused, row.excuse_reason) == (True, "Không có nhiệm vụ")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpectedUnit.objects.filter(pk=row.pk).update(excuse_reason="")


def test_a_value_keeps_the_prefilled_figure_beside_the_units_own(staff):
    period = services.period_open(user=staff, year=2026)
    report = UnitReport.objects.get(period=period, unit__commune__code="11953")
    from programmes.models import Indicator

    value = UnitReportValue.objects.create(
        report=report, indicator=Indicator.objects.get(code="hoc_vien"), prefilled=30, value=32
    )
    assert value.differs
    value.value = 30
    assert not value.differs
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitReportValue.objects.create(report=report, indicator=value.indicator, value=1)

"""Every write on reporting periods and unit reports that carries a rule. Keyword-only,
transactional, Vietnamese errors; a refusal changes nothing."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from core.text import nfc
from programmes.models import ReportingUnit

from .models import ExpectedUnit, ReportingPeriod, UnitReport, period_defaults

PERIOD_FIELDS = ("opens_at", "unit_deadline", "province_deadline", "data_from", "data_to", "reminder_offsets")


def require_staff(user: User) -> None:
    """Periods, the expected units and the review of reports are the Sở officers' work; leaders
    read the board."""
    if not has_role(user, Role.STAFF):
        raise ValidationError(_("Chỉ cán bộ Sở được thực hiện thao tác này."), code="forbidden")


def _reason(reason: str, label: str) -> str:
    text = nfc(reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Cần ghi %(what)s.") % {"what": label}}, code="required")
    return text


def units_to_snapshot():
    """The units that must report: active reporting units, a commune's only while the commune
    itself is active (a merged commune reports as its successor)."""
    return ReportingUnit.objects.filter(is_active=True).exclude(commune__is_active=False)


def _lock_period(period: ReportingPeriod) -> ReportingPeriod:
    return ReportingPeriod.objects.select_for_update().get(pk=period.pk)


@transaction.atomic
def period_open(*, user: User, year: int, **dates) -> ReportingPeriod:
    """Open the period of `year` with the decision's dates (period_defaults) or those given, and
    take the snapshot of the units expected: each gets its draft report. One period per year."""
    require_staff(user)
    year = int(year)
    if ReportingPeriod.objects.filter(year=year).exists():
        raise ValidationError(
            {"year": _("Kỳ báo cáo năm %(year)s đã được mở.") % {"year": year}}, code="exists"
        )
    values = period_defaults(year)
    values.update({k: v for k, v in dates.items() if k in PERIOD_FIELDS and v not in (None, "")})
    period = ReportingPeriod(year=year, opened_by=user, opened_at=timezone.now(), **values)
    period.full_clean()
    period.save()
    units = list(units_to_snapshot())
    ExpectedUnit.objects.bulk_create([ExpectedUnit(period=period, unit=u) for u in units])
    UnitReport.objects.bulk_create([UnitReport(period=period, unit=u) for u in units])
    return period


@transaction.atomic
def expected_unit_add(
    *, user: User, period: ReportingPeriod, unit: ReportingUnit, reason: str
) -> ExpectedUnit:
    """Staff add a unit to a period after it opened (a new partner, a commune split), with the
    reason; it gets its draft report. A unit already expected is refused."""
    require_staff(user)
    period = _lock_period(period)
    reason = _reason(reason, _("lý do bổ sung đơn vị"))
    if period.is_closed:
        raise ValidationError(_("Kỳ báo cáo đã khóa sổ."), code="closed")
    if ExpectedUnit.objects.filter(period=period, unit=unit).exists():
        raise ValidationError(
            {"unit": _("%(unit)s đã có trong danh sách phải báo cáo.") % {"unit": unit}}, code="exists"
        )
    row = ExpectedUnit.objects.create(
        period=period, unit=unit, added_by_staff=True, added_reason=reason, changed_by=user
    )
    UnitReport.objects.get_or_create(period=period, unit=unit)
    return row


@transaction.atomic
def expected_unit_excuse(
    *, user: User, period: ReportingPeriod, unit: ReportingUnit, reason: str
) -> ExpectedUnit:
    """Staff excuse a unit from the period (it leaves the denominator; its row and report stay),
    with the reason."""
    require_staff(user)
    _lock_period(period)
    reason = _reason(reason, _("lý do miễn báo cáo"))
    row = ExpectedUnit.objects.select_for_update().filter(period=period, unit=unit).first()
    if row is None:
        raise ValidationError({"unit": _("Đơn vị không có trong danh sách phải báo cáo.")}, code="unknown")
    row.excused, row.excuse_reason, row.changed_by = True, reason, user
    row.save(update_fields=["excused", "excuse_reason", "changed_by"])
    return row

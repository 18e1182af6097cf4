"""Every write on reporting periods and unit reports that carries a rule. Keyword-only,
transactional, Vietnamese errors; a refusal changes nothing."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from accounts.notifications import Event, notify
from accounts.roles import Role, has_role
from core.concurrency import STALE_MESSAGE
from core.money import trieu_as_shown
from core.text import nfc
from core.workflow import apply_step
from programmes.models import Indicator, ReportingUnit

from . import workflow
from .forms import MILLION, scale_of
from .models import ExpectedUnit, ReportingPeriod, UnitReport, UnitReportValue, period_defaults
from .pdf import pdf_request
from .prefill import Window, unit_prefill
from .steps import check_not_locked
from .unit_selectors import report_indicators

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
    # with their audit trail's first row (core.audit), which bulk_create alone would not write
    bulk_create_with_history(
        [UnitReport(period=period, unit=u) for u in units], UnitReport, default_user=user
    )
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


@transaction.atomic
def period_close(*, user: User, period: ReportingPeriod) -> ReportingPeriod:
    """Staff close the period: every report is locked (staff may reopen one with a reason)."""
    require_staff(user)
    period = _lock_period(period)
    if period.is_closed:
        raise ValidationError(_("Kỳ báo cáo đã khóa sổ."), code="closed")
    period.is_closed, period.closed_at, period.closed_by = True, timezone.now(), user
    period.version += 1
    period.save(update_fields=["is_closed", "closed_at", "closed_by", "version"])
    return period


# --- the unit's report ---------------------------------------------------------------------------

NARRATIVE = ("results", "difficulties", "proposals")


def _lock_report(report: UnitReport) -> UnitReport:
    return (
        UnitReport.objects.select_for_update(of=("self",))
        .select_related("period", "unit", "unit__commune")
        .get(pk=report.pk)
    )


def _check_version(report: UnitReport, expected_version) -> None:
    if expected_version is not None and report.version != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")


def check_may_edit(user: User, report: UnitReport) -> None:
    if not (has_role(user, Role.UNIT_REPORTER) and report.unit.members.filter(pk=user.pk).exists()):
        raise ValidationError(_("Bạn không phải cán bộ báo cáo của đơn vị này."), code="forbidden")
    check_not_locked(report)
    if not report.is_editable:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái “%(status)s”: đơn vị không sửa được.")
            % {"status": report.get_status_display()},
            code="not_editable",
        )


def _clean_values(values: dict, indicators: list[Indicator]) -> dict:
    """{indicator pk: (value, note)} of what the form sent, checked: whole numbers, not negative."""
    known = {i.pk: i for i in indicators}
    cleaned, errors = {}, {}
    for pk, entry in (values or {}).items():
        if pk not in known:
            continue
        value, note = entry.get("value"), nfc(entry.get("note") or "").strip()
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            errors[f"value_{pk}"] = _("Số liệu phải là số không âm.")
        cleaned[pk] = (value, note)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _write(report: UnitReport, values: dict | None, narrative: dict | None) -> list[UnitReportValue]:
    """The unit's figures and narrative onto the report, each value beside what the portal
    pre-fills today; returns the value rows written (with their indicators)."""
    indicators = report_indicators(report)
    cleaned = _clean_values(values, indicators)
    prefill = unit_prefill(report.unit, Window.of(report.period), indicators)
    rows = {v.indicator_id: v for v in report.values.all()}
    new, changed, audited = [], [], []
    for indicator in indicators:
        row = rows.get(indicator.pk) or UnitReportValue(report=report, indicator=indicator)
        before = (row.prefilled, row.value, row.note)
        row.indicator = indicator
        row.prefilled = prefill.get(indicator.pk)
        if indicator.pk in cleaned:
            row.value, row.note = cleaned[indicator.pk]
            if _portal_figure_as_shown(indicator, row):
                row.value = row.prefilled  # kept to the đồng, not as the form rounded it
        (changed if row.pk else new).append(row)
        if row.pk and before != (row.prefilled, row.value, row.note):
            audited.append(row)
    UnitReportValue.objects.bulk_create(new)
    UnitReportValue.objects.bulk_update(changed, ["prefilled", "value", "note"])
    # the audit trail (core.audit): a row for each figure written the first time or changed
    # (bulk writes bypass simple-history); the user is the request's
    UnitReportValue.history.bulk_history_create(new)
    UnitReportValue.history.bulk_history_create(audited, update=True)
    for name in NARRATIVE:
        if narrative is not None and name in narrative:
            setattr(report, name, nfc(narrative[name] or "").strip())
    return [*new, *changed]


def _portal_figure_as_shown(indicator: Indicator, row: UnitReportValue) -> bool:
    """A figure in triệu đồng sent back as the form showed the portal's (to a thousand đồng) is
    the portal's: the unit accepted it and owes no note for the rounding."""
    return (
        row.value is not None
        and row.prefilled is not None
        and row.value != row.prefilled
        and scale_of(indicator) == MILLION
        and row.value == trieu_as_shown(row.prefilled)
    )


def check_complete(report: UnitReport, rows: list[UnitReportValue] | None = None) -> None:
    """What a report needs before it is sent: every indicator's figure, a note where it differs
    from the portal's, and the three narrative sections. `rows`: the value rows just written (by
    _write, for the report's indicators), read again otherwise."""
    errors = {}
    if rows is None:
        rows = report.values.select_related("indicator").filter(indicator__in=report_indicators(report))
    for row in sorted(rows, key=lambda r: (r.indicator.order, r.indicator.code)):
        if row.value is None:
            errors[f"value_{row.indicator_id}"] = _("Chưa nhập số liệu “%(label)s”.") % {
                "label": row.indicator.label
            }
        elif row.differs and not row.note:
            errors[f"note_{row.indicator_id}"] = _(
                "Số liệu “%(label)s” khác số liệu của Cổng: cần ghi giải trình."
            ) % {"label": row.indicator.label}
    labels = {f: UnitReport._meta.get_field(f).verbose_name for f in NARRATIVE}
    for name, label in labels.items():
        if not getattr(report, name).strip():
            errors[name] = _("Cần viết phần “%(section)s”.") % {"section": label}
    if errors:
        raise ValidationError(errors)


def _editable(user: User, report: UnitReport, expected_version) -> UnitReport:
    """The report locked for this change, refused when the form is stale or the user may not edit."""
    report = _lock_report(report)
    _check_version(report, expected_version)
    check_may_edit(user, report)
    return report


def _save_report(report: UnitReport) -> None:
    report.version += 1
    report.save(update_fields=[*NARRATIVE, "version", "updated_at"])


@transaction.atomic
def unit_report_save(
    *,
    user: User,
    report: UnitReport,
    values: dict | None = None,
    narrative: dict | None = None,
    expected_version=None,
) -> UnitReport:
    """Save the unit's draft (at any time while it may edit it): nothing is required yet. A stale
    form is refused; a bad figure changes nothing."""
    report = _editable(user, report, expected_version)
    _write(report, values, narrative)
    report._history_user = user  # the audit trail (core.audit)
    _save_report(report)
    return report


@transaction.atomic
def unit_report_submit(
    *,
    user: User,
    report: UnitReport,
    values: dict | None = None,
    narrative: dict | None = None,
    expected_version=None,
) -> UnitReport:
    """Save what the form sent and send the report (first time, or again after a return): it must
    be complete; all or nothing."""
    report = _editable(user, report, expected_version)
    check_complete(report, _write(report, values, narrative))
    step = "resubmit" if report.status == UnitReport.Status.RETURNED else "submit"
    apply_step(workflow.WORKFLOW, obj=report, key=step, user=user, data={}, new_row=workflow.new_event)
    # the official PDF of the report as sent, built by a job after the commit
    pdf_request(report=report, user=user)
    return report


TOLD = {"accept", "return", "reopen", "reopen_draft"}


def _notify_unit(report: UnitReport, step, user: User) -> None:
    members = [m for m in report.unit.members.filter(is_active=True) if m != user]
    if step.key not in TOLD or not members:
        return
    notify(
        recipients=members,
        event=Event.UNIT_REPORT_REVIEWED,
        title=_("Báo cáo năm %(year)s của %(unit)s: %(step)s")
        % {"year": report.period.year, "unit": report.unit, "step": step.label},
        body=report.reopen_reason if step.key.startswith("reopen") else "",
        url=reverse("reports:unit_report", args=[report.pk]),
    )


def _review(user: User, report: UnitReport, step: str, data: dict | None):
    if step in workflow.SEND_STEPS:
        raise ValidationError(_("Đơn vị gửi báo cáo từ trang báo cáo của mình."), code="not_allowed")
    context = apply_step(
        workflow.WORKFLOW, obj=report, key=step, user=user, data=data, new_row=workflow.new_event
    )
    _notify_unit(report, context.step, user)
    return report


@transaction.atomic
def unit_report_transition(
    *, user: User, report: UnitReport, step: str, data: dict | None = None, expected_version=None
) -> UnitReport:
    """A review step of the table (reports.workflow: accept, return, reopen) by a Sở officer; the
    unit's members are told. Refusals change nothing."""
    report = _lock_report(report)
    _check_version(report, expected_version)
    if step in ("reopen", "reopen_draft"):
        step = reopen_step(report)
    return _review(user, report, step, data)


def reopen_step(report: UnitReport) -> str:
    """The row of the table that reopens `report` (a draft stays a draft)."""
    return "reopen_draft" if report.status == UnitReport.Status.DRAFT else "reopen"


def unit_report_reopen(*, user: User, report: UnitReport, reason: str, wanted_back_by=None) -> UnitReport:
    """Staff reopen one unit's report of a closed period (or an accepted one) with the reason."""
    return unit_report_transition(
        user=user, report=report, step="reopen", data={"reason": reason, "wanted_back_by": wanted_back_by}
    )

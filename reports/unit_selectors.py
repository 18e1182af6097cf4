"""Reads of reporting periods and unit reports, always scoped to the user who asks (a row outside
the scope answers 404), and what a report's state means on its page and the worklist. The board
is reports.completeness."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role, user_roles
from core.deadlines import days_left, end_of_day
from programmes.models import Indicator, ReportingUnit

from . import workflow
from .forms import is_money, scale_of
from .models import ReportingPeriod, UnitReport
from .prefill import Window, source_label, unit_prefill

REVIEWERS = frozenset({Role.STAFF, Role.LEADER})  # who reads every report and the board


def periods_visible_to(user):
    """Periods and the board: Sở officers and leaders."""
    if user_roles(user) & REVIEWERS:
        return ReportingPeriod.objects.all()
    return ReportingPeriod.objects.none()


def period_for(user, pk) -> ReportingPeriod:
    period = periods_visible_to(user).filter(pk=pk).first()
    if period is None:
        raise Http404
    return period


def unit_reports_visible_to(user):
    """Sở officers and leaders: every report. A unit's official: its own unit's reports only."""
    roles = user_roles(user)
    if roles & REVIEWERS:
        return UnitReport.objects.all()
    if Role.UNIT_REPORTER in roles:
        return UnitReport.objects.filter(unit__in=ReportingUnit.objects.filter(members=user))
    return UnitReport.objects.none()


def unit_report_for(user, pk) -> UnitReport:
    report = (
        unit_reports_visible_to(user)
        .select_related("period", "unit", "unit__commune", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def my_unit_reports(user) -> list[UnitReport]:
    """The reports of the units `user` reports for, the latest period first."""
    if Role.UNIT_REPORTER not in user_roles(user):
        return []
    return list(
        UnitReport.objects.filter(unit__members=user)
        .select_related("period", "unit")
        .order_by("-period__year", "unit__sort_key")
    )


def open_unit_reports(user) -> list[UnitReport]:
    """The reports of `user`'s units that are still open (their period is not closed, or staff
    reopened them): what the official's first page shows. One query."""
    if Role.UNIT_REPORTER not in user_roles(user):
        return []
    return list(
        UnitReport.objects.filter(unit__members=user)
        .filter(Q(period__is_closed=False) | Q(reopened_at__isnull=False))
        .select_related("period", "unit")
        .order_by("-period__year", "unit__sort_key")
    )


def report_indicators(report: UnitReport) -> list[Indicator]:
    """The indicators a report asks for: the active ones while the unit may still edit it; once
    sent, those it holds a value for (staff may edit the list later without changing a sent
    report)."""
    if report.was_submitted and not report.is_editable:
        return [v.indicator for v in report.values.select_related("indicator")]
    return list(Indicator.objects.filter(is_active=True))


# --- what a report's state means -------------------------------------------------------------------

TIMELINESS = {
    "on_time": (gettext_lazy("Gửi đúng hạn"), "success"),
    "late": (gettext_lazy("Gửi muộn"), "danger"),
    "pending": (gettext_lazy("Chưa gửi"), "secondary"),
    "missing": (gettext_lazy("Chưa gửi, đã quá hạn"), "danger"),
    "excused": (gettext_lazy("Được miễn"), "light"),
}
STATUS_BADGE = {"draft": "secondary", "submitted": "info", "returned": "warning", "accepted": "success"}


def timeliness(report: UnitReport | None, period: ReportingPeriod) -> str:
    """On time or late is judged by the first submission (a report not yet sent is missing once
    the deadline has passed); it says nothing of whether the report is locked."""
    if report is None:
        return "missing" if timezone.now() > period.unit_deadline else "pending"
    if not report.was_submitted:
        return "missing" if report.is_overdue else "pending"
    return "late" if report.late else "on_time"


def _locked_note(report: UnitReport) -> str:
    if report.reopened_at:
        return _("Sở đã mở lại báo cáo ngày %(day)s. Lý do: %(reason)s") % {
            "day": timezone.localtime(report.reopened_at).strftime("%d/%m/%Y"),
            "reason": report.reopen_reason,
        }
    if report.period.is_closed:
        return _("Kỳ báo cáo đã khóa sổ ngày %(day)s: báo cáo bị khóa, không sửa, không gửi được.") % {
            "day": timezone.localtime(report.period.closed_at).strftime("%d/%m/%Y")
        }
    return ""


def _deadline_note(report: UnitReport, now) -> str:
    """The time left (or past) to the deadline that applies: the day staff set for a returned
    report, else the unit deadline."""
    if report.status == UnitReport.Status.RETURNED and report.wanted_back_by:
        deadline = end_of_day(report.wanted_back_by)
        what = _("Hạn gửi lại")
    elif not report.was_submitted:
        deadline, what = report.period.unit_deadline, _("Hạn gửi")
    else:
        return ""
    left = days_left(deadline, now)
    day = timezone.localtime(deadline).strftime("%d/%m/%Y")
    if now > deadline:
        return _("%(what)s: %(day)s (đã quá hạn %(n)s ngày)") % {
            "what": what,
            "day": day,
            "n": max(-left, 0) or 1,
        }
    if left == 0:
        return _("%(what)s: hết ngày hôm nay %(day)s") % {"what": what, "day": day}
    return _("%(what)s: %(day)s (còn %(n)s ngày)") % {"what": what, "day": day, "n": left}


def report_state(report: UnitReport, now=None) -> dict:
    """What the page and the worklist say about a report: its status, on time or late, the time
    left, and separately whether it is locked (or reopened, with the reason)."""
    now = now or timezone.now()
    key = timeliness(report, report.period)
    label, tone = TIMELINESS[key]
    return {
        "status": report.get_status_display(),
        "status_badge": STATUS_BADGE[report.status],
        "timeliness": key,
        "timeliness_label": label,
        "timeliness_tone": tone,
        "deadline_note": _deadline_note(report, now) if not report.is_locked else "",
        "locked": report.is_locked,
        "locked_note": _locked_note(report),
    }


# --- the report's page ---------------------------------------------------------------------------


@dataclass
class ValueRow:
    indicator: Indicator
    prefilled: int | None
    value: int | None
    note: str
    money: bool
    millions: bool
    source: str = ""

    @property
    def differs(self):
        return self.prefilled is not None and self.value is not None and self.value != self.prefilled


def _value_rows(report: UnitReport, indicators) -> list[ValueRow]:
    stored = {v.indicator_id: v for v in report.values.all()}
    live = unit_prefill(report.unit, Window.of(report.period), indicators) if report.is_editable else {}
    rows = []
    for indicator in indicators:
        row = stored.get(indicator.pk)
        prefilled = live[indicator.pk] if report.is_editable else getattr(row, "prefilled", None)
        rows.append(
            ValueRow(
                indicator=indicator,
                prefilled=prefilled,
                value=row.value if row else None,
                note=row.note if row else "",
                money=is_money(indicator),
                millions=scale_of(indicator) > 1,
                source=source_label(indicator),
            )
        )
    return rows


def form_initial(report: UnitReport, rows: list[ValueRow]) -> dict:
    """The form starts from the unit's own figures, and from the portal's where it has none yet."""
    initial = {
        "version": report.version,
        **{n: getattr(report, n) for n in ("results", "difficulties", "proposals")},
    }
    for row in rows:
        pk = row.indicator.pk
        initial[f"value_{pk}"] = row.value if row.value is not None else row.prefilled
        initial[f"note_{pk}"] = row.note
    return initial


def may_edit(user, report: UnitReport) -> bool:
    return (
        Role.UNIT_REPORTER in user_roles(user)
        and report.is_editable
        and report.unit.members.filter(pk=user.pk).exists()
    )


def review_steps(user, report: UnitReport):
    """The review buttons `user` may use on `report` (the unit sends from its form)."""
    steps = [s for s in workflow.WORKFLOW.steps_for(user, report.status) if s.key not in workflow.SEND_STEPS]
    reopenable = report.is_locked or report.status == UnitReport.Status.ACCEPTED
    return [s for s in steps if reopenable or not s.key.startswith("reopen")]


def unit_report_page(user, report: UnitReport) -> dict:
    indicators = report_indicators(report)
    rows = _value_rows(report, indicators)
    labels = {s.key: s.label for s in workflow.STEPS}
    events = list(report.events.select_related("actor"))
    for event in events:
        event.label = labels.get(event.step, event.step)
    last_return = next((e for e in reversed(events) if e.step in ("return", "reopen", "reopen_draft")), None)
    return {
        "report": report,
        "period": report.period,
        "rows": rows,
        "indicators": indicators,
        "state": report_state(report),
        "may_edit": may_edit(user, report),
        "send_label": workflow.WORKFLOW.get("resubmit" if report.status == "returned" else "submit").label,
        "steps": review_steps(user, report),
        "events": events,
        "last_return": last_return if report.status in ("returned", "draft") and last_return else None,
        "is_reviewer": bool(user_roles(user) & REVIEWERS),
    }

"""Unit report pages: the unit's own report form, the reporting periods and their completeness
board, the review steps. Thin views over reports.unit_selectors and reports.services."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, has_role
from core.deadlines import end_of_day, local_zone
from core.forms import apply_service_errors
from core.spreadsheets import workbook_response

from . import services
from .completeness import board_sheets, reporting_completeness
from .forms import ExpectedUnitForm, PeriodOpenForm, ReviewForm, UnitReportForm
from .unit_selectors import (
    form_initial,
    may_edit,
    my_unit_reports,
    period_for,
    periods_visible_to,
    report_indicators,
    report_state,
    unit_report_for,
    unit_report_page,
)

STAFF = (Role.STAFF,)
REVIEWERS = (Role.STAFF, Role.LEADER)
REPORT_ROLES = (Role.STAFF, Role.LEADER, Role.UNIT_REPORTER)


@role_required(Role.UNIT_REPORTER)
def my_reports(request):
    """A unit official's reports, the latest period first."""
    reports = my_unit_reports(request.user)
    rows = [{"report": r, "state": report_state(r)} for r in reports]
    return render(request, "reports/unit_reports.html", {"rows": rows})


def _review_forms(page, posted_step=None, posted_form=None):
    report = page["report"]
    forms = []
    for step in page["steps"]:
        form = posted_form if step.key == getattr(posted_step, "key", None) else None
        forms.append(
            (step, form or ReviewForm(step=step, initial={"version": report.version}, prefix=step.key))
        )
    return forms


def _save(request, report, form):
    """The official's draft or submission from the form; errors land on the form."""
    action = request.POST.get("action")
    kwargs = {
        "user": request.user,
        "report": report,
        "values": form.values(),
        "narrative": form.narrative(),
        "expected_version": form.cleaned_data.get("version"),
    }
    try:
        if action == "submit":
            services.unit_report_submit(**kwargs)
            messages.success(request, _("Đã gửi báo cáo tới Sở Công Thương."))
        else:
            services.unit_report_save(**kwargs)
            messages.success(request, _("Đã lưu nháp báo cáo."))
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    return True


@role_required(*REPORT_ROLES)
def report_detail(request, pk):
    """The unit's report: its official fills it (save a draft, send), Sở officers and leaders read
    it and, for officers, review it."""
    report = unit_report_for(request.user, pk)
    form = None
    if request.method == "POST":
        if not may_edit(request.user, report):
            try:
                services.check_may_edit(request.user, report)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return redirect("reports:unit_report", pk=report.pk)
        # the submission first: the page (and its live pre-fill) is built only to show errors
        form = UnitReportForm(request.POST, indicators=report_indicators(report))
        if form.is_valid() and _save(request, report, form):
            return redirect("reports:unit_report", pk=report.pk)
    page = unit_report_page(request.user, report)
    if page["may_edit"] and form is None:
        form = UnitReportForm(indicators=page["indicators"], initial=form_initial(report, page["rows"]))
    if form is not None:
        for row in page["rows"]:
            row.value_field, row.note_field = (
                form[f"value_{row.indicator.pk}"],
                form[f"note_{row.indicator.pk}"],
            )
    return render(
        request,
        "reports/unit_report.html",
        page | {"form": form, "review_forms": _review_forms(page)},
    )


@require_POST
@role_required(*STAFF)
def report_step(request, pk, step):
    """A Sở officer's review step (accept, return with the day wanted back, reopen)."""
    report = unit_report_for(request.user, pk)
    page = unit_report_page(request.user, report)
    spec = next((s for s in page["steps"] if s.key == step), None)
    if spec is None:
        raise Http404
    form = ReviewForm(request.POST, step=spec, prefix=spec.key)
    if form.is_valid():
        try:
            services.unit_report_transition(
                user=request.user,
                report=report,
                step=step,
                data=form.step_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã thực hiện: %(step)s.") % {"step": spec.label})
            return redirect("reports:unit_report", pk=report.pk)
    return render(
        request,
        "reports/unit_report.html",
        page | {"form": None, "review_forms": _review_forms(page, spec, form)},
        status=400,
    )


def _period_dates(cleaned) -> dict:
    """The form's days as the moments a period keeps: opening at the start of its day, deadlines
    at the end of theirs, in the province's time."""
    dates = {}
    if cleaned.get("opens_on"):
        dates["opens_at"] = datetime.datetime.combine(
            cleaned["opens_on"], datetime.time.min, tzinfo=local_zone()
        )
    for name in ("unit_deadline", "province_deadline"):
        if cleaned.get(name):
            dates[name] = end_of_day(cleaned[name])
    for name in ("data_from", "data_to", "reminder_offsets"):
        if cleaned.get(name) is not None:
            dates[name] = cleaned[name]
    return dates


@role_required(*REVIEWERS)
def period_list(request):
    """The reporting periods; Sở officers open the next one here."""
    form = None
    if has_role(request.user, Role.STAFF):
        form = PeriodOpenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                period = services.period_open(
                    user=request.user, year=form.cleaned_data["year"], **_period_dates(form.cleaned_data)
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Đã mở kỳ báo cáo năm %(year)s.") % {"year": period.year})
                return redirect("reports:period_board", pk=period.pk)
    elif request.method == "POST":
        raise PermissionDenied
    periods = periods_visible_to(request.user).order_by("-year")
    return render(request, "reports/periods.html", {"periods": periods, "form": form})


@role_required(*REVIEWERS)
def period_board(request, pk):
    """The completeness board of a period, filtered by kind, sortable, with its spreadsheet."""
    period = period_for(request.user, pk)
    board = reporting_completeness(
        period,
        kind=request.GET.get("kind", ""),
        show=request.GET.get("show", ""),
        sort=request.GET.get("sort", "name"),
        q=request.GET.get("q", "").strip()[:100],
    )
    if request.GET.get("format") == "xlsx":
        return workbook_response(f"tinh-hinh-bao-cao-{period.year}.xlsx", board_sheets(board))
    is_staff = has_role(request.user, Role.STAFF)
    return render(
        request,
        "reports/board.html",
        {
            "period": period,
            "board": board,
            "is_staff": is_staff,
            "unit_form": ExpectedUnitForm() if is_staff else None,
        },
    )


@require_POST
@role_required(*STAFF)
def period_close(request, pk):
    period = period_for(request.user, pk)
    try:
        services.period_close(user=request.user, period=period)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã khóa sổ kỳ báo cáo năm %(year)s.") % {"year": period.year})
    return redirect("reports:period_board", pk=period.pk)


@require_POST
@role_required(*STAFF)
def period_units(request, pk):
    """Staff add a unit to the period or excuse one, with the reason."""
    period = period_for(request.user, pk)
    form = ExpectedUnitForm(request.POST)
    if form.is_valid():
        action = (
            services.expected_unit_add
            if form.cleaned_data["action"] == "add"
            else services.expected_unit_excuse
        )
        try:
            action(
                user=request.user,
                period=period,
                unit=form.cleaned_data["unit"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã cập nhật danh sách đơn vị phải báo cáo."))
    else:
        messages.error(request, _("Chọn thao tác và đơn vị."))
    return redirect("reports:period_board", pk=period.pk)

"""The unit's official report as a PDF (issue 11, item 7): on each submission a background job
(core.jobs) renders the report as sent on the NĐ 30/2020/NĐ-CP base (templates/core/print/base.html):
the issuing body ("ỦY BAN NHÂN DÂN XÃ …", or the department or organisation), "Số: …/BC-UBND" left
for the unit to fill, place and date, the title, the figures, the narrative sections, the
recipients and the signature block. The official downloads it, signs it and uploads the signed
copy (reports.signatures).

Who sees a unit's PDF: its own members (commune officials), the Sở officers and leaders; anybody
else gets a 404, as for the report itself."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import Role, has_role, is_staff_like
from core import jobs
from core.deadlines import local_zone
from core.money import format_trieu, group
from core.pdf import content_disposition, render_pdf
from core.views import job_status_response
from programmes.models import ReportingUnit

from .forms import MILLION, scale_of_unit
from .models import UnitReport, UnitReportPdf

TEMPLATE = "reports/print/unit_report.html"
PROVINCE = "Hưng Yên"
# Communes whose name is a person's: NĐ 30/2020/NĐ-CP, Phụ lục I, mục II.4.a writes the place of
# such a unit with its full name ("Xã Nguyễn Trãi, ngày …"), the others with the name alone
# ("Phố Hiến, ngày …"). The names of fixtures/communes.csv that are people's (heroes, scholars,
# leaders); a renamed commune is added here.
NAMED_AFTER_PEOPLE = frozenset(
    {
        "Hoàng Hoa Thám",
        "Lê Lợi",
        "Lê Quý Đôn",
        "Lương Bằng",
        "Nguyễn Du",
        "Nguyễn Trãi",
        "Nguyễn Văn Linh",
        "Phạm Ngũ Lão",
        "Tống Trân",
        "Trần Hưng Đạo",
        "Trần Lãm",
        "Triệu Việt Vương",
    }
)
UNIT_STATUSES_WITH_PDF = (UnitReport.Status.SUBMITTED, UnitReport.Status.ACCEPTED)


# --- who sees it --------------------------------------------------------------------------------


def report_for(user, pk) -> UnitReport:
    """The report `pk` if `user` may see its official documents: a member of its unit with the
    unit-reporter role, a Sở officer or a leader. 404 otherwise (never 403: nothing tells a
    stranger that the report exists)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    reports = UnitReport.objects.select_related("period", "unit", "unit__commune")
    if not is_staff_like(user):
        if not has_role(user, Role.UNIT_REPORTER):
            raise Http404
        reports = reports.filter(unit__members=user)
    report = reports.filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def is_member(user, report: UnitReport) -> bool:
    return has_role(user, Role.UNIT_REPORTER) and report.unit.members.filter(pk=user.pk).exists()


# --- the document -------------------------------------------------------------------------------


def place_of(unit: ReportingUnit) -> str:
    """Where the unit's document is issued: the commune's name ("Phố Hiến"), in full where the
    commune is named after a person ("Xã Nguyễn Trãi"); the province for a department."""
    commune = unit.commune
    if commune is None:
        return PROVINCE
    if commune.name in NAMED_AFTER_PEOPLE:
        return commune.full_name or f"{commune.get_kind_display()} {commune.name}"
    return commune.name


def issuer_of(unit: ReportingUnit) -> dict:
    """The issuing body, the number's symbol and the signature block of the unit's document."""
    commune = unit.commune
    if commune is not None:
        full_name = commune.full_name or f"{commune.get_kind_display()} {commune.name}"
        return {
            "issuer_parent": "",
            "issuer": f"ỦY BAN NHÂN DÂN {full_name}".upper(),
            "symbol": "BC-UBND",
            "signature": {"authority": _("TM. ỦY BAN NHÂN DÂN"), "position": _("CHỦ TỊCH"), "name": ""},
        }
    department = unit.kind == ReportingUnit.Kind.DEPARTMENT
    return {
        "issuer_parent": "UBND TỈNH HƯNG YÊN" if department else "",
        "issuer": unit.name.upper(),
        "symbol": "BC",
        "signature": {
            "authority": "",
            "position": _("GIÁM ĐỐC") if department else _("THỦ TRƯỞNG ĐƠN VỊ"),
            "name": "",
        },
    }


def figure(value, unit: str) -> str:
    """A figure as the report writes it: money in triệu đồng ("1.250,5"), a count grouped."""
    if value is None:
        return "—"
    if scale_of_unit(unit) == MILLION:
        return format_trieu(value)
    return group(value)


def document_context(report: UnitReport) -> dict:
    """What templates/reports/print/unit_report.html shows: the report as it was sent."""
    unit, period = report.unit, report.period
    values = report.values.select_related("indicator").order_by("indicator__order", "indicator__code")
    rows = [
        {
            "label": v.indicator.label,
            "unit": v.indicator.unit,
            "value": figure(v.value, v.indicator.unit),
            "note": v.note,
        }
        for v in values
    ]
    sent = report.submitted_at or timezone.now()
    return {
        **issuer_of(unit),
        "report": report,
        "unit": unit,
        "period": period,
        "rows": rows,
        "number": "",
        "place": place_of(unit),
        "date": timezone.localtime(sent, local_zone()).date(),
        "title": _("Báo cáo"),
        "subtitle": _("Kết quả thực hiện công tác khuyến công năm %(year)s") % {"year": period.year},
        "data_from": period.data_from,
        "data_to": period.data_to,
        "recipients": [_("UBND tỉnh (qua Sở Công Thương);"), _("Lưu: VT.")],
    }


def render_report_pdf(report: UnitReport) -> bytes:
    return render_pdf(TEMPLATE, document_context(report))


def download_name(report: UnitReport) -> str:
    return _("Báo cáo khuyến công năm %(year)s - %(unit)s.pdf") % {
        "year": report.period.year,
        "unit": report.unit.name,
    }


# --- the job ------------------------------------------------------------------------------------


def pdf_request(*, report: UnitReport, user=None) -> UnitReportPdf:
    """Queue the PDF of `report` as it now is (the next version); the worker builds it after the
    caller's transaction commits, so a submission rolled back queues nothing."""
    job = UnitReportPdf.objects.create(
        report=report, requested_by=user, version=jobs.next_version(report.pdf_jobs.all())
    )
    from .tasks import render_unit_report_pdf

    transaction.on_commit(lambda: render_unit_report_pdf.delay(job_id=job.pk), robust=True)
    return job


def _build(job: UnitReportPdf, tmp_path, progress) -> str:
    report = UnitReport.objects.select_related("period", "unit", "unit__commune").get(pk=job.report_id)
    progress(10)
    content = render_report_pdf(report)
    progress(90)
    tmp_path.write_bytes(content)
    return f"bao-cao-{report.period.year}-{report.unit.code}-v{job.version}.pdf"


def pdf_job_run(*, job_id: int) -> UnitReportPdf | None:
    """Build a queued PDF (the Celery task); a second delivery of the same task does nothing."""
    job = UnitReportPdf.objects.filter(pk=job_id).first()
    if job is None:
        return None
    return jobs.run_job(job, _build)


def latest_pdf(report: UnitReport, *, done: bool = False) -> UnitReportPdf | None:
    rows = report.pdf_jobs.all()
    if done:
        rows = rows.filter(status=UnitReportPdf.Status.DONE)
    return rows.order_by("-version", "-id").first()


# --- views --------------------------------------------------------------------------------------


@never_cache
@login_required
def pdf_status(request, pk):
    """The status fragment of the report's latest PDF: polled by htmx while it is being built, it
    then shows the download link (core/job_status.html)."""
    report = report_for(request.user, pk)
    job = latest_pdf(report)
    if job is None:
        raise Http404
    return job_status_response(
        request,
        job,
        status_url=reverse("reports:unit_report_pdf_status", args=[report.pk]),
        download_url=reverse("reports:unit_report_pdf", args=[report.pk]),
    )


@never_cache
@login_required
def pdf_download(request, pk):
    """The latest finished PDF of the report, as an attachment named for the unit and year."""
    report = report_for(request.user, pk)
    job = latest_pdf(report, done=True)
    if job is None or not job.file:
        raise Http404
    response = FileResponse(job.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(download_name(report), inline=False)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def pdf_retry(request, pk):
    """Build the PDF again when the last try failed (a member of the unit or a Sở officer)."""
    report = report_for(request.user, pk)
    if not (is_member(request.user, report) or is_staff_like(request.user)):
        raise Http404
    job = latest_pdf(report)
    if report.status in UNIT_STATUSES_WITH_PDF and (job is None or job.status == job.Status.FAILED):
        pdf_request(report=report, user=request.user)
    return redirect(reverse("reports:unit_report", args=[report.pk]) + "#ban-chinh-thuc")

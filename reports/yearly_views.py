"""Pages of the compiled reports (issue 13). Staff open a request, write its passages, build
versions (the status polled by htmx) and retry a failed one; leaders also finalise a version;
observers list and download the final versions only. Commune officials and applicants have no
access (403), and a version outside a user's scope answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, has_role, is_staff_like
from core.forms import apply_service_errors
from core.pdf import content_disposition
from core.spreadsheets import XLSX_CONTENT_TYPE
from core.views import job_status_response

from . import yearly_jobs, yearly_signed
from .signatures import signed_copy_response, tell_upload
from .yearly_forms import PassagesForm, RequestOpenForm
from .yearly_models import GeneratedReport, GeneratedReportSignedCopy, ReportRequest

STAFF = (Role.STAFF, Role.LEADER)
READERS = (Role.STAFF, Role.LEADER, Role.OBSERVER)
SIGNED_COPIES = Prefetch(
    "signed_copies", queryset=GeneratedReportSignedCopy.objects.select_related("uploaded_by")
)


# --- selectors ----------------------------------------------------------------------------------


def builds_visible_to(user):
    """Staff and leaders see every version; observers the final ones; anybody else none."""
    rows = GeneratedReport.objects.select_related("request", "requested_by", "finalised_by")
    if is_staff_like(user):
        return rows
    if has_role(user, Role.OBSERVER):
        return rows.filter(is_final=True, status=GeneratedReport.Status.DONE)
    return rows.none()


def build_for(user, pk) -> GeneratedReport:
    report = builds_visible_to(user).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


# --- pages --------------------------------------------------------------------------------------


@never_cache
@role_required(*READERS)
def generated_list(request):
    """Staff: the requests with their versions and the form to open one. Observers: the final
    versions."""
    if not is_staff_like(request.user):
        finals = list(
            builds_visible_to(request.user)
            .prefetch_related(SIGNED_COPIES)
            .order_by("-request__date_to", "request__audience")
        )
        for final in finals:
            final.official = yearly_signed.official_copy(final)
        return render(request, "reports/generated_finals.html", {"finals": finals})
    requests = ReportRequest.objects.prefetch_related(
        Prefetch("builds", queryset=GeneratedReport.objects.order_by("-version"))
    ).order_by("-date_to", "kind", "audience")
    form = RequestOpenForm(request.POST or None)
    return render(request, "reports/generated_list.html", {"requests": requests, "form": form})


@require_POST
@role_required(*STAFF)
def generated_open(request):
    form = RequestOpenForm(request.POST)
    if form.is_valid():
        try:
            opened = yearly_jobs.report_request_open(
                user=request.user,
                kind=form.cleaned_data["kind"],
                audience=form.cleaned_data["audience"],
                **form.window(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("reports:generated_request", opened.pk)
    requests = ReportRequest.objects.prefetch_related("builds").order_by("-date_to", "kind", "audience")
    return render(request, "reports/generated_list.html", {"requests": requests, "form": form}, status=400)


@never_cache
@role_required(*STAFF)
def generated_request(request, pk):
    """One request: its passages (saved as a draft), its versions, build and finalise."""
    report_request = get_object_or_404(ReportRequest, pk=pk)
    form = PassagesForm(
        request.POST or None, instance=report_request, initial={"version": report_request.version}
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in yearly_jobs.EDITABLE}
        try:
            yearly_jobs.report_request_save(
                user=request.user,
                request=ReportRequest.objects.get(pk=pk),
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu bản nháp các phần viết."))
            return redirect("reports:generated_request", pk)
    builds = list(
        report_request.builds.select_related("requested_by", "finalised_by")
        .prefetch_related(SIGNED_COPIES)
        .order_by("-version")
    )
    for build in builds:
        build.official = yearly_signed.official_copy(build)
    context = {
        "req": report_request,
        "form": form,
        "builds": builds,
        "may_finalise": has_role(request.user, Role.LEADER),
        "waiting": any(b.enqueue_failed_at for b in builds if b.is_active),
    }
    return render(request, "reports/generated_request.html", context, status=400 if form.errors else 200)


@require_POST
@role_required(*STAFF)
def generated_build(request, pk):
    report_request = get_object_or_404(ReportRequest, pk=pk)
    yearly_jobs.generated_report_request(user=request.user, request=report_request)
    messages.info(request, _("Đã gửi yêu cầu lập báo cáo; trang tự cập nhật tiến độ."))
    return redirect(reverse("reports:generated_request", args=[pk]) + "#phien-ban")


@require_POST
@role_required(*STAFF)
def generated_retry(request, pk):
    report = build_for(request.user, pk)
    try:
        yearly_jobs.generated_report_retry(user=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("reports:generated_request", args=[report.request_id]) + "#phien-ban")


@require_POST
@role_required(Role.LEADER)
def generated_finalise(request, pk):
    report = build_for(request.user, pk)
    try:
        yearly_jobs.generated_report_finalise(user=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã chốt phiên bản %(v)s là bản chính thức.") % {"v": report.version})
    return redirect(reverse("reports:generated_request", args=[report.request_id]) + "#phien-ban")


@never_cache
@role_required(*STAFF)
def generated_status(request, pk):
    """The status fragment of one version (core/job_status.html), polled while it is built."""
    report = build_for(request.user, pk)
    return job_status_response(
        request,
        report,
        status_url=reverse("reports:generated_status", args=[report.pk]),
        download_url=reverse("reports:generated_download", args=[report.pk, "pdf"]),
    )


def download_name(report: GeneratedReport, fmt: str) -> str:
    r = report.request
    return _("Báo cáo khuyến công %(kind)s %(year)s gửi %(audience)s - phiên bản %(v)s.%(ext)s") % {
        "kind": r.get_kind_display().lower().replace("báo cáo ", ""),
        "year": r.year,
        "audience": r.get_audience_display(),
        "v": report.version,
        "ext": fmt,
    }


@never_cache
@role_required(*READERS)
def generated_download(request, pk, fmt):
    """A finished version's PDF or XLSX (observers: final versions only)."""
    report = build_for(request.user, pk)
    field = {"pdf": report.file, "xlsx": report.xlsx}.get(fmt)
    if report.status != GeneratedReport.Status.DONE or not field:
        raise Http404
    content_type = "application/pdf" if fmt == "pdf" else XLSX_CONTENT_TYPE
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition(download_name(report, fmt), inline=False)
    response["Cache-Control"] = "no-store"
    return response


# --- the signed copy ---------------------------------------------------------------------------


@require_POST
@role_required(*STAFF)
def generated_signed_upload(request, pk):
    report = build_for(request.user, pk)
    try:
        copy = yearly_signed.generated_report_signed_upload(
            user=request.user, report=report, uploaded=request.FILES.get("file")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        tell_upload(request, copy)
    return redirect(reverse("reports:generated_request", args=[report.request_id]) + "#phien-ban")


@never_cache
@login_required
def generated_signed_download(request, pk, copy_pk):
    """A signed copy, for whoever may see its version; 404 for anybody else."""
    report = build_for(request.user, pk)
    copy = report.signed_copies.filter(pk=copy_pk).first()
    if copy is None:
        raise Http404
    return signed_copy_response(copy)

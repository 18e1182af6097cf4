"""Compiled reports to UBND tỉnh and Bộ Công Thương (issue 13): the services that ask for them,
build them and finalise them, and the periodic work around them.

Building follows core.jobs: the row is claimed with one conditional UPDATE (a task delivered twice
builds one version), both files are written to a temporary folder and stored, with a SHA-256 each,
only when both are complete, in the transaction that marks the row done; any exception marks it
failed with the reason in Vietnamese and keeps no file. A row left running by a killed worker is
failed by the stale check; a row whose task could not be sent (broker down) waits, marked, until the
requeue job sends it again or `manage.py build_report <id>` runs it."""

import calendar
import datetime
import json
import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import Event, notify
from accounts.roles import Role, has_role
from accounts.selectors import leaders
from core import jobs
from core.concurrency import save_versioned
from core.deadlines import local_zone

from .models import ReportingPeriod
from .reminders import deadline_day, local_today
from .yearly_documents import render_report_xlsx
from .yearly_models import PASSAGES, Audience, GeneratedReport, ReportKind, ReportRequest
from .yearly_pdf import render_report_pdf
from .yearly_snapshot import build_snapshot, default_recipients, default_signature

logger = logging.getLogger(__name__)
Status = GeneratedReport.Status
# A queued row older than this whose task seems lost is sent again (the claim makes it harmless).
REQUEUE_AFTER = datetime.timedelta(minutes=10)
# Days before the province deadline on which leaders are told a report has no final version.
LEADER_REMINDER_DAYS = (5, 2)


def _require_staff(user) -> None:
    if not has_role(user, Role.STAFF, Role.LEADER):
        raise ValidationError(_("Chỉ cán bộ Sở được lập báo cáo tổng hợp."), code="not_staff")


# --- the request --------------------------------------------------------------------------------


def _window(kind: str, *, period=None, year=None, quarter=None, date_from=None, date_to=None):
    """(year, quarter, date_from, date_to) of a request, or a ValidationError in Vietnamese."""
    if kind == ReportKind.YEARLY:
        if period is None:
            raise ValidationError(_("Hãy chọn kỳ báo cáo năm."), code="no_period")
        return period.year, None, period.data_from, period.data_to
    if kind == ReportKind.QUARTERLY:
        if not year or quarter not in (1, 2, 3, 4):
            raise ValidationError(_("Hãy chọn năm và quý (1 đến 4)."), code="no_quarter")
        first = 3 * quarter - 2
        last = datetime.date(year, first + 2, calendar.monthrange(year, first + 2)[1])
        return year, quarter, datetime.date(year, first, 1), last
    if kind == ReportKind.RANGE:
        if not date_from or not date_to or date_from > date_to:
            raise ValidationError(
                _("Hãy nhập từ ngày và đến ngày, từ ngày không sau đến ngày."), code="bad_range"
            )
        return date_to.year, None, date_from, date_to
    raise ValidationError(_("Loại báo cáo không hợp lệ."), code="bad_kind")


def _earlier(request: ReportRequest) -> ReportRequest | None:
    """Last year's (or the previous) request of the same kind and audience: its text is the start."""
    return (
        ReportRequest.objects.filter(
            kind=request.kind, audience=request.audience, date_to__lt=request.date_from
        )
        .order_by("-date_to")
        .first()
    )


@transaction.atomic
def report_request_open(*, user, kind: str, audience: str, **window) -> ReportRequest:
    """The request for this kind, audience and window: the existing one, or a new one whose
    passages start from the previous one's text and whose recipients and signature are the
    audience's defaults. `user` None: the beat's automatic draft."""
    if user is not None:
        _require_staff(user)
    if audience not in Audience.values:
        raise ValidationError(_("Hãy chọn nơi nhận báo cáo."), code="bad_audience")
    year, quarter, date_from, date_to = _window(kind, **window)
    existing = ReportRequest.objects.filter(
        kind=kind, audience=audience, date_from=date_from, date_to=date_to
    ).first()
    if existing is not None:
        return existing
    signature = default_signature()
    request = ReportRequest(
        kind=kind,
        audience=audience,
        period=window.get("period") if kind == ReportKind.YEARLY else None,
        year=year,
        quarter=quarter,
        date_from=date_from,
        date_to=date_to,
        recipients="\n".join(default_recipients(audience)),
        signature_authority=signature["authority"],
        signature_position=signature["position"],
        created_by=user,
    )
    previous = _earlier(request)
    if previous is not None:
        for field, _number, _heading in PASSAGES:
            setattr(request, field, getattr(previous, field))
    request.full_clean()
    request.save()
    return request


EDITABLE = (
    *[field for field, _n, _h in PASSAGES],
    "number",
    "recipients",
    "signature_authority",
    "signature_position",
    "signature_name",
)


@transaction.atomic
def report_request_save(*, user, request: ReportRequest, data: dict, expected_version) -> ReportRequest:
    """Save the passages, recipients and signature as a draft (read by the next build); a form
    opened before somebody else's save is refused (core.concurrency)."""
    _require_staff(user)
    for field in EDITABLE:
        if field in data:
            setattr(request, field, data[field] or "")
    request.updated_at = timezone.now()
    request.full_clean(validate_unique=False, validate_constraints=False)
    return save_versioned(request, expected_version=expected_version, fields=[*EDITABLE, "updated_at"])


# --- building -----------------------------------------------------------------------------------


def _send(job_id: int) -> None:
    """Send the build task; if the broker does not answer, mark the row so the page says it will
    run when the worker is back (the requeue job or `manage.py build_report` runs it then)."""
    from .tasks import build_generated_report

    try:
        build_generated_report.delay(report_id=job_id)
    except Exception:  # the broker's errors are many (kombu, redis, socket): any of them is "down"
        logger.exception("could not send the build of generated report %s", job_id)
        GeneratedReport.objects.filter(pk=job_id, status=Status.QUEUED).update(
            enqueue_failed_at=timezone.now()
        )
    else:
        GeneratedReport.objects.filter(pk=job_id, enqueue_failed_at__isnull=False).update(
            enqueue_failed_at=None
        )


@transaction.atomic
def generated_report_request(*, user, request: ReportRequest) -> GeneratedReport:
    """Queue the next version of `request` (built after the caller's transaction commits). While a
    build is queued or running, asking again returns it: one click, one version."""
    if user is not None:
        _require_staff(user)
    request = ReportRequest.objects.select_for_update().get(pk=request.pk)
    active = request.builds.filter(status__in=[Status.QUEUED, Status.RUNNING]).first()
    if active is not None:
        return active
    job = GeneratedReport.objects.create(
        request=request, requested_by=user, version=jobs.next_version(request.builds.all())
    )
    transaction.on_commit(lambda: _send(job.pk))
    return job


def _store(job: GeneratedReport, pdf_path: Path, xlsx_path: Path, snapshot: dict) -> None:
    """Store both complete files, then flip the row to done in one transaction; files whose row
    could not be flipped (it is no longer running) are removed again."""
    pdf_sum, xlsx_sum = jobs.file_checksum(pdf_path), jobs.file_checksum(xlsx_path)
    stem = f"bao-cao-{job.request.kind}-{job.request.year}-{job.request.audience}-v{job.version}"
    with pdf_path.open("rb") as fh:
        job.file.save(f"{stem}.pdf", File(fh), save=False)
    try:
        with xlsx_path.open("rb") as fh:
            job.xlsx.save(f"{stem}.xlsx", File(fh), save=False)
        with transaction.atomic():
            done = GeneratedReport.objects.filter(pk=job.pk, status=Status.RUNNING).update(
                status=Status.DONE,
                progress=100,
                file=job.file.name,
                checksum=pdf_sum,
                xlsx=job.xlsx.name,
                xlsx_checksum=xlsx_sum,
                snapshot=snapshot,
                finished_at=timezone.now(),
                error="",
                enqueue_failed_at=None,
            )
            if not done:
                raise RuntimeError("the report left the running state while its files were built")
    except BaseException:
        job.file.delete(save=False)
        if job.xlsx:
            job.xlsx.delete(save=False)
        raise
    job.status, job.progress, job.checksum, job.xlsx_checksum = Status.DONE, 100, pdf_sum, xlsx_sum
    job.snapshot = snapshot


def generated_report_run(*, report_id: int) -> GeneratedReport | None:
    """Build a queued version (the Celery task, or `manage.py build_report`). A second delivery of
    the same task, or a row already built, does nothing."""
    job = GeneratedReport.objects.select_related("request").filter(pk=report_id).first()
    if job is None:
        return None
    if not jobs.job_claim(job):
        job.refresh_from_db()
        return job
    folder = Path(tempfile.mkdtemp(prefix=f"report-{job.pk}-"))
    try:

        def progress(percent):
            jobs.job_progress(job, percent)

        snapshot = json.loads(
            json.dumps(build_snapshot(job.request, progress=progress), cls=DjangoJSONEncoder)
        )
        progress(30)
        pdf_path, xlsx_path = folder / "report.pdf", folder / "report.xlsx"
        # the PDF's parts are laid out by worker processes while this one builds the XLSX
        pdf, xlsx = render_report_pdf(
            snapshot,
            meanwhile=lambda: render_report_xlsx(snapshot),
            progress=lambda done: progress(30 + round(60 * done)),
        )
        pdf_path.write_bytes(pdf)
        xlsx_path.write_bytes(xlsx)
        progress(95)
        _store(job, pdf_path, xlsx_path, snapshot)
    except Exception as exc:  # the row must say what happened, whatever happened
        logger.exception("generated report %s v%s failed", job.pk, job.version)
        jobs.job_fail(job, jobs.failure_reason(exc))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return job


@transaction.atomic
def generated_report_retry(*, user, report: GeneratedReport) -> GeneratedReport:
    """A failed build asked again: the next version (the failed row stays, with its reason)."""
    _require_staff(user)
    if report.status != Status.FAILED:
        raise ValidationError(_("Chỉ lập lại được bản bị lỗi."), code="not_failed")
    return generated_report_request(user=user, request=report.request)


@transaction.atomic
def generated_report_finalise(*, user, report: GeneratedReport) -> GeneratedReport:
    """A leader marks `report` the final version of its request; the mark leaves any other."""
    if not has_role(user, Role.LEADER):
        raise ValidationError(_("Chỉ lãnh đạo Sở được chốt bản chính thức."), code="not_leader")
    list(ReportRequest.objects.select_for_update().filter(pk=report.request_id))
    report = GeneratedReport.objects.get(pk=report.pk)
    if report.status != Status.DONE:
        raise ValidationError(_("Chỉ chốt được bản đã lập xong."), code="not_done")
    if report.is_final:
        return report
    GeneratedReport.objects.filter(request_id=report.request_id, is_final=True).update(
        is_final=False, finalised_by=None, finalised_at=None
    )
    report.is_final, report.finalised_by, report.finalised_at = True, user, timezone.now()
    report.save(update_fields=["is_final", "finalised_by", "finalised_at"])
    return report


# --- periodic work ------------------------------------------------------------------------------


def generated_reports_fail_stale() -> int:
    """Rows still running past the document jobs' hard limit lost their worker: failed, with the
    reason, so nothing shows "running" forever."""
    return jobs.jobs_fail_stale(GeneratedReport, seconds=settings.DOCUMENT_JOB_TIME_LIMIT)


def generated_reports_requeue(now=None) -> int:
    """Send again the builds whose task could not be sent, or seems lost: queued and marked, or
    queued for longer than REQUEUE_AFTER. Returns how many were sent."""
    now = now or timezone.now()
    waiting = GeneratedReport.objects.filter(status=Status.QUEUED).filter(
        Q(enqueue_failed_at__isnull=False) | Q(requested_at__lt=now - REQUEUE_AFTER)
    )
    ids = list(waiting.values_list("pk", flat=True))
    for pk in ids:
        _send(pk)
    return len(ids)


def _province_day(period) -> datetime.date:
    return timezone.localtime(period.province_deadline, local_zone()).date()


def yearly_drafts(now=None) -> int:
    """From the day after a period's unit deadline until its province deadline, build a first
    draft of the yearly report for each audience that has none yet. Returns how many were queued."""
    today = local_today(now)
    queued = 0
    for period in ReportingPeriod.objects.all():
        if not deadline_day(period) < today <= _province_day(period):
            continue
        for audience in Audience.values:
            request = report_request_open(user=None, kind=ReportKind.YEARLY, audience=audience, period=period)
            if not request.builds.exists():
                generated_report_request(user=None, request=request)
                queued += 1
    return queued


def remind_leaders(now=None) -> int:
    """Some days before a period's province deadline, tell the leaders which yearly reports have no
    final version yet (once per period, audience and day: the notification and delivery keys)."""
    today = local_today(now)
    told = 0
    for period in ReportingPeriod.objects.all():
        days = (_province_day(period) - today).days
        if days not in LEADER_REMINDER_DAYS:
            continue
        requests = ReportRequest.objects.filter(kind=ReportKind.YEARLY, period=period)
        finals = set(requests.filter(builds__is_final=True).values_list("audience", flat=True))
        for audience in Audience:
            if audience.value in finals:
                continue
            request = requests.filter(audience=audience.value).first()
            title = _("Báo cáo năm %(year)s gửi %(audience)s chưa có bản chính thức") % {
                "year": period.year,
                "audience": audience.label,
            }
            body = _("Hạn gửi báo cáo là ngày %(day)s (còn %(n)s ngày).") % {
                "day": _province_day(period).strftime("%d/%m/%Y"),
                "n": days,
            }
            url = (
                reverse("reports:generated_request", args=[request.pk])
                if request
                else reverse("reports:generated")
            )
            notify(
                recipients=leaders(),
                event=Event.REPORT_REMINDER,
                title=title,
                body=body,
                url=url,
                dedupe=f"generated-report:period:{period.pk}:{audience.value}:days:{days}",
            )
            told += 1
    return told

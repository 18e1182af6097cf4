"""The one runner for jobs with a status row (`core.models.Job`), and the background file jobs.

A job is claimed with one conditional UPDATE (queued -> running for this row and version), so a
task delivered twice, or retried after a worker died, builds nothing the second time. The builder
writes to a temporary file; only a complete file is stored, with its SHA-256, in the same
transaction that marks the row done. Any exception marks the row failed with the reason and keeps
no file: the page shows a state and a message, never a half-written document."""

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FileJob, Job

logger = logging.getLogger(__name__)

Status = Job.Status
Progress = Callable[[int], None]
# build(job, tmp_path, progress) writes the whole file to tmp_path and returns the name the user
# downloads it under.
Build = Callable[[Job, Path, Progress], str]

_CHUNK = 1024 * 1024


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _reason(exc: BaseException) -> str:
    """What the page shows: the service's own Vietnamese message, or a plain sentence for a
    timeout; anything unexpected is named by its type (the details go to the log)."""
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, SoftTimeLimitExceeded):
        return _("Công việc chạy quá thời gian cho phép; hãy thử lại hoặc báo quản trị.")
    return _("Lỗi không mong đợi (%(kind)s); hãy thử lại hoặc báo quản trị.") % {"kind": type(exc).__name__}


# For runners that store more than one file (reports.yearly_jobs): the same checksum and reason.
file_checksum = _checksum
failure_reason = _reason


def _rows(job: Job):
    return type(job)._default_manager.filter(pk=job.pk)


def job_claim(job: Job) -> bool:
    """queued -> running, for this row and version only. False when another delivery of the same
    task got there first (or the job already finished): the caller then does nothing."""
    now = timezone.now()
    claimed = (
        _rows(job)
        .filter(status=Status.QUEUED, version=job.version)
        .update(status=Status.RUNNING, started_at=now, progress=0, error="")
    )
    if claimed:
        job.status, job.started_at, job.progress, job.error = Status.RUNNING, now, 0, ""
    return bool(claimed)


def job_progress(job: Job, percent: int) -> None:
    """Record progress (clamped to 0-100) while the job is still running."""
    percent = max(0, min(100, int(percent)))
    _rows(job).filter(status=Status.RUNNING).update(progress=percent)
    job.progress = percent


def job_fail(job: Job, reason: str) -> None:
    _rows(job).exclude(status=Status.DONE).update(
        status=Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )
    job.status, job.error = Status.FAILED, reason


def _store(job: Job, tmp_path: Path, name: str) -> None:
    """Store the complete file, then flip the row to done in one transaction; a file whose row
    could not be flipped is removed again."""
    checksum = _checksum(tmp_path)
    with tmp_path.open("rb") as fh:
        job.file.save(name, File(fh), save=False)
    try:
        with transaction.atomic():
            done = (
                _rows(job)
                .filter(status=Status.RUNNING)
                .update(
                    status=Status.DONE,
                    progress=100,
                    file=job.file.name,
                    checksum=checksum,
                    finished_at=timezone.now(),
                    error="",
                )
            )
            if not done:
                raise RuntimeError("the job left the running state while its file was built")
    except BaseException:
        job.file.delete(save=False)
        raise
    job.status, job.progress, job.checksum = Status.DONE, 100, checksum


def run_job(job: Job, build: Build) -> Job:
    """Claim `job`, let `build` write its file, store it with its checksum and mark it done; on any
    exception mark it failed with the reason and keep no file. Returns the job as it now is; a job
    somebody else claimed comes back unchanged."""
    if not job_claim(job):
        logger.info("job %s %s v%s already claimed: nothing to do", job._meta.label, job.pk, job.version)
        job.refresh_from_db()
        return job
    fd, name = tempfile.mkstemp(prefix=f"job-{job.pk}-")
    os.close(fd)
    tmp_path = Path(name)
    try:
        file_name = build(job, tmp_path, lambda percent: job_progress(job, percent))
        _store(job, tmp_path, file_name or f"{job._meta.model_name}-{job.pk}")
    except Exception as exc:  # the row must say what happened, whatever happened
        logger.exception("job %s %s v%s failed", job._meta.label, job.pk, job.version)
        job_fail(job, _reason(exc))
    finally:
        tmp_path.unlink(missing_ok=True)
    return job


def jobs_fail_stale(model: type[Job], *, seconds: int | None = None) -> int:
    """Mark failed the jobs still `running` longer than the hard time limit: their worker was
    killed (or the machine restarted) and no exception handler ran. Returns how many."""
    limit = seconds if seconds is not None else settings.CELERY_TASK_TIME_LIMIT
    cutoff = timezone.now() - timedelta(seconds=limit)
    return model._default_manager.filter(status=Status.RUNNING, started_at__lt=cutoff).update(
        status=Status.FAILED,
        error=_("Công việc bị dừng giữa chừng (quá thời gian cho phép); hãy yêu cầu lại."),
        finished_at=timezone.now(),
    )


def next_version(queryset) -> int:
    """The version a new run of the same thing gets: one more than any row of `queryset`."""
    latest = queryset.order_by("-version").values_list("version", flat=True).first()
    return (latest or 0) + 1


# --- Background file jobs ----------------------------------------------------------------------

_BUILDERS: dict[str, Build] = {}


def builder(kind: str):
    """Register the function that builds the file of a `FileJob` of `kind` (an app's export):

    @jobs.builder("applicants.export")
    def build_applicant_export(job, tmp_path, progress): ...
    """

    def register(build: Build) -> Build:
        _BUILDERS[kind] = build
        return build

    return register


@transaction.atomic
def file_job_request(*, kind: str, params: dict | None = None, requested_by) -> FileJob:
    """Queue a file for `requested_by`; the worker builds it after this transaction commits. A
    second request for the same kind and parameters is a new version, never the old file redone."""
    if kind not in _BUILDERS:
        raise ValidationError(_("Không có loại tệp “%(kind)s”.") % {"kind": kind}, code="unknown_kind")
    params = params or {}
    same = FileJob.objects.filter(requested_by=requested_by, kind=kind, params=params)
    job = FileJob(kind=kind, params=params, requested_by=requested_by, version=next_version(same))
    job.full_clean(exclude=["file"])
    job.save()
    from .tasks import run_file_job

    transaction.on_commit(lambda: run_file_job.delay(job_id=job.pk), robust=True)
    return job


def file_job_run(*, job_id: int) -> FileJob | None:
    """Run a queued file job with its registered builder (called by the Celery task)."""
    job = FileJob.objects.filter(pk=job_id).first()
    if job is None:
        return None
    build = _BUILDERS.get(job.kind)
    if build is None:
        job_fail(job, _("Không có loại tệp “%(kind)s”.") % {"kind": job.kind})
        return job

    def build_named(job, tmp_path, progress):
        name = build(job, tmp_path, progress)
        job.file_name = name or ""
        FileJob.objects.filter(pk=job.pk).update(file_name=job.file_name)
        return name

    return run_job(job, build_named)


def file_job_get(*, user, pk) -> FileJob:
    """A file job of `user`'s own; 404 for anybody else's (or none)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    job = FileJob.objects.filter(pk=pk, requested_by=user).first()
    if job is None:
        raise Http404
    return job


__all__ = [
    "Build",
    "builder",
    "failure_reason",
    "file_checksum",
    "file_job_get",
    "file_job_request",
    "file_job_run",
    "job_claim",
    "job_fail",
    "job_progress",
    "jobs_fail_stale",
    "next_version",
    "run_job",
]

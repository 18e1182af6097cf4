"""Exports of the lists: a small one comes in the answer, a large one becomes a background file
(`core.models.FileJob`) whose page shows progress and offers the file when it is done.

Written in the request an export costs about 0.6 ms a row: 20,000 projects took 13.6 s and
100,000 hit gunicorn's 30 s timeout and answered 500 (issue 14). Above
`settings.EXPORT_SYNC_MAX_ROWS` rows the list's view asks for a job instead; the job rebuilds the
same list from the same query string, scoped to the requester as the list is, so the file holds
exactly the rows the page showed. Only the requester sees the job and downloads the file
(`core.jobs.file_job_get`).

An app registers what it exports once (its `exports.py`, imported by its AppConfig.ready so the
worker knows it):

    @list_export("projects.export", sheet_title="Đề án")
    def project_export(user, query):
        listing = ...                          # the list's own selector, from `query`
        return filename, headers, count, rows  # rows: an iterator of value lists

and its view answers `export_response(request, kind="projects.export", count=…, respond=…)`."""

from collections.abc import Callable, Iterable
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import jobs
from .spreadsheets import write_xlsx

# (user, query) -> (file name, headers, number of rows, rows)
Rows = Callable[[object, QueryDict], tuple[str, list, int, Iterable]]


def export_request(user, query: str):
    """What a list's selector reads from a request (`GET` and `user`), rebuilt in the job."""
    return SimpleNamespace(GET=QueryDict(query or ""), user=user)


def list_export(kind: str, *, sheet_title: str, plain=()):
    """Register `rows_for(user, query)` as the builder of the background export `kind`."""

    def register(rows_for: Rows) -> Rows:
        @jobs.builder(kind)
        def build(job, tmp_path, progress):
            user = job.requested_by
            if user is None or not user.is_active:
                raise ValidationError(_("Người yêu cầu không còn hoạt động."), code="no_user")
            name, headers, total, rows = rows_for(user, QueryDict(job.params.get("query", "")))
            write_xlsx(tmp_path, headers, rows, sheet_title, plain=plain, progress=progress, total=total)
            return name

        return rows_for

    return register


def export_response(request, *, kind: str, count: int, respond: Callable):
    """`respond()` (the file in the answer) for up to EXPORT_SYNC_MAX_ROWS rows; above, a background
    export of the same list for this user, and a redirect to its progress page."""
    if count <= settings.EXPORT_SYNC_MAX_ROWS:
        return respond()
    job = jobs.file_job_request(
        kind=kind, params={"query": request.GET.urlencode()}, requested_by=request.user
    )
    return redirect("core:file_job_status", pk=job.pk)

"""Views shared by every app: the status of a job with a status row, polled by its page."""

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .jobs import file_job_get

POLL_EVERY = "2s"


def job_status_response(request, job, *, status_url, download_url=""):
    """The job's status fragment (badge, progress, error, download link). While the job is queued
    or running the fragment polls `status_url` with htmx and swaps itself, so polling stops on its
    own once the job is done or failed. Opened without htmx it comes inside a full page."""
    context = {
        "job": job,
        "status_url": status_url,
        "download_url": download_url if job.status == job.Status.DONE and job.file else "",
        "poll_every": POLL_EVERY,
    }
    template = "core/job_status.html" if request.htmx else "core/job_page.html"
    return render(request, template, context)


def job_status_view(get_job, *, download_url_name=""):
    """A status view for one kind of job: `get_job(user=..., pk=...)` is the app's scoped selector
    (404 for a row the user may not see); `download_url_name` the URL that serves its file."""

    @never_cache
    @login_required
    def view(request, pk):
        job = get_job(user=request.user, pk=pk)
        download_url = reverse(download_url_name, args=[job.pk]) if download_url_name else ""
        return job_status_response(request, job, status_url=request.path, download_url=download_url)

    return view


file_job_status = job_status_view(file_job_get, download_url_name="core:file_job_download")


@login_required
def file_job_download(request, pk):
    job = file_job_get(user=request.user, pk=pk)
    if job.status != job.Status.DONE or not job.file:
        raise Http404
    name = job.file_name or os.path.basename(job.file.name)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)

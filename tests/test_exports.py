"""Exports of the lists (issue 14 item 2): up to EXPORT_SYNC_MAX_ROWS rows the file comes in the
answer; above, a background file job (eager Celery here) whose page shows progress and whose file
only the requester downloads."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from core.models import FileJob
from tests.factories import ApplicantFactory, SupportRequestFactory, UserFactory
from tests.projects.utils import make_project

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats"


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.STAFF])


@pytest.fixture
def lists(staff):
    """Three rows in each list: two projects, requests, applicants (plus the projects' own)."""
    for _ in range(3):
        SupportRequestFactory(applicant=ApplicantFactory())
    make_project(staff, title="Máy dệt")
    make_project(staff, title="Gốm sứ")
    return {
        "projects": ("/de-an/?format=xlsx", "projects.export", 2),
        "applicants": (reverse("applicants:list") + "?format=xlsx", "applicants.export", None),
        "requests": (reverse("applicants:request_list") + "?format=xlsx", "applicants.requests_export", 3),
    }


def _rows(content):
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


@pytest.mark.parametrize("name", ["projects", "applicants", "requests"])
def test_below_the_threshold_the_file_comes_in_the_answer(client, staff, lists, settings, name):
    settings.EXPORT_SYNC_MAX_ROWS = 100
    url, _kind, count = lists[name]
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(XLSX)
    if count is not None:
        assert len(_rows(response.content)) == count + 1
    assert not FileJob.objects.exists()


@pytest.mark.parametrize("name", ["projects", "applicants", "requests"])
def test_above_the_threshold_a_job_builds_the_same_rows_and_only_the_requester_gets_them(
    client, staff, lists, settings, django_capture_on_commit_callbacks, name
):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    url, kind, count = lists[name]
    client.force_login(staff)
    direct = None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    job = FileJob.objects.get()
    assert (job.kind, job.requested_by, job.status) == (kind, staff, FileJob.Status.DONE)
    status_url = reverse("core:file_job_status", args=[job.pk])
    assert response.status_code == 302 and response["Location"] == status_url
    page = client.get(status_url).content.decode()
    assert 'data-testid="job-download"' in page
    download = client.get(reverse("core:file_job_download", args=[job.pk]))
    assert download.status_code == 200
    rows = _rows(b"".join(download.streaming_content))
    settings.EXPORT_SYNC_MAX_ROWS = 100
    direct = _rows(client.get(url).content)
    assert rows == direct  # the job's file holds exactly what the list's own export holds
    if count is not None:
        assert len(rows) == count + 1

    other = UserFactory(roles=[Role.STAFF])
    client.force_login(other)
    assert client.get(status_url).status_code == 404
    assert client.get(reverse("core:file_job_download", args=[job.pk])).status_code == 404


def test_the_job_reports_progress_while_it_writes(staff, settings, django_capture_on_commit_callbacks):
    """write_xlsx tells the job every 1,000 rows: seen here through the builder's progress calls."""
    from core.spreadsheets import write_xlsx

    seen = []
    buffer = io.BytesIO()
    write_xlsx(buffer, ["STT"], ([i] for i in range(3500)), progress=seen.append, total=3500)
    assert seen == [28, 57, 85]
    assert len(_rows(buffer.getvalue())) == 3501


def test_a_job_of_a_user_who_lost_the_role_exports_nothing(
    client, staff, lists, settings, django_capture_on_commit_callbacks
):
    """The job reads the list as its requester may see it when it runs: a user no longer staff
    gets no rows (the selector's scope), and a deactivated one a failed job with a reason."""
    settings.EXPORT_SYNC_MAX_ROWS = 1
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get(lists["requests"][0])
    staff.is_active = False
    staff.save()
    for callback in callbacks:
        callback()
    job = FileJob.objects.get()
    assert job.status == FileJob.Status.FAILED and not job.file
    assert "không còn hoạt động" in job.error

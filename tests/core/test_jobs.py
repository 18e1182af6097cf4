import datetime
import hashlib
from pathlib import Path

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core import jobs
from core.models import FileJob, Job
from core.tasks import fail_stale_file_jobs, run_file_job
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTENT = "Mã,Tên\n1,Hợp tác xã mây tre đan\n".encode("utf-8-sig")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def temp_files(monkeypatch, tmp_path):
    """The runner's temporary files land in a folder of the test's own, so none may be left."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def _job(user=None, **kwargs):
    kwargs.setdefault("kind", "test.list")
    return FileJob.objects.create(requested_by=user or UserFactory(), **kwargs)


def _writes(calls):
    def build(job, tmp_path, progress):
        calls.append(job.pk)
        progress(40)
        assert FileJob.objects.get(pk=job.pk).progress == 40  # the page sees it while running
        tmp_path.write_bytes(CONTENT)
        return "danh-sach.csv"

    return build


def test_a_job_that_succeeds_stores_its_file_with_its_checksum(temp_files, media):
    job, calls = _job(), []
    jobs.run_job(job, _writes(calls))
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (Job.Status.DONE, 100, "")
    assert job.file.name == f"jobs/core/filejob/{job.pk}/v1/danh-sach.csv"
    assert job.file.read() == CONTENT
    assert job.checksum == hashlib.sha256(CONTENT).hexdigest()
    assert job.started_at <= job.finished_at
    assert calls == [job.pk]
    assert list(temp_files.iterdir()) == []


def test_a_job_that_fails_keeps_no_file_and_says_why(temp_files, media):
    job = _job()

    def build(job, tmp_path, progress):
        tmp_path.write_bytes(CONTENT[:5])  # half a file, then the builder stops
        raise ValidationError("Kỳ báo cáo chưa có số liệu.", code="empty")

    jobs.run_job(job, build)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "Kỳ báo cáo chưa có số liệu."
    assert not job.file and job.checksum == ""
    assert job.finished_at is not None
    assert list(temp_files.iterdir()) == []
    assert not (media / "jobs").exists() or not any(p.is_file() for p in (media / "jobs").rglob("*"))


def test_an_unexpected_error_or_a_timeout_is_shown_in_plain_words(temp_files):
    crashed, slow = _job(), _job()

    def crash(job, tmp_path, progress):
        raise KeyError("row 17")

    def too_long(job, tmp_path, progress):
        raise SoftTimeLimitExceeded

    jobs.run_job(crashed, crash)
    jobs.run_job(slow, too_long)
    crashed.refresh_from_db()
    slow.refresh_from_db()
    assert crashed.status == slow.status == Job.Status.FAILED
    assert crashed.error == "Lỗi không mong đợi (KeyError); hãy thử lại hoặc báo quản trị."
    assert slow.error.startswith("Công việc chạy quá thời gian cho phép")


def test_a_duplicate_run_builds_once_and_keeps_one_version(temp_files, media):
    """A task delivered twice (acks_late after a lost ack, a retry) finds the row claimed."""
    job, calls = _job(), []
    jobs.run_job(job, _writes(calls))
    again = FileJob.objects.get(pk=job.pk)
    jobs.run_job(again, _writes(calls))
    assert calls == [job.pk]
    assert FileJob.objects.count() == 1
    again.refresh_from_db()
    assert (again.status, again.version) == (Job.Status.DONE, 1)
    assert [p.name for p in (media / "jobs").rglob("*") if p.is_file()] == ["danh-sach.csv"]


def test_a_run_that_lost_the_race_to_claim_does_nothing(temp_files):
    job, calls = _job(), []
    stale_copy = FileJob.objects.get(pk=job.pk)
    assert jobs.job_claim(job)
    jobs.run_job(stale_copy, _writes(calls))
    assert calls == []
    assert stale_copy.status == Job.Status.RUNNING  # reloaded as the other worker left it


def test_progress_is_kept_between_0_and_100_by_the_database():
    job = _job()
    with pytest.raises(IntegrityError), transaction.atomic():
        FileJob.objects.filter(pk=job.pk).update(progress=101)
    job.status = Job.Status.RUNNING
    job.save()
    jobs.job_progress(job, 250)
    assert FileJob.objects.get(pk=job.pk).progress == 100


def test_jobs_running_past_the_hard_limit_are_marked_failed(settings):
    settings.DOCUMENT_JOB_TIME_LIMIT = 600
    start = datetime.datetime(2026, 12, 15, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        old, recent, finished = _job(), _job(), _job()
        assert jobs.job_claim(old)
        clock.shift(datetime.timedelta(seconds=300))
        assert jobs.job_claim(recent)
        FileJob.objects.filter(pk=finished.pk).update(status=Job.Status.DONE)
        clock.shift(datetime.timedelta(seconds=301))  # old: 601 s running, recent: 301 s
        assert fail_stale_file_jobs.delay().get() == 1
    statuses = dict(FileJob.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "failed", recent.pk: "running", finished.pk: "done"}
    assert "quá thời gian" in FileJob.objects.get(pk=old.pk).error


@pytest.fixture
def registered():
    calls = []

    @jobs.builder("test.list")
    def build(job, tmp_path: Path, progress):
        calls.append(dict(job.params))
        tmp_path.write_bytes(CONTENT)
        return "Danh sách cơ sở.csv"

    yield calls
    jobs._BUILDERS.pop("test.list")


def test_a_requested_file_is_built_after_commit_and_a_new_request_is_a_new_version(
    registered, django_capture_on_commit_callbacks, temp_files
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = jobs.file_job_request(kind="test.list", params={"year": 2026}, requested_by=user)
        assert FileJob.objects.get(pk=first.pk).status == Job.Status.QUEUED
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        second = jobs.file_job_request(kind="test.list", params={"year": 2026}, requested_by=user)
        other = jobs.file_job_request(kind="test.list", params={"year": 2025}, requested_by=user)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert first.status == second.status == Job.Status.DONE
    assert first.file.name != second.file.name  # the finished file is never overwritten
    assert second.file_name == "Danh sách cơ sở.csv"
    assert registered == [{"year": 2026}, {"year": 2026}, {"year": 2025}]
    assert run_file_job.delay(job_id=first.pk).get() == Job.Status.DONE  # delivered again: nothing
    assert len(registered) == 3


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError, match="Không có loại tệp") as caught:
        jobs.file_job_request(kind="nope", requested_by=UserFactory())
    assert caught.value.error_list[0].code == "unknown_kind"
    assert not FileJob.objects.exists()


def test_a_queued_job_whose_builder_is_gone_fails_with_a_message():
    job = _job(kind="removed.export")
    assert run_file_job.delay(job_id=job.pk).get() == Job.Status.FAILED
    job.refresh_from_db()
    assert "removed.export" in job.error


# --- The status fragment and the download -------------------------------------------------------


def test_the_status_fragment_polls_while_running_and_stops_when_done(client, registered, temp_files):
    user = UserFactory()
    job = _job(user=user)
    client.force_login(user)
    url = f"/viec/{job.pk}/"
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<div") and "<html" not in fragment
    assert 'data-status="queued"' in fragment
    assert f'hx-get="{url}"' in fragment and 'hx-trigger="every 2s"' in fragment

    jobs.file_job_run(job_id=job.pk)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in fragment and "hx-get" not in fragment
    assert f'href="/viec/{job.pk}/tai-ve/"' in fragment

    page = client.get(url)  # without htmx: a whole page around the same fragment
    assert "<html" in page.content.decode() and 'data-status="done"' in page.content.decode()
    download = client.get(f"/viec/{job.pk}/tai-ve/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == CONTENT
    assert "attachment" in download["Content-Disposition"]


def test_a_failed_job_shows_its_error_and_no_download(client):
    user = UserFactory()
    job = _job(user=user, status=Job.Status.FAILED, error="Kỳ báo cáo chưa có số liệu.")
    client.force_login(user)
    fragment = client.get(f"/viec/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Kỳ báo cáo chưa có số liệu." in fragment and "tai-ve" not in fragment and "hx-get" not in fragment
    assert client.get(f"/viec/{job.pk}/tai-ve/").status_code == 404


@pytest.mark.parametrize("role", ["staff", "leader", "unit_reporter", "applicant", "observer"])
def test_another_users_job_answers_404_for_every_role(client, role):
    job = _job(status=Job.Status.DONE)
    client.force_login(UserFactory(roles=[role]))
    assert client.get(f"/viec/{job.pk}/", HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(f"/viec/{job.pk}/tai-ve/").status_code == 404


def test_anonymous_is_sent_to_login(client):
    job = _job()
    for url in [f"/viec/{job.pk}/", f"/viec/{job.pk}/tai-ve/"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/")


def test_the_status_fragment_costs_a_fixed_number_of_queries(client, django_assert_num_queries):
    user = UserFactory()
    job = _job(user=user)
    client.force_login(user)
    with django_assert_num_queries(4):  # session, user, the job, the user's roles (navigation)
        assert client.get(f"/viec/{job.pk}/", HTTP_HX_REQUEST="true").status_code == 200

"""Fault (b): the worker building a compiled report is killed (SIGKILL: the machine's OOM killer, a
power cut) after the PDF is made and before the XLSX. Nothing half-written is stored (no file on the
row, none under MEDIA_ROOT); the row is not "running" forever: the stale check fails it with its
reason once the document jobs' hard limit has passed; a late redelivery of the task does nothing;
staff ask again and a new version is built by a fresh worker.

The killed worker is a real process (tests/faults/slow_worker.py) on a private redis-server, so it
reads this test's database through DATABASE_URL: PostgreSQL only (the SQLite test database lives
in this process's memory). Skipped elsewhere, unless REQUIRE_SERVICES=1, where it fails."""

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from reports import services, yearly_jobs
from reports.models import GeneratedReport
from reports.yearly_models import Audience, ReportKind
from tests.conftest import need
from tests.factories import UserFactory
from tests.faults.conftest import stop_process, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
Status = GeneratedReport.Status


def _database_url():
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        credentials += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{credentials}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture
def slow_worker(private_redis, tmp_path):
    """start() runs tests/faults/slow_worker.py in its own process group; always stopped."""
    processes = []

    def start():
        env = {
            **os.environ,
            "DJANGO_ENV": "local",
            "DJANGO_SETTINGS_MODULE": "khuyencong.settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": private_redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PYTHONPATH": str(ROOT),
            "FAULT_XLSX_MARKER": str(tmp_path / "xlsx-started"),
        }
        log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(  # noqa: S603 (our own worker script)
            [sys.executable, str(ROOT / "tests" / "faults" / "slow_worker.py")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append((process, log))
        return process

    yield start
    for process, log in processes:
        stop_process(process, group=True)
        log.close()


def _files_under_media():
    media = Path(settings.MEDIA_ROOT)
    return (
        sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    )


def test_a_worker_killed_mid_build_leaves_no_half_written_report_and_no_row_running_forever(
    committed_reference, private_redis, broker_app, slow_worker, tmp_path
):
    need(connection.vendor == "postgresql", "a worker in another process needs the PostgreSQL test database")
    staff = UserFactory(roles=[Role.STAFF])
    period = services.period_open(user=staff, year=2026)
    request = yearly_jobs.report_request_open(
        user=staff, kind=ReportKind.YEARLY, audience=Audience.PROVINCE, period=period
    )
    worker = slow_worker()
    job = yearly_jobs.generated_report_request(user=staff, request=request)  # sent on commit

    def midway():
        if worker.poll() is not None:
            raise AssertionError((tmp_path / "worker.log").read_text()[-3000:])
        # the build is in its XLSX (the PDF's parts are being laid out meanwhile): files half made
        return (tmp_path / "xlsx-started").exists() and GeneratedReport.objects.filter(
            pk=job.pk, status=Status.RUNNING
        ).exists()

    wait_for(midway, seconds=60, what="the worker reaching the XLSX", every=0.2)
    os.killpg(worker.pid, signal.SIGKILL)
    assert worker.wait(timeout=10) == -signal.SIGKILL

    job.refresh_from_db()
    assert job.status == Status.RUNNING  # nobody is left to say otherwise…
    assert not job.file and not job.xlsx and not job.checksum and not job.snapshot
    assert _files_under_media() == []  # …and nothing half-written was stored

    # The watcher's stale check, once the document jobs' hard limit has passed: failed, with why.
    later = timezone.now() + datetime.timedelta(seconds=settings.DOCUMENT_JOB_TIME_LIMIT + 60)
    with time_machine.travel(later, tick=False):
        assert yearly_jobs.generated_reports_fail_stale() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and "dừng giữa chừng" in job.error
    # The unacknowledged task, delivered again later, builds nothing over the failed row.
    assert yearly_jobs.generated_report_run(report_id=job.pk).status == Status.FAILED
    assert _files_under_media() == []

    # Staff ask again: a new version, built by a fresh worker.
    again = yearly_jobs.generated_report_retry(user=staff, report=job)
    assert again.version == job.version + 1
    with start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        wait_for(
            lambda: GeneratedReport.objects.filter(
                pk=again.pk, status__in=[Status.DONE, Status.FAILED]
            ).exists(),
            seconds=45,
            what="the new version built",
            every=0.3,
        )
    again.refresh_from_db()
    assert again.status == Status.DONE and again.file and again.xlsx, again.error
    job.refresh_from_db()
    assert job.status == Status.FAILED and not job.file

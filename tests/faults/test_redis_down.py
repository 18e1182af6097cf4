"""Fault (a): Redis stops while staff ask for a yearly report. The request is answered at once and
kept (the version is queued and marked "could not be sent"; the page says it will be built when the
background worker is back). Redis comes back, a real Celery worker starts (in a thread, so it sees
this test's committed database) and the watcher task sends the build again: the report is built,
both files with their checksums. Against a private redis-server, never the shared one."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from accounts.roles import Role
from reports import services, yearly_jobs
from reports.models import GeneratedReport
from reports.yearly_models import Audience, ReportKind
from tests.factories import UserFactory
from tests.faults.conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

Status = GeneratedReport.Status


def test_a_report_asked_while_redis_is_down_is_kept_and_built_when_redis_returns(
    committed_reference, client, private_redis, broker_app
):
    staff = UserFactory(roles=[Role.STAFF])
    period = services.period_open(user=staff, year=2026)
    request = yearly_jobs.report_request_open(
        user=staff, kind=ReportKind.YEARLY, audience=Audience.PROVINCE, period=period
    )
    client.force_login(staff)
    page_url = reverse("reports:generated_request", args=[request.pk])

    private_redis.stop()
    started = time.monotonic()
    response = client.post(reverse("reports:generated_build", args=[request.pk]))
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content[:500]
    assert elapsed < 5, f"the staff's click waited {elapsed:.1f} s for a broker that is down"
    job = GeneratedReport.objects.get(request=request)
    assert job.status == Status.QUEUED and job.enqueue_failed_at is not None
    assert 'data-testid="waiting-worker"' in client.get(page_url).content.decode()
    # asking again while it waits makes no second version
    client.post(reverse("reports:generated_build", args=[request.pk]))
    assert GeneratedReport.objects.filter(request=request).count() == 1

    private_redis.start()
    with start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        broker_app.tasks["reports.tasks.watch_generated_reports"].delay()
        wait_for(
            lambda: GeneratedReport.objects.filter(
                pk=job.pk, status__in=[Status.DONE, Status.FAILED]
            ).exists(),
            seconds=45,
            what="the report built by the worker",
            every=0.3,
        )
    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    assert job.enqueue_failed_at is None
    assert job.file and job.xlsx and len(job.checksum) == 64 and len(job.xlsx_checksum) == 64
    assert GeneratedReport.objects.filter(request=request).count() == 1
    assert 'data-testid="waiting-worker"' not in client.get(page_url).content.decode()

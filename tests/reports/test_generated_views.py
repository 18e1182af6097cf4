"""Issue 13 pages: who sees the compiled reports (staff and leaders everything, observers final
versions only, commune officials and applicants nothing), the progress shown at set percentages,
the broker-down message, finalising and retrying through the pages."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reports import services, yearly_jobs
from reports.models import GeneratedReport, ReportRequest
from reports.yearly_models import Audience, ReportKind

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
LIST = "/bao-cao/tong-hop/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2026, 12, 10, 9, 30, tzinfo=HCM), tick=False) as traveller:
        yield traveller


@pytest.fixture
def req(staff):
    period = services.period_open(user=staff, year=2026)
    return yearly_jobs.report_request_open(
        user=staff, kind=ReportKind.YEARLY, audience=Audience.PROVINCE, period=period
    )


def _version(req, version, *, status=GeneratedReport.Status.DONE, progress=0, final=False, leader=None):
    """A version row as a build leaves it (files written directly: the pages are under test)."""
    row = GeneratedReport.objects.create(request=req, version=version, status=status, progress=progress)
    if status == GeneratedReport.Status.DONE:
        row.file.save("r.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        row.xlsx.save("r.xlsx", ContentFile(b"PK xlsx"), save=False)
        row.checksum, row.xlsx_checksum = "a" * 64, "b" * 64
        if final:
            row.is_final, row.finalised_by, row.finalised_at = True, leader, timezone.now()
        row.save()
    return row


@pytest.mark.parametrize("who", ["applicant_user", "reporter"])
def test_commune_officials_and_applicants_have_no_access(request, who, req, leader):
    final = _version(req, 1, final=True, leader=leader)
    client = request.getfixturevalue("client")
    client.force_login(request.getfixturevalue(who))
    for url in (
        LIST,
        reverse("reports:generated_request", args=[req.pk]),
        reverse("reports:generated_download", args=[final.pk, "pdf"]),
        reverse("reports:generated_download", args=[final.pk, "xlsx"]),
        reverse("reports:generated_status", args=[final.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client, req):
    for url in (LIST, reverse("reports:generated_request", args=[req.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_observers_list_and_download_final_versions_only(
    client, observer, req, leader, django_assert_max_num_queries
):
    draft = _version(req, 1)
    final = _version(req, 2, final=True, leader=leader)
    client.force_login(observer)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("reports:generated_download", args=[final.pk, "pdf"]) in html
    assert reverse("reports:generated_download", args=[draft.pk, "pdf"]) not in html
    assert client.get(reverse("reports:generated_download", args=[final.pk, "pdf"])).status_code == 200
    assert client.get(reverse("reports:generated_download", args=[final.pk, "xlsx"])).status_code == 200
    assert client.get(reverse("reports:generated_download", args=[draft.pk, "pdf"])).status_code == 404
    assert client.get(reverse("reports:generated_request", args=[req.pk])).status_code == 403
    assert client.post(reverse("reports:generated_build", args=[req.pk])).status_code == 403


def test_staff_see_every_version_and_download_it(client, staff, req, django_assert_max_num_queries):
    draft = _version(req, 1)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(14):
        page = client.get(reverse("reports:generated_request", args=[req.pk]))
    assert page.status_code == 200 and 'data-version="1"' in page.content.decode()
    response = client.get(reverse("reports:generated_download", args=[draft.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert client.get(reverse("reports:generated_download", args=[draft.pk, "doc"])).status_code == 404


@pytest.mark.parametrize("percent", [0, 35, 80])
def test_the_progress_is_shown_and_polled_while_running(client, staff, req, percent):
    row = _version(req, 1, status=GeneratedReport.Status.RUNNING, progress=percent)
    client.force_login(staff)
    html = client.get(
        reverse("reports:generated_status", args=[row.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'aria-valuenow="{percent}"' in html and f"width: {percent}%" in html
    assert "hx-trigger" in html
    page = client.get(reverse("reports:generated_request", args=[req.pk])).content.decode()
    assert f'aria-valuenow="{percent}"' in page


def test_a_done_version_stops_polling_and_links_its_files(client, staff, req):
    row = _version(req, 1)
    client.force_login(staff)
    html = client.get(
        reverse("reports:generated_status", args=[row.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in html and reverse("reports:generated_download", args=[row.pk, "pdf"]) in html


def test_a_failed_version_shows_why_and_a_retry_makes_the_next_version(
    client, staff, req, django_capture_on_commit_callbacks
):
    row = _version(req, 1, status=GeneratedReport.Status.FAILED)
    GeneratedReport.objects.filter(pk=row.pk).update(
        error="Lỗi không mong đợi (KeyError); hãy thử lại hoặc báo quản trị."
    )
    client.force_login(staff)
    page = client.get(reverse("reports:generated_request", args=[req.pk])).content.decode()
    assert "Lỗi không mong đợi (KeyError)" in page and 'data-testid="retry"' in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reports:generated_retry", args=[row.pk]))
    assert response.status_code == 302
    assert list(req.builds.values_list("version", flat=True).order_by("version")) == [1, 2]


def test_broker_down_the_page_says_it_will_run_when_the_worker_is_back(
    client, staff, req, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import tasks

    def down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.build_generated_report, "delay", down)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:generated_build", args=[req.pk]))
    assert response.status_code == 302
    page = client.get(reverse("reports:generated_request", args=[req.pk])).content.decode()
    assert 'data-testid="waiting-worker"' in page and "khi máy xử lý hoạt động trở lại" in page
    assert req.builds.get().status == GeneratedReport.Status.QUEUED


def test_a_leader_finalises_through_the_page_and_staff_cannot(client, staff, leader, req):
    row = _version(req, 1)
    client.force_login(staff)
    assert (
        'data-testid="finalise"'
        not in client.get(reverse("reports:generated_request", args=[req.pk])).content.decode()
    )
    assert client.post(reverse("reports:generated_finalise", args=[row.pk])).status_code == 403
    client.force_login(leader)
    assert (
        'data-testid="finalise"'
        in client.get(reverse("reports:generated_request", args=[req.pk])).content.decode()
    )
    assert client.post(reverse("reports:generated_finalise", args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert row.is_final and row.finalised_by == leader


def test_staff_open_a_request_and_save_passages(client, staff):
    services.period_open(user=staff, year=2026)
    client.force_login(staff)
    response = client.post(
        reverse("reports:generated_open"),
        {"kind": "quarterly", "audience": "ministry", "year": "2026", "quarter": "3"},
    )
    opened = ReportRequest.objects.get(kind="quarterly")
    assert response.status_code == 302 and (opened.date_from, opened.date_to) == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 9, 30),
    )
    refused = client.post(reverse("reports:generated_open"), {"kind": "quarterly", "audience": "ministry"})
    assert refused.status_code == 400 and ReportRequest.objects.count() == 1
    url = reverse("reports:generated_request", args=[opened.pk])
    data = {"version": opened.version, "direction": "Chỉ đạo quý III.", "recipients": "UBND tỉnh;\nLưu: VT."}
    assert client.post(url, data).status_code == 302
    opened.refresh_from_db()
    assert opened.direction == "Chỉ đạo quý III." and opened.version == 2
    stale = client.post(url, {**data, "direction": "Khác"})
    assert stale.status_code == 400
    opened.refresh_from_db()
    assert opened.direction == "Chỉ đạo quý III."

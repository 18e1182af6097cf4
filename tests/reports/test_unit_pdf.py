"""The unit's official report as a PDF (issue 11, item 7): built by a job on each submission, on the
NĐ 30/2020 base, its status polled by the page, downloadable by the unit's members, the Sở officers
and leaders only."""

import datetime
import io
import unicodedata
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory

from core.models import Job
from programmes.models import Indicator, ReportingUnit
from reports import pdf, services
from reports.models import UnitReport, UnitReportPdf
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NGUYEN_TRAI, PHO_HIEN = "12184", "11953"
NARRATIVE = {
    "results": "Tổ chức 2 lớp truyền nghề mây tre đan cho 60 học viên.",
    "difficulties": "Kinh phí đối ứng của cơ sở còn hạn chế.",
    "proposals": "Đề nghị tỉnh hỗ trợ xây dựng nhãn hiệu cho làng nghề Đức Long.",
}


def _text(content):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def clock():
    moment = datetime.datetime(2026, 12, 10, 9, 30, tzinfo=HCM)
    with time_machine.travel(moment, tick=False) as traveller:
        yield traveller


@pytest.fixture
def period(staff):
    return services.period_open(user=staff, year=2026)


def member_of(code):
    user = UserFactory(roles=["unit_reporter"])
    ReportingUnit.objects.get(commune__code=code).members.add(user)
    return user


def report_of(period, code):
    return UnitReport.objects.get(period=period, unit__commune__code=code)


def values():
    """Every figure: the portal's where it has one (0 without projects), 7 where the unit types it;
    KCĐP money 1.250,5 triệu đồng with its note."""
    out = {}
    for i in Indicator.objects.filter(is_active=True):
        out[i.pk] = {"value": 7 if i.prefill == "none" else 0, "note": ""}
    kcdp = Indicator.objects.get(code="kinh_phi_kcdp")
    out[kcdp.pk] = {"value": 1_250_500_000, "note": "Gồm kinh phí xã tự bố trí"}
    return out


def submit(user, report, capture):
    with capture(execute=True):
        return services.unit_report_submit(
            user=user, report=UnitReport.objects.get(pk=report.pk), values=values(), narrative=NARRATIVE
        )


def test_a_submission_builds_the_official_pdf_with_the_unit_as_issuing_body(
    period, django_capture_on_commit_callbacks
):
    official = member_of(NGUYEN_TRAI)
    report = submit(official, report_of(period, NGUYEN_TRAI), django_capture_on_commit_callbacks)
    job = UnitReportPdf.objects.get(report=report)
    assert (job.status, job.progress, job.version, job.requested_by) == (Job.Status.DONE, 100, 1, official)
    assert len(job.checksum) == 64 and job.file.name.endswith(".pdf")
    text = _text(job.file.read())
    for expected in (
        "ỦY BAN NHÂN DÂN XÃ NGUYỄN TRÃI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: …/BC-UBND",
        # named after a person: the place is written with the commune's full name
        "Xã Nguyễn Trãi, ngày 10 tháng 12 năm 2026",
        "BÁO CÁO",
        "Kết quả thực hiện công tác khuyến công năm 2026",
        "Số liệu từ ngày 15/12/2025 đến ngày 14/12/2026",
        "Kinh phí khuyến công địa phương đã thực hiện",
        "triệu đồng 1.250,5 Gồm kinh phí xã tự bố trí",
        "Số học viên được đào tạo, tập huấn",
        "Số lao động có việc làm mới hoặc tăng thêm tại các cơ sở được hỗ trợ",
        "Tổ chức 2 lớp truyền nghề mây tre đan cho 60 học viên.",
        "II. Khó khăn, vướng mắc Kinh phí đối ứng của cơ sở còn hạn chế.",
        "III. Đề xuất, kiến nghị Đề nghị tỉnh hỗ trợ xây dựng nhãn hiệu cho làng nghề Đức Long.",
        "Nơi nhận:",
        "UBND tỉnh (qua Sở Công Thương);",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
    ):
        assert expected in text, expected
    assert "SỞ CÔNG THƯƠNG" not in text.replace("Sở Công Thương", "")  # the unit issues it, not the Sở


def test_the_place_is_the_communes_name_alone_unless_named_after_a_person_and_partners_issue_as_themselves(
    period,
):
    pho_hien = ReportingUnit.objects.get(commune__code=PHO_HIEN)
    assert pdf.place_of(pho_hien) == "Phố Hiến"
    assert pdf.issuer_of(pho_hien)["issuer"] == "ỦY BAN NHÂN DÂN PHƯỜNG PHỐ HIẾN"
    assert pdf.place_of(ReportingUnit.objects.get(commune__code=NGUYEN_TRAI)) == "Xã Nguyễn Trãi"
    assert pdf.place_of(ReportingUnit.objects.get(commune__name="Trần Hưng Đạo")) == "Phường Trần Hưng Đạo"
    department = ReportingUnit.objects.get(code="so-tai-chinh")
    issuer = pdf.issuer_of(department)
    assert (issuer["issuer_parent"], issuer["issuer"], issuer["symbol"]) == (
        "UBND TỈNH HƯNG YÊN",
        "SỞ TÀI CHÍNH",
        "BC",
    )
    assert issuer["signature"]["position"] == "GIÁM ĐỐC"
    assert pdf.place_of(department) == "Hưng Yên"
    context = pdf.document_context(report_of(period, PHO_HIEN))
    assert context["place"] == "Phố Hiến" and context["recipients"][0] == "UBND tỉnh (qua Sở Công Thương);"


def test_an_incomplete_submission_queues_no_pdf(period, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    official = member_of(PHO_HIEN)
    report = report_of(period, PHO_HIEN)
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.unit_report_submit(user=official, report=report, values={}, narrative={})
    assert callbacks == [] and not UnitReportPdf.objects.exists()


def test_the_job_runs_once_however_often_it_is_delivered_and_a_resubmission_is_a_new_version(
    period, staff, django_capture_on_commit_callbacks, monkeypatch
):
    official = member_of(PHO_HIEN)
    renders = []
    monkeypatch.setattr(pdf, "render_report_pdf", lambda report: renders.append(report.pk) or b"%PDF-1.7 v")
    report = submit(official, report_of(period, PHO_HIEN), django_capture_on_commit_callbacks)
    job = UnitReportPdf.objects.get(report=report)
    assert pdf.pdf_job_run(job_id=job.pk).status == Job.Status.DONE  # delivered again: nothing rebuilt
    assert renders == [report.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.unit_report_transition(
            user=staff,
            report=report,
            step="return",
            data={"comment": "Bổ sung số liệu", "wanted_back_by": datetime.date(2026, 12, 20)},
        )
    submit(official, report, django_capture_on_commit_callbacks)
    assert list(report.pdf_jobs.values_list("version", "status")) == [(2, "done"), (1, "done")]
    assert pdf.latest_pdf(report).version == 2


def test_a_failed_build_shows_the_reason_keeps_no_file_and_may_be_retried(
    client, period, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.exceptions import ValidationError

    official = member_of(PHO_HIEN)

    def broken(report):
        raise ValidationError("Không dựng được bản PDF.")

    monkeypatch.setattr(pdf, "render_report_pdf", broken)
    report = submit(official, report_of(period, PHO_HIEN), django_capture_on_commit_callbacks)
    job = UnitReportPdf.objects.get(report=report)
    assert (job.status, job.error, job.file.name) == ("failed", "Không dựng được bản PDF.", "")
    client.force_login(official)
    assert client.get(f"/bao-cao/don-vi/{report.pk}/ban-in/tai-ve/").status_code == 404
    monkeypatch.setattr(pdf, "render_report_pdf", lambda report: b"%PDF-1.7 ok")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/bao-cao/don-vi/{report.pk}/ban-in/tao-lai/")
    assert response.status_code == 302
    assert pdf.latest_pdf(report).status == "done" and report.pdf_jobs.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/bao-cao/don-vi/{report.pk}/ban-in/tao-lai/")  # not failed: nothing new
    assert report.pdf_jobs.count() == 2


def test_the_status_fragment_polls_until_the_file_is_there(client, period, monkeypatch):
    official = member_of(PHO_HIEN)
    report = report_of(period, PHO_HIEN)
    monkeypatch.setattr(pdf, "render_report_pdf", lambda report: b"%PDF-1.7 ok")
    # submitted, the commit's callbacks not run yet: the job waits in the queue
    services.unit_report_submit(user=official, report=report, values=values(), narrative=NARRATIVE)
    job = UnitReportPdf.objects.get(report=report)
    client.force_login(official)
    url = f"/bao-cao/don-vi/{report.pk}/ban-in/"
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="queued"' in fragment and f'hx-get="{url}"' in fragment
    assert "/ban-in/tai-ve/" not in fragment
    pdf.pdf_job_run(job_id=job.pk)
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="done"' in fragment and "hx-get" not in fragment
    assert f'href="/bao-cao/don-vi/{report.pk}/ban-in/tai-ve/"' in fragment
    assert "<html" not in fragment
    # the include the report page shows, with the same fragment inside
    request = RequestFactory().get("/")
    request.user = official
    section = render_to_string("reports/_unit_pdf.html", {"report": report}, request=request)
    assert 'id="ban-chinh-thuc"' in section and f'id="job-{job.pk}"' in section
    assert f'href="/bao-cao/don-vi/{report.pk}/ban-in/tai-ve/"' in section


def test_the_pdf_is_the_units_staffs_and_leaders_only(
    client, period, staff, leader, observer, applicant_user, django_capture_on_commit_callbacks, monkeypatch
):
    official = member_of(PHO_HIEN)
    monkeypatch.setattr(pdf, "render_report_pdf", lambda report: b"%PDF-1.7 ok")
    report = submit(official, report_of(period, PHO_HIEN), django_capture_on_commit_callbacks)
    url = f"/bao-cao/don-vi/{report.pk}/ban-in/tai-ve/"
    for user in (official, staff, leader):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf" and response["Cache-Control"].startswith(
            "no-store"
        )
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == b"%PDF-1.7 ok"
    neighbour = member_of("12364")
    staff_without_role = UserFactory(roles=[])
    neighbour_in_staff_clothes = UserFactory(roles=["applicant"])
    ReportingUnit.objects.get(commune__code=PHO_HIEN).members.add(neighbour_in_staff_clothes)
    for user in (neighbour, observer, applicant_user, staff_without_role, neighbour_in_staff_clothes):
        client.force_login(user)
        for path in (url, f"/bao-cao/don-vi/{report.pk}/ban-in/"):
            assert client.get(path).status_code == 404, (user, path)
        assert client.post(f"/bao-cao/don-vi/{report.pk}/ban-in/tao-lai/").status_code == 404
    client.force_login(neighbour)
    assert client.get(f"/bao-cao/don-vi/{report.pk + 100000}/ban-in/tai-ve/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page

"""Issue 13, item 4: the signed copy of a compiled report's final version, the official record.
Staff upload the scan or the digitally signed PDF (checked by content, its signatures read as for
unit reports: signer, time, intact or not); only a final version takes one; staff, leaders and
observers (final versions only) download it, anybody else gets a 404."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reports import services, yearly_jobs, yearly_signed
from reports.yearly_models import Audience, GeneratedReport, GeneratedReportSignedCopy, ReportKind
from tests.reports.test_unit_signed import PNG, SIGNER, blank_pdf, make_certificate, sign

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2026, 12, 28, 15, 0, tzinfo=HCM), tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="module")
def certificate():
    return make_certificate()


@pytest.fixture
def req(staff):
    period = services.period_open(user=staff, year=2026)
    return yearly_jobs.report_request_open(
        user=staff, kind=ReportKind.YEARLY, audience=Audience.PROVINCE, period=period
    )


def _version(req, version, *, final=False, leader=None):
    row = GeneratedReport.objects.create(request=req, version=version, status=GeneratedReport.Status.DONE)
    row.file.save("r.pdf", ContentFile(blank_pdf()), save=False)
    row.xlsx.save("r.xlsx", ContentFile(b"PK xlsx"), save=False)
    row.checksum, row.xlsx_checksum = "a" * 64, "b" * 64
    if final:
        row.is_final, row.finalised_by, row.finalised_at = True, leader, timezone.now()
    row.save()
    return row


@pytest.fixture
def final(req, leader):
    return _version(req, 1, final=True, leader=leader)


def upload(client, user, report, content, name="bao-cao-nam-da-ky.pdf", content_type="application/pdf"):
    client.force_login(user)
    response = client.post(
        reverse("reports:generated_signed_upload", args=[report.pk]),
        {"file": SimpleUploadedFile(name, content, content_type)},
    )
    return response, [str(m) for m in get_messages(response.wsgi_request)][-1:]


def request_page(client, user, req):
    client.force_login(user)
    return client.get(reverse("reports:generated_request", args=[req.pk])).content.decode()


# --- the upload ---------------------------------------------------------------------------------


def test_a_digitally_signed_final_version_shows_its_signer_and_time(client, staff, req, final, certificate):
    response, messages = upload(client, staff, final, sign(blank_pdf(), certificate))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:generated_request", args=[req.pk]) + "#phien-ban"
    assert messages == ["Đã lưu bản ký. Chữ ký số hợp lệ, văn bản nguyên vẹn kể từ khi ký."]
    copy = GeneratedReportSignedCopy.objects.get(report=final)
    assert (copy.signature, copy.content_type, copy.uploaded_by) == ("valid", "application/pdf", staff)
    assert copy.original_name == "bao-cao-nam-da-ky.pdf" and len(copy.checksum) == 64
    assert (
        copy.file.name.startswith(f"reports/generated-signed/{final.pk}/") and "bao-cao" not in copy.file.name
    )
    [entry] = copy.signatures
    assert (entry["signer"], entry["valid"], entry["intact"]) == (SIGNER, True, True)
    html = request_page(client, staff, req)
    assert 'data-signature="valid"' in html and f"Người ký: <strong>{SIGNER}</strong>" in html
    assert "Thời điểm ký: 28/12/2026 15:00" in html  # the province's time
    assert "Chữ ký số hợp lệ; văn bản còn nguyên vẹn kể từ khi ký." in html
    assert reverse("reports:generated_signed", args=[final.pk, copy.pk]) in html


def test_a_signed_pdf_changed_after_signing_is_stored_but_said_not_to_validate(
    client, staff, req, final, certificate
):
    signed = sign(blank_pdf(), certificate)
    tampered = signed.replace(b"Bao cao goc", b"Bao cao sua", 1)
    _response, messages = upload(client, staff, final, tampered)
    assert messages == ["Đã lưu tệp, nhưng chữ ký số không hợp lệ hoặc văn bản đã bị thay đổi sau khi ký."]
    copy = GeneratedReportSignedCopy.objects.get(report=final)
    [entry] = copy.signatures
    assert copy.signature == "invalid" and entry["signer"] == SIGNER and not entry["intact"]
    html = request_page(client, staff, req)
    assert 'data-ok="0"' in html and "Chữ ký số không hợp lệ: Văn bản đã bị thay đổi sau khi ký." in html


def test_an_unsigned_pdf_and_a_scan_are_stored_without_a_digital_signature(client, leader, req, final):
    _response, messages = upload(client, leader, final, blank_pdf())
    assert messages == ["Đã lưu bản ký (không có chữ ký số)."]
    assert GeneratedReportSignedCopy.objects.get(report=final).signatures == []
    assert "Tệp PDF không có chữ ký số" in request_page(client, leader, req)
    upload(client, leader, final, PNG, name="ban-quet.png", content_type="image/png")
    assert final.signed_copies.count() == 2
    html = request_page(client, leader, req)
    assert "ban-quet.png" in html and "Bản quét (ảnh): không có chữ ký số để kiểm tra." in html


def test_a_version_that_is_not_final_takes_no_signed_copy_and_nothing_is_stored(
    client, staff, req, final, certificate
):
    draft = _version(req, 2)
    _response, messages = upload(client, staff, draft, sign(blank_pdf(), certificate))
    assert messages == ["Chỉ tải bản ký lên cho phiên bản đã được lãnh đạo chốt là bản chính thức."]
    assert not GeneratedReportSignedCopy.objects.exists()
    with pytest.raises(ValidationError):
        yearly_signed.generated_report_signed_upload(
            user=staff, report=draft, uploaded=SimpleUploadedFile("x.pdf", blank_pdf(), "application/pdf")
        )
    html = request_page(client, staff, req)
    assert html.count('data-testid="signed-upload"') == 1  # the form only on the final version


def test_a_file_that_is_not_what_it_claims_is_refused(client, staff, final):
    _response, messages = upload(client, staff, final, b"MZ\x90\x00 not a pdf", name="ban-ky.pdf")
    assert messages and "không được tải lên" in messages[0]
    _response, messages = upload(client, staff, final, PNG, name="ban-ky.pdf")
    assert messages and "không đúng với phần mở rộng" in messages[0]
    assert not GeneratedReportSignedCopy.objects.exists()


# --- who uploads and who downloads ----------------------------------------------------------------


def _copy(final, staff):
    return yearly_signed.generated_report_signed_upload(
        user=staff, report=final, uploaded=SimpleUploadedFile("ky.pdf", blank_pdf(), "application/pdf")
    )


def test_staff_leaders_and_observers_download_the_signed_copy_of_the_final_version(
    client, staff, leader, observer, final
):
    copy = _copy(final, staff)
    url = reverse("reports:generated_signed", args=[final.pk, copy.pk])
    with copy.file.open("rb") as fh:
        stored = fh.read()
    for user in (staff, leader, observer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == stored and stored.startswith(b"%PDF")
        assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    client.force_login(observer)
    assert url in client.get(reverse("reports:generated")).content.decode()


def test_observers_lose_the_copy_once_its_version_is_no_longer_final(
    client, staff, leader, observer, req, final
):
    copy = _copy(final, staff)
    later = _version(req, 2)
    yearly_jobs.generated_report_finalise(user=leader, report=later)
    client.force_login(observer)
    assert client.get(reverse("reports:generated_signed", args=[final.pk, copy.pk])).status_code == 404
    client.force_login(staff)
    assert client.get(reverse("reports:generated_signed", args=[final.pk, copy.pk])).status_code == 200


@pytest.mark.parametrize("who", ["applicant_user", "reporter"])
def test_commune_officials_and_applicants_get_a_404_and_cannot_upload(request, client, who, staff, final):
    copy = _copy(final, staff)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reports:generated_signed", args=[final.pk, copy.pk])).status_code == 404
    response = client.post(
        reverse("reports:generated_signed_upload", args=[final.pk]),
        {"file": SimpleUploadedFile("ky.pdf", blank_pdf(), "application/pdf")},
    )
    assert response.status_code == 403 and final.signed_copies.count() == 1


def test_observers_cannot_upload_and_anonymous_visitors_sign_in(client, observer, staff, final):
    copy = _copy(final, staff)
    client.force_login(observer)
    response = client.post(
        reverse("reports:generated_signed_upload", args=[final.pk]),
        {"file": SimpleUploadedFile("ky.pdf", blank_pdf(), "application/pdf")},
    )
    assert response.status_code == 403 and final.signed_copies.count() == 1
    client.logout()
    response = client.get(reverse("reports:generated_signed", args=[final.pk, copy.pk]))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_a_copy_of_another_version_is_not_served_under_this_one(client, staff, req, final):
    copy = _copy(final, staff)
    other = _version(req, 2)
    client.force_login(staff)
    assert client.get(reverse("reports:generated_signed", args=[other.pk, copy.pk])).status_code == 404

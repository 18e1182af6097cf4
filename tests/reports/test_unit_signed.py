"""The signed copy of a unit's report (issue 11, item 7): the official uploads the signed and
stamped scan or the digitally signed PDF, checked by content; a PDF's digital signatures are read
with pyHanko (signer, signing time, intact since signing); trust in the chain is "chưa kiểm tra"
unless the national roots are loaded. Signed here with a certificate made in the test."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory

from programmes.models import Indicator, ReportingUnit
from reports import pdf, services, signatures
from reports.models import UnitReport, UnitReportSignedCopy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NGUYEN_TRAI = "12184"
SIGNER = "Nguyễn Văn An"
NARRATIVE = {"results": "Đã thực hiện.", "difficulties": "Không có.", "proposals": "Không có."}


# --- PDFs made and signed here -------------------------------------------------------------------


def blank_pdf(title="Bao cao goc"):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_certificate(common_name=SIGNER):
    """A self-signed certificate and its key (cryptography), as pyHanko's asn1crypto objects."""
    from asn1crypto import keys, x509
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = cx509.Name(
        [
            cx509.NameAttribute(NameOID.COMMON_NAME, common_name),
            cx509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND xã Nguyễn Trãi"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(cx509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            cx509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    return x509.Certificate.load(der), keys.PrivateKeyInfo.load(key_der), pem


@pytest.fixture(scope="module")
def certificate():
    return make_certificate()


def sign(data, certificate):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert, key, _pem = certificate
    signer = signers.SimpleSigner(
        signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore.from_certs([cert])
    )
    meta = signers.PdfSignatureMetadata(field_name="ChuKy1")
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=signer).getvalue()


def changed_after_signing(signed):
    """An incremental update appended after the signature that draws new content on the page: the
    signed bytes are untouched, but the document shown is no longer the one signed."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (Da sua) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- the report --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2026, 12, 10, 9, 30, tzinfo=HCM), tick=False) as traveller:
        yield traveller


@pytest.fixture
def official(db):
    user = UserFactory(roles=["unit_reporter"])
    ReportingUnit.objects.get(commune__code=NGUYEN_TRAI).members.add(user)
    return user


@pytest.fixture
def period(staff):
    return services.period_open(user=staff, year=2026)


@pytest.fixture
def report(period, official, monkeypatch, django_capture_on_commit_callbacks):
    """Nguyễn Trãi's report, sent; its PDF built (a stand-in document: the layout is tested in
    test_unit_pdf)."""
    monkeypatch.setattr(pdf, "render_report_pdf", lambda report: blank_pdf())
    report = UnitReport.objects.get(period=period, unit__commune__code=NGUYEN_TRAI)
    values = {
        i.pk: {"value": 3 if i.prefill == "none" else 0, "note": ""}
        for i in Indicator.objects.filter(is_active=True)
    }
    with django_capture_on_commit_callbacks(execute=True):
        return services.unit_report_submit(user=official, report=report, values=values, narrative=NARRATIVE)


def upload(client, user, report, content, name="bao-cao-da-ky.pdf"):
    client.force_login(user)
    response = client.post(
        f"/bao-cao/don-vi/{report.pk}/ban-ky/", {"file": SimpleUploadedFile(name, content, "application/pdf")}
    )
    # each upload adds one message; those of earlier requests may still be pending in the cookie
    return response, [str(m) for m in get_messages(response.wsgi_request)][-1:]


def section(report, user):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("reports/_unit_pdf.html", {"report": report}, request=request)


# --- reading the signatures --------------------------------------------------------------------


def test_a_digitally_signed_pdf_shows_its_signer_signing_time_and_that_it_is_intact(
    client, official, report, certificate
):
    response, messages = upload(client, official, report, sign(blank_pdf(), certificate))
    assert (
        response.status_code == 302 and response["Location"] == f"/bao-cao/don-vi/{report.pk}/#ban-chinh-thuc"
    )
    assert messages == ["Đã lưu bản ký. Chữ ký số hợp lệ, văn bản nguyên vẹn kể từ khi ký."]
    copy = UnitReportSignedCopy.objects.get(report=report)
    assert (copy.signature, copy.content_type, copy.uploaded_by) == ("valid", "application/pdf", official)
    assert copy.pdf == pdf.latest_pdf(report) and copy.original_name == "bao-cao-da-ky.pdf"
    assert copy.file.name.startswith(f"reports/signed/{report.pk}/") and "bao-cao" not in copy.file.name
    [entry] = copy.signatures
    assert (entry["signer"], entry["valid"], entry["intact"], entry["trust"]) == (
        SIGNER,
        True,
        True,
        "not_checked",
    )
    html = section(report, official)
    assert 'data-signature="valid"' in html
    assert f"Người ký: <strong>{SIGNER}</strong>" in html
    assert "Thời điểm ký: 10/12/2026 09:30" in html  # signed at 02:30 UTC, shown in Hưng Yên's time
    assert "Chữ ký số hợp lệ; văn bản còn nguyên vẹn kể từ khi ký." in html
    assert "chưa kiểm tra" in html and "được xác thực" not in html
    assert f'href="/bao-cao/don-vi/{report.pk}/ban-ky/{copy.pk}/"' in html


def test_a_pdf_tampered_with_after_signing_is_said_plainly_not_to_validate(
    client, official, report, certificate
):
    signed = sign(blank_pdf(), certificate)
    assert signed.index(b"Bao cao goc") < signed.index(b"/ByteRange")  # in the signed revision
    tampered = signed.replace(b"Bao cao goc", b"Bao cao sua", 1)  # one byte range byte changed
    response, messages = upload(client, official, report, tampered)
    assert messages == ["Đã lưu tệp, nhưng chữ ký số không hợp lệ hoặc văn bản đã bị thay đổi sau khi ký."]
    copy = UnitReportSignedCopy.objects.get(report=report)
    [entry] = copy.signatures
    assert copy.signature == "invalid" and entry["signer"] == SIGNER
    assert (entry["intact"], entry["problem"]) == (False, "Văn bản đã bị thay đổi sau khi ký.")
    html = section(report, official)
    assert 'data-ok="0"' in html
    assert "Chữ ký số không hợp lệ: Văn bản đã bị thay đổi sau khi ký." in html
    assert "văn bản còn nguyên vẹn" not in html


def test_content_drawn_after_signing_in_a_later_revision_is_not_intact(certificate):
    [info] = signatures.read_signatures(changed_after_signing(sign(blank_pdf(), certificate)))
    assert info.valid and not info.intact and not info.ok
    assert info.problem == "Văn bản đã bị thay đổi sau khi ký."


def test_an_unsigned_pdf_and_a_scan_are_stored_and_said_to_have_no_digital_signature(
    client, official, report
):
    response, messages = upload(client, official, report, blank_pdf())
    assert messages == ["Đã lưu bản ký (không có chữ ký số)."]
    copy = UnitReportSignedCopy.objects.get(report=report)
    assert (copy.signature, copy.signatures) == ("none", [])
    assert "Tệp PDF không có chữ ký số (bản quét có chữ ký và dấu)." in section(report, official)
    upload(client, official, report, PNG, name="ban-quet.png")
    latest = report.signed_copies.first()
    assert (latest.content_type, latest.signature, report.signed_copies.count()) == ("image/png", "none", 2)
    assert "Bản quét (ảnh): không có chữ ký số để kiểm tra." in section(report, official)


def test_the_chain_is_checked_only_against_the_loaded_national_roots(settings, tmp_path, certificate):
    signed = sign(blank_pdf(), certificate)
    settings.UNIT_REPORT_TRUST_ROOTS = ""
    assert signatures.read_signatures(signed)[0].trust == "not_checked"
    roots = tmp_path / "roots"
    roots.mkdir()
    (roots / "root-ca.pem").write_bytes(make_certificate("Root CA khác")[2])
    settings.UNIT_REPORT_TRUST_ROOTS = str(roots)
    [info] = signatures.read_signatures(signed)
    assert info.trust == "untrusted" and info.ok  # valid and intact, but not from the loaded root
    (roots / "signer.pem").write_bytes(certificate[2])
    assert signatures.read_signatures(signed)[0].trust == "trusted"


# --- what may be uploaded, by whom --------------------------------------------------------------


def _stored_files(settings):
    folder = settings.MEDIA_ROOT / "reports" / "signed"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ban-ky.pdf", PNG, "Nội dung tệp “ban-ky.pdf” không đúng với phần mở rộng .pdf"),
        ("ban-ky.pdf", b"MZ\x90\x00" + b"\x00" * 60, "là chương trình chạy được"),
        (
            "ban-ky.docx",
            b"PK\x03\x04" + b"\x00" * 60,
            "Loại tệp “.docx” không được chấp nhận. Chỉ nhận: JPEG, JPG, PDF, PNG.",
        ),
        ("ban-ky.pdf", b"%PDF-1.7\n garbage that is no PDF", "Không đọc được tệp PDF"),
    ],
)
def test_a_file_refused_by_its_content_stores_nothing(
    client, settings, official, report, name, content, message
):
    response, messages = upload(client, official, report, content, name=name)
    assert response.status_code == 302
    assert len(messages) == 1 and message in messages[0]
    assert not UnitReportSignedCopy.objects.exists() and _stored_files(settings) == []


def test_only_the_units_official_uploads_and_only_a_sent_unlocked_report(
    client, settings, staff, official, period, report
):
    _response, messages = upload(client, staff, report, blank_pdf())
    assert messages == ["Chỉ cán bộ báo cáo của đơn vị tải bản ký lên."]
    neighbour = UserFactory(roles=["unit_reporter"])
    ReportingUnit.objects.get(commune__code="11953").members.add(neighbour)
    client.force_login(neighbour)
    assert (
        client.post(
            f"/bao-cao/don-vi/{report.pk}/ban-ky/", {"file": SimpleUploadedFile("a.pdf", blank_pdf())}
        ).status_code
        == 404
    )
    draft = UnitReport.objects.get(period=period, unit__commune__code="11953")
    _response, messages = upload(client, neighbour, draft, blank_pdf())
    assert messages == ["Báo cáo đang ở trạng thái “Đang soạn”: gửi báo cáo trước rồi tải bản đã ký lên."]
    services.period_close(user=staff, period=period)
    _response, messages = upload(client, official, report, blank_pdf())
    assert "đã khóa sổ" in messages[0]
    assert not UnitReportSignedCopy.objects.exists() and _stored_files(settings) == []
    assert 'data-testid="signed-upload"' not in section(UnitReport.objects.get(pk=report.pk), official)


def test_the_upload_form_is_the_officials_and_the_signed_copy_is_read_by_the_unit_staff_and_leaders(
    client, official, staff, leader, observer, report
):
    assert 'data-testid="signed-upload"' in section(report, official)
    assert 'data-testid="signed-upload"' not in section(report, staff)
    upload(client, official, report, blank_pdf())
    copy = report.signed_copies.get()
    url = f"/bao-cao/don-vi/{report.pk}/ban-ky/{copy.pk}/"
    for user in (official, staff, leader):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == blank_pdf()
    neighbour = UserFactory(roles=["unit_reporter"])
    ReportingUnit.objects.get(commune__code="11953").members.add(neighbour)
    for user in (neighbour, observer, UserFactory(roles=["applicant"])):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(official)
    assert client.get(f"/bao-cao/don-vi/{report.pk}/ban-ky/{copy.pk + 1}/").status_code == 404

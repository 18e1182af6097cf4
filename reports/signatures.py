"""The signed copy of a unit's report (issue 11, item 7): the official uploads the signed and stamped
scan (PDF, JPEG, PNG) or the digitally signed PDF, checked by content like every upload
(core.uploads); it becomes the official record beside the data.

A PDF's digital signatures are read with pyHanko: who signed (the certificate's name), when (the
time the signer's software reported), whether the signature is cryptographically valid and the
document intact since signing. Trust in the signer's certificate chain needs the national root
certificates (Bộ TT&TT's root CA for specialised digital signatures): without
settings.UNIT_REPORT_TRUST_ROOTS it is shown as "chưa kiểm tra", never as trusted. Nothing is
fetched from the network while validating (no OCSP, CRL or issuer downloads)."""

import datetime
import hashlib
import io
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import is_staff_like
from core.deadlines import local_zone
from core.text import clean_text
from core.uploads import check_upload, safe_storage_name

from .models import UnitReport, UnitReportSignedCopy
from .pdf import UNIT_STATUSES_WITH_PDF, is_member, latest_pdf, report_for
from .steps import check_not_locked

logger = logging.getLogger(__name__)

ALLOWED = {"pdf", "jpg", "jpeg", "png"}
Signature = UnitReportSignedCopy.Signature


class Trust:
    NOT_CHECKED = "not_checked"
    TRUSTED = "trusted"
    UNTRUSTED = "untrusted"


TRUST_LABELS = {
    Trust.NOT_CHECKED: _("chưa kiểm tra"),
    Trust.TRUSTED: _("chứng thư số được xác thực đến chứng thư gốc quốc gia"),
    Trust.UNTRUSTED: _("không xác thực được đến chứng thư gốc đã nạp"),
}


@dataclass
class SignatureInfo:
    """What the page shows of one digital signature."""

    signer: str
    signed_at: str  # ISO 8601, or "" when the signature names no time
    valid: bool  # the signature itself is cryptographically valid
    intact: bool  # the document is unchanged since signing (only allowed additions after it)
    trust: str  # Trust.*
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.valid and self.intact


# --- reading the signatures ---------------------------------------------------------------------


def trust_roots() -> list | None:
    """The national root certificates staff loaded (PEM or DER files under the folder, or the file,
    that settings.UNIT_REPORT_TRUST_ROOTS names); None when none are configured."""
    from pyhanko.keys import load_certs_from_pemder

    where = getattr(settings, "UNIT_REPORT_TRUST_ROOTS", "")
    if not where:
        return None
    path = Path(where)
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    roots = list(load_certs_from_pemder([str(p) for p in files]))
    return roots or None


def _signer_name(certificate) -> str:
    subject = certificate.subject.native
    return subject.get("common_name") or certificate.subject.human_friendly


def _intact_since_signing(status) -> bool:
    """The signed bytes are unchanged and whatever was added after the signature is of the kinds a
    later signature or form filling adds (pyHanko's difference analysis)."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if not status.intact:
        return False
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    allowed = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
    return status.modification_level in allowed and status.docmdp_ok is not False


def _trust(status, roots) -> str:
    if roots is None:
        return Trust.NOT_CHECKED
    return Trust.TRUSTED if status.trusted else Trust.UNTRUSTED


def _signed_at(status) -> str:
    moment = status.signer_reported_dt
    if moment is None and status.timestamp_validity is not None:
        moment = status.timestamp_validity.timestamp
    return moment.isoformat() if moment else ""


def _problem(valid: bool, intact: bool) -> str:
    if not valid:
        return _("Chữ ký số không hợp lệ.")
    if not intact:
        return _("Văn bản đã bị thay đổi sau khi ký.")
    return ""


def _read_one(embedded, roots) -> SignatureInfo:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=roots or [], allow_fetching=False)
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception as exc:  # a signature pyHanko cannot evaluate at all does not validate
        logger.info("signature not validated: %s", type(exc).__name__)
        cert = getattr(embedded, "signer_cert", None)
        return SignatureInfo(
            signer=_signer_name(cert) if cert is not None else "",
            signed_at="",
            valid=False,
            intact=False,
            trust=Trust.NOT_CHECKED if roots is None else Trust.UNTRUSTED,
            problem=_("Không kiểm tra được chữ ký số (chữ ký hỏng hoặc không được hỗ trợ)."),
        )
    valid, intact = bool(status.valid), _intact_since_signing(status)
    return SignatureInfo(
        signer=_signer_name(status.signing_cert),
        signed_at=_signed_at(status),
        valid=valid,
        intact=intact,
        trust=_trust(status, roots),
        problem=_problem(valid, intact),
    )


def read_signatures(data: bytes) -> list[SignatureInfo]:
    """The digital signatures of the PDF `data`, each read and validated; [] when it has none. A
    file that is no readable PDF is refused."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # untrusted input: whatever the parser trips on, the file is refused
        logger.info("signed copy not readable as PDF: %s", type(exc).__name__)
        raise ValidationError(
            _("Không đọc được tệp PDF (tệp hỏng hoặc không đúng định dạng)."), code="unreadable"
        ) from exc
    roots = trust_roots() if embedded else None
    return [_read_one(sig, roots) for sig in embedded]


def overall(signatures: list[SignatureInfo]) -> str:
    if not signatures:
        return Signature.NONE
    return Signature.VALID if all(s.ok for s in signatures) else Signature.INVALID


# --- the service --------------------------------------------------------------------------------


def _check_may_upload(user: User, report: UnitReport) -> None:
    if not is_member(user, report):
        raise ValidationError(_("Chỉ cán bộ báo cáo của đơn vị tải bản ký lên."), code="forbidden")
    check_not_locked(report)
    if report.status not in UNIT_STATUSES_WITH_PDF:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái “%(status)s”: gửi báo cáo trước rồi tải bản đã ký lên.")
            % {"status": report.get_status_display()},
            code="not_sent",
        )


def _read(uploaded) -> bytes:
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    return data


def read_signed_upload(uploaded) -> dict:
    """The fields of a signed copy's row from the uploaded file (unit reports and compiled reports
    alike): the type checked by content, a PDF's digital signatures read, the SHA-256, and the file
    renamed to a random storage name. Raises ValidationError for a refused file."""
    extension, content_type = check_upload(uploaded, allowed=ALLOWED)
    data = _read(uploaded)
    signatures = read_signatures(data) if extension == "pdf" else []
    original = clean_text(uploaded.name)[:255]
    uploaded.name = safe_storage_name(original)
    return {
        "file": uploaded,
        "original_name": original,
        "content_type": content_type,
        "size": uploaded.size,
        "checksum": hashlib.sha256(data).hexdigest(),
        "signature": overall(signatures),
        "signatures": [asdict(s) for s in signatures],
    }


def save_signed_copy(copy):
    """Save a signed copy's row; if the row cannot be saved, its stored file is removed again."""
    try:
        copy.save()
    except BaseException:
        if copy.file.name and copy.file.storage.exists(copy.file.name):
            copy.file.storage.delete(copy.file.name)  # no orphan file for a row that was not saved
        raise
    return copy


@transaction.atomic
def signed_copy_upload(*, user: User, report: UnitReport, uploaded) -> UnitReportSignedCopy:
    """Store the signed copy of a sent report (a unit official's): the type checked by content,
    a PDF's digital signatures read. It becomes the report's official record (the latest copy).
    A refused file stores nothing."""
    report = (
        UnitReport.objects.select_for_update(of=("self",)).select_related("period", "unit").get(pk=report.pk)
    )
    _check_may_upload(user, report)
    fields = read_signed_upload(uploaded)
    copy = UnitReportSignedCopy(
        report=report,
        pdf=latest_pdf(report, done=True),
        uploaded_by=user,
        uploaded_at=timezone.now(),
        **fields,
    )
    return save_signed_copy(copy)


# --- what the page shows ------------------------------------------------------------------------


def signature_rows(copy: UnitReportSignedCopy) -> list[dict]:
    """The stored signatures of `copy`, for the page: the signer, the time in dd/mm/yyyy HH:MM in
    the province's zone, and plain words for validity, integrity and trust."""
    from django.utils.formats import date_format

    rows = []
    for entry in copy.signatures or []:
        moment = datetime.datetime.fromisoformat(entry["signed_at"]) if entry.get("signed_at") else None
        rows.append(
            {
                **entry,
                "signed_at_text": date_format(timezone.localtime(moment, local_zone()), "d/m/Y H:i")
                if moment
                else "—",
                "trust_text": TRUST_LABELS.get(entry.get("trust"), TRUST_LABELS[Trust.NOT_CHECKED]),
            }
        )
    return rows


# --- views --------------------------------------------------------------------------------------


def tell_upload(request, copy) -> None:
    """The message after a signed copy was stored: what its digital signatures say."""
    if copy.signature == Signature.VALID:
        messages.success(request, _("Đã lưu bản ký. Chữ ký số hợp lệ, văn bản nguyên vẹn kể từ khi ký."))
    elif copy.signature == Signature.INVALID:
        messages.warning(
            request,
            _("Đã lưu tệp, nhưng chữ ký số không hợp lệ hoặc văn bản đã bị thay đổi sau khi ký."),
        )
    else:
        messages.success(request, _("Đã lưu bản ký (không có chữ ký số)."))


@require_POST
@login_required
def signed_upload(request, pk):
    """The official's upload of the signed copy; back to the report page with what was read."""
    report = report_for(request.user, pk)
    try:
        copy = signed_copy_upload(user=request.user, report=report, uploaded=request.FILES.get("file"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        tell_upload(request, copy)
    return redirect(reverse("reports:unit_report", args=[report.pk]) + "#ban-chinh-thuc")


@never_cache
@login_required
def signed_download(request, pk, copy_pk):
    report = report_for(request.user, pk)
    copy = report.signed_copies.filter(pk=copy_pk).first()
    if copy is None:
        raise Http404
    return signed_copy_response(copy)


def signed_copy_response(copy) -> FileResponse:
    """A signed copy as an attachment under its original name, never cached."""
    response = FileResponse(
        copy.file.open("rb"), as_attachment=True, filename=copy.original_name, content_type=copy.content_type
    )
    response["Cache-Control"] = "no-store"
    return response


def official_context(user, report: UnitReport) -> dict:
    """What the report page's section of official documents shows `user`: the latest PDF job, the
    latest signed copy with its signatures, and which actions `user` may take (three queries)."""
    job = latest_pdf(report)
    copy = report.signed_copies.select_related("uploaded_by", "pdf").first()
    member = bool(user) and is_member(user, report)
    sent = report.status in UNIT_STATUSES_WITH_PDF
    return {
        "job": job,
        "copy": copy,
        "signatures": signature_rows(copy) if copy else [],
        "may_upload": member and sent and not report.is_locked,
        "may_retry": (member or is_staff_like(user))
        and sent
        and job is not None
        and job.status == job.Status.FAILED,
        "stale_copy": bool(copy and job and copy.pdf_id and copy.pdf_id != job.pk),
    }

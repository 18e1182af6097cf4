"""The signed copy of a compiled report (issue 13, item 4): after the final version is signed, staff
upload the signed and stamped scan (PDF, JPEG, PNG) or the digitally signed PDF, the official record
of that version. The file is checked by content and a PDF's digital signatures are read once, at
upload, exactly as for the units' reports (reports.signatures.read_signed_upload); it is stored
under a random name.

Who downloads it (reports.yearly_views): whoever may see the version, i.e. staff and leaders, and
observers while the version is the final one; anybody else gets a 404."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role

from .signatures import read_signed_upload, save_signed_copy, signature_rows
from .yearly_models import GeneratedReport, GeneratedReportSignedCopy


@transaction.atomic
def generated_report_signed_upload(*, user, report: GeneratedReport, uploaded) -> GeneratedReportSignedCopy:
    """Store the signed copy of `report`, which must be the final version of its request. A refused
    file, or a version that is not final, stores nothing."""
    if not has_role(user, Role.STAFF, Role.LEADER):
        raise ValidationError(_("Chỉ cán bộ Sở được tải bản ký lên."), code="not_staff")
    report = GeneratedReport.objects.select_for_update().get(pk=report.pk)
    if not (report.is_final and report.status == GeneratedReport.Status.DONE):
        raise ValidationError(
            _("Chỉ tải bản ký lên cho phiên bản đã được lãnh đạo chốt là bản chính thức."), code="not_final"
        )
    copy = GeneratedReportSignedCopy(
        report=report, uploaded_by=user, uploaded_at=timezone.now(), **read_signed_upload(uploaded)
    )
    return save_signed_copy(copy)


def official_copy(report: GeneratedReport) -> dict | None:
    """The latest signed copy of `report` with its signatures for the page, or None. Reads the
    prefetched `signed_copies` when there are."""
    copies = list(report.signed_copies.all())
    if not copies:
        return None
    copy = max(copies, key=lambda c: (c.uploaded_at, c.pk))
    return {"copy": copy, "signatures": signature_rows(copy), "earlier": len(copies) - 1}

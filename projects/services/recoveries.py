"""Recovery of excess advances (thu hồi tạm ứng): an advance paid beyond what acceptance allows is
paid back, with its date and document, and acceptance counts advances minus recoveries."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.money import format_vnd
from core.text import clean_text
from programmes.models import FundingSource

from ..models import AdvanceRecovery, DocumentKind, Payment, Project, Status
from .common import bump_version, check_version, lock_project, require_staff
from .documents import project_document_add, removes_files_on_error


def _check_recovery(
    project: Project, source: FundingSource, amount: int, recovered_on: datetime.date
) -> None:
    if project.status not in (Status.IN_PROGRESS, Status.ACCEPTED):
        raise ValidationError(
            _("Chỉ ghi thu hồi tạm ứng khi đề án đang thực hiện hoặc đã nghiệm thu."), code="not_allowed"
        )
    if amount <= 0:
        raise ValidationError({"amount": ValidationError(_("Số tiền phải lớn hơn 0."), code="not_positive")})
    if recovered_on > timezone.localdate():
        raise ValidationError(
            {"recovered_on": ValidationError(_("Ngày thu hồi không được sau hôm nay."), code="future")}
        )
    advances = project.payments.filter(kind=Payment.Kind.ADVANCE)
    if source.pk == project.lead_fund_id:
        advances = advances.filter(funding_source__in=[source]) | advances.filter(funding_source__isnull=True)
    else:
        advances = advances.filter(funding_source=source)
    advanced = advances.aggregate(t=Sum("amount"))["t"] or 0
    recovered = project.recoveries.filter(funding_source=source).aggregate(t=Sum("amount"))["t"] or 0
    if recovered + amount > advanced:
        message = _("Thu hồi %(total)s vượt số đã tạm ứng của nguồn %(source)s (%(advanced)s).") % {
            "total": format_vnd(recovered + amount),
            "source": source.short_name,
            "advanced": format_vnd(advanced),
        }
        raise ValidationError({"amount": ValidationError(message, code="above_advances")})


@removes_files_on_error
@transaction.atomic
def advance_recovery_record(
    *,
    user: User,
    project: Project,
    amount: int,
    recovered_on: datetime.date,
    reference: str,
    funding_source: FundingSource | None = None,
    document: UploadedFile | None = None,
    expected_version: int | str | None = None,
) -> AdvanceRecovery:
    """Record an advance paid back (thu hồi tạm ứng) with its date and document number, within what
    was advanced from that fund, so acceptance can count advances minus recoveries
    (TT 36/2013/TT-BCT Điều 13; workflow.md, Payments)."""
    require_staff(user)
    project = lock_project(project)
    check_version(project, expected_version)
    source = funding_source or project.lead_fund
    amount = int(amount or 0)
    _check_recovery(project, source, amount, recovered_on)
    stored = None
    if document is not None:
        stored = project_document_add(
            user=user, project=project, kind=DocumentKind.INVOICE, uploaded=document
        )
    recovery = AdvanceRecovery(
        project=project,
        funding_source=source,
        amount=amount,
        recovered_on=recovered_on,
        reference=clean_text(reference),
        document=stored,
        created_by=user,
    )
    recovery.full_clean()
    recovery.save()
    bump_version(project)
    return recovery

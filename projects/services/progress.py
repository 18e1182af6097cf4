"""Monthly progress entries of a project in progress."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import DocumentKind, ProgressEntry, Project, ProjectDocument, Status
from .common import bump_version, check_version, day, require_staff
from .documents import project_document_add, removes_files_on_error


@removes_files_on_error
@transaction.atomic
def progress_entry_add(
    *,
    user: User,
    project: Project,
    month: datetime.date,
    percent: Decimal | int | float,
    spent: int | None = 0,
    notes: str = "",
    document: UploadedFile | ProjectDocument | None = None,
    expected_version: int | str | None = None,
) -> ProgressEntry:
    """A monthly progress entry while the project is in progress (by the 25th, TT 36/2013)."""
    require_staff(user)
    project = Project.objects.select_for_update().get(pk=project.pk)
    check_version(project, expected_version)
    if project.status != Status.IN_PROGRESS:
        raise ValidationError(_("Chỉ báo cáo tiến độ khi đề án đang thực hiện."))
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": _("Chưa đến tháng %(month)s.") % {"month": month.strftime("%m/%Y")}})
    if project.started_on and month < project.started_on.replace(day=1):
        raise ValidationError(
            {
                "month": _("Tháng %(month)s trước ngày bắt đầu thực hiện (%(start)s).")
                % {"month": month.strftime("%m/%Y"), "start": day(project.started_on)}
            }
        )
    if ProgressEntry.objects.filter(project=project, month=month).exists():
        raise ValidationError(
            {"month": _("Tháng %(month)s đã có báo cáo tiến độ.") % {"month": month.strftime("%m/%Y")}}
        )
    if document is not None and not isinstance(document, ProjectDocument):
        document = project_document_add(
            user=user, project=project, kind=DocumentKind.PROGRESS_REPORT, uploaded=document
        )
    entry = ProgressEntry(
        project=project,
        month=month,
        percent=percent,
        spent=spent or 0,
        notes=(notes or "").strip(),
        document=document,
        created_by=user,
    )
    entry.full_clean()
    entry.save()
    bump_version(project)
    return entry


@transaction.atomic
def progress_entry_confirm(
    *, user: User, entry: ProgressEntry, expected_version: int | str | None = None
) -> ProgressEntry:
    """The Sở confirms a progress report's figures (money spent, progress): only a confirmed report
    opens an advance (TT 36/2013/TT-BCT Điều 13). Confirmed once; the figures are not edited after."""
    require_staff(user)
    project = Project.objects.select_for_update().get(pk=entry.project_id)
    check_version(project, expected_version)
    entry = ProgressEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.confirmed_at is not None:
        raise ValidationError(_("Báo cáo tiến độ này đã được xác nhận."), code="already_confirmed")
    if project.status != Status.IN_PROGRESS:
        raise ValidationError(_("Chỉ xác nhận báo cáo tiến độ khi đề án đang thực hiện."), code="not_allowed")
    entry.confirmed_by = user
    entry.confirmed_at = timezone.now()
    entry.full_clean()
    entry.save(update_fields=["confirmed_by", "confirmed_at"])
    bump_version(project)
    return entry

"""A project's documents: checked uploads, the checklist of what an activity needs, and the clean-up
of files stored by a service that then fails."""

import contextvars
import functools
from collections.abc import Callable
from datetime import timedelta
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role, is_staff_like
from core.text import clean_text
from core.uploads import check_upload, safe_storage_name

from .. import selectors  # a module reference: selectors read services too
from ..models import CLOSED_STATUSES, DocumentKind, Project, ProjectDocument, RequiredDocument

P = ParamSpec("P")
R = TypeVar("R")

# The files stored during the outermost service call that is under way (see removes_files_on_error).
_stored_files = contextvars.ContextVar("projects_stored_files", default=None)


def removes_files_on_error(func: Callable[P, R]) -> Callable[P, R]:
    """A file stored by a service that then fails (a later check, a database constraint) is deleted
    once its transaction has rolled back: no orphan stays on disk. Put it above @transaction.atomic."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _stored_files.get() is not None:  # an outer call cleans up
            return func(*args, **kwargs)
        stored = []
        token = _stored_files.set(stored)
        try:
            return func(*args, **kwargs)
        except BaseException:
            for file in stored:
                file.storage.delete(file.name)
            raise
        finally:
            _stored_files.reset(token)

    return wrapper


def required_documents(project: Project, step: str | None = None) -> QuerySet[RequiredDocument]:
    """The checklist rows of the project's activity (and those for every activity), for its variant
    or for every variant."""
    variant = project.variant.key if project.variant_id else None
    rows = RequiredDocument.objects.filter(
        Q(activity=project.activity_id) | Q(activity__isnull=True),
        Q(variant_key="") | Q(variant_key=variant or ""),
    )
    if step:
        rows = rows.filter(step=step)
    return rows


def missing_documents(project: Project, step: str, *, given: str = "") -> list[RequiredDocument]:
    """The checklist rows of `step` whose kind the project has no file of (`given`: the kind of the
    file the step itself brings, which is stored only once the step's checks pass)."""
    have = set(project.documents.values_list("kind", flat=True)) | ({given} if given else set())
    return [row for row in required_documents(project, step) if row.kind not in have]


# The steps whose documents a step needs: settlement closes the dossier, so whatever acceptance
# needed must still be there (a project was settled without its acceptance minutes and invoices).
DOCUMENTS_CHECKED_AT = {"accept": ("accept",), "settle": ("accept", "settle")}


def check_step_documents(project: Project, step: str, *, given: str = "") -> None:
    """Refuse a step while a document the checklist (fixtures/required-documents.csv, edited by
    staff) asks for at that step is missing (TT 36/2013/TT-BCT Điều 5, 17, 18: the dossiers of
    acceptance and settlement)."""
    missing = [
        row
        for checked in DOCUMENTS_CHECKED_AT.get(step, (step,))
        for row in missing_documents(project, checked, given=given)
    ]
    if missing:
        raise ValidationError(
            _("Chưa đủ tài liệu: %(docs)s.")
            % {"docs": ", ".join(dict.fromkeys(str(r.get_kind_display()) for r in missing))},
            code="documents_missing",
        )


def _check_applicant_upload(user: User, project: Project, kind: str) -> None:
    """An applicant uploads only what is asked of it, and only while the project is open."""
    if project.status in CLOSED_STATUSES:
        raise ValidationError(
            _("Đề án đã “%(status)s”: cơ sở không còn tài liệu phải nộp.")
            % {"status": project.get_status_display()}
        )
    asked = set(
        required_documents(project)
        .filter(provider=RequiredDocument.Provider.APPLICANT)
        .values_list("kind", flat=True)
    )
    if kind not in asked:
        raise ValidationError({"kind": _("Cơ sở chỉ tải lên các tài liệu được yêu cầu.")})


# Upload quotas (settings of the same names override them): a project's documents, and what one
# applicant account may upload in a day, by count and by total size.
PROJECT_UPLOAD_MAX_FILES = 200
PROJECT_UPLOAD_MAX_BYTES = 1024 * 1024 * 1024  # 1 GB
USER_UPLOAD_DAILY_FILES = 40
USER_UPLOAD_DAILY_BYTES = 200 * 1024 * 1024


def _quota(name: str) -> int:
    return getattr(settings, name, globals()[name])


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _check_quota(rows: QuerySet, *, size: int, max_files: int, max_bytes: int, message: str) -> None:
    totals = rows.aggregate(n=Count("id"), total=Sum("size"))
    if totals["n"] + 1 > max_files or (totals["total"] or 0) + size > max_bytes:
        raise ValidationError(
            message % {"files": max_files, "mb": _megabytes(max_bytes)}, code="upload_quota"
        )


def _check_quotas(user: User, project: Project, size: int) -> None:
    """Refuse an upload beyond the project's quota or, for an applicant account, beyond what it may
    upload in 24 hours (issue 10 item 9: ten files of 19 MB in under three seconds)."""
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one count at a time
    _check_quota(
        project.documents.all(),
        size=size,
        max_files=_quota("PROJECT_UPLOAD_MAX_FILES"),
        max_bytes=_quota("PROJECT_UPLOAD_MAX_BYTES"),
        message=_(
            "Đề án đã đủ dung lượng tài liệu cho phép (tối đa %(files)s tệp, tổng %(mb)s MB). "
            "Vui lòng xóa tài liệu không cần hoặc liên hệ cán bộ Sở Công Thương."
        ),
    )
    if is_staff_like(user):
        return
    _check_quota(
        ProjectDocument.objects.filter(uploaded_by=user, uploaded_at__gte=timezone.now() - timedelta(days=1)),
        size=size,
        max_files=_quota("USER_UPLOAD_DAILY_FILES"),
        max_bytes=_quota("USER_UPLOAD_DAILY_BYTES"),
        message=_(
            "Bạn đã tải lên quá nhiều tài liệu trong 24 giờ qua (tối đa %(files)s tệp, tổng %(mb)s MB). "
            "Vui lòng thử lại sau."
        ),
    )


@removes_files_on_error
@transaction.atomic
def project_document_add(
    *, user: User, project: Project, kind: str, uploaded: UploadedFile
) -> ProjectDocument:
    """Store a checked file (type by content, size limit, upload quotas, random storage name)."""
    if not (is_staff_like(user) or selectors.is_beneficiary_member(user, project)):
        raise ValidationError(_("Bạn không có quyền tải tài liệu lên đề án này."), code="forbidden")
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Loại tài liệu không hợp lệ.")})
    if has_role(user, Role.APPLICANT) and not is_staff_like(user):
        _check_applicant_upload(user, project, kind)
    allowed = {"jpg", "jpeg", "png"} if kind == DocumentKind.PHOTO else None
    extension, content_type = check_upload(uploaded, allowed=allowed)
    _check_quotas(user, project, uploaded.size)
    original = clean_text(uploaded.name)[:255]
    uploaded.name = safe_storage_name(original)
    document = ProjectDocument(
        project=project,
        kind=kind,
        file=uploaded,
        original_name=original,
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=user,
    )
    try:
        document.save()
    finally:
        if document.file.name and document.file.storage.exists(document.file.name):
            files = _stored_files.get()
            if files is not None:
                files.append(document.file)
    return document

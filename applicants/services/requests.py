"""Support requests written by (or for) an applicant: drafts, edits and submission."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import Event, notify
from accounts.roles import is_staff_like
from accounts.selectors import staff_and_leaders
from core.concurrency import save_versioned
from core.text import clean_text, nfc, search_text

from ..models import Applicant, SupportRequest, SupportRequestEvent
from ..selectors import applicant_communes, consent_withdrawn
from .ceilings import check_ceiling
from .declarations import no_other_support_declare

EDITABLE = (SupportRequest.Status.DRAFT, SupportRequest.Status.RETURNED)
REQUEST_FIELDS = ("year", "activity", "variant", "title", "description", "estimated_cost", "counterpart")


def next_tracking_code(year: int) -> str:
    """The next free code of `year`: YC-<year>-<6 digits>."""
    prefix = f"YC-{year}-"
    last = (
        SupportRequest.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def _assign_code(request, attempts=20):
    """Give `request` a tracking code. The unique constraint decides between two submissions at
    the same moment: the loser retries with the next number."""
    year = timezone.localdate().year
    for _attempt in range(attempts):
        request.code = next_tracking_code(year)
        try:
            with transaction.atomic():
                SupportRequest.objects.filter(pk=request.pk).update(code=request.code)
            return request.code
        except IntegrityError:
            continue
    raise ValidationError(_("Hệ thống đang bận, chưa cấp được mã theo dõi. Vui lòng gửi lại."), code="busy")


def _request_clean(request):
    request.title = clean_text(request.title)
    request.description = nfc(request.description or "").strip()
    errors = {}
    if request.variant_id and request.activity_id and request.variant.activity_id != request.activity_id:
        errors["variant"] = [
            ValidationError(_("Trường hợp này không thuộc hoạt động đã chọn."), code="variant_mismatch")
        ]
    if request.estimated_cost is not None and request.counterpart is not None:
        if request.counterpart > request.estimated_cost:
            errors["counterpart"] = [
                ValidationError(
                    _("Vốn đối ứng không được lớn hơn tổng kinh phí dự kiến."), code="counterpart_above_cost"
                )
            ]
        else:
            # What the state is asked for is the rest of the cost.
            request.requested_support = request.estimated_cost - request.counterpart
    if errors:
        raise ValidationError(errors)
    request.search_text = search_text(
        request.code, request.title, request.applicant.name, request.applicant.tax_code, request.activity.code
    )


def _event(request, *, from_status, actor, comment=""):
    SupportRequestEvent.objects.create(
        request=request, from_status=from_status, to_status=request.status, actor=actor, comment=comment
    )


def _check_ceiling_of(request):
    check_ceiling(
        activity=request.activity,
        variant=request.variant,
        cost=request.estimated_cost,
        support=request.requested_support,
        communes=applicant_communes(request.applicant),
    )


def _not_verified():
    return ValidationError(
        _("Hồ sơ cơ sở chưa được xác minh nên chưa gửi được đề nghị hỗ trợ."), code="not_verified"
    )


def _declare(request, *, actor, declare):
    if declare:
        no_other_support_declare(
            applicant=request.applicant,
            actor=actor,
            year=request.year,
            activity=request.activity,
            support_request=request,
        )


def _submit(request, *, actor, from_status, declare=False):
    if not request.applicant.is_verified:
        raise _not_verified()
    _declare(request, actor=actor, declare=declare)
    _check_ceiling_of(request)
    request.status = SupportRequest.Status.SUBMITTED
    request.submitted_at = timezone.now()
    if not request.code:
        _assign_code(request)
    SupportRequest.objects.filter(pk=request.pk).update(
        status=request.status, submitted_at=request.submitted_at, code=request.code
    )
    _request_clean(request)
    SupportRequest.objects.filter(pk=request.pk).update(search_text=request.search_text)
    _event(request, from_status=from_status, actor=actor)
    notify(
        recipients=staff_and_leaders(),
        event=Event.REQUEST_SUBMITTED,
        title=_("Đề nghị hỗ trợ %(code)s của %(name)s")
        % {"code": request.code, "name": request.applicant.name},
        body=request.title,
        url=reverse("applicants:request_detail", args=[request.pk]),
        email=False,
    )


@transaction.atomic
def support_request_create(
    *, applicant: Applicant, actor: User, data: dict, submit: bool, declare_no_other_support: bool = False
) -> SupportRequest:
    """A new request (a draft, or submitted at once). Staff may enter one from a paper dossier.
    With `declare_no_other_support`, submitting records the applicant's declaration that these
    cost items receive no other state support (required before a project for it is submitted).
    A profile whose consent to the privacy notice was withdrawn sends no new request until it
    consents again (NĐ 13/2023/NĐ-CP Điều 12)."""
    staff = is_staff_like(actor)
    if not staff and not applicant.is_verified:
        raise _not_verified()
    if consent_withdrawn(applicant):
        raise ValidationError(
            _(
                "Cơ sở đã rút lại sự đồng ý xử lý dữ liệu cá nhân nên không gửi được đề nghị mới. "
                "Đồng ý lại trên trang Hồ sơ cơ sở để tiếp tục."
            ),
            code="consent_withdrawn",
        )
    request = SupportRequest(applicant=applicant, created_by=actor, entered_by_staff=staff, **data)
    _request_clean(request)
    request.full_clean(exclude=["code"])
    request.status = SupportRequest.Status.DRAFT
    if submit:
        _check_ceiling_of(request)
    request.save()
    _event(request, from_status="", actor=actor, comment=_("Tạo đề nghị"))
    if submit:
        _submit(
            request, actor=actor, from_status=SupportRequest.Status.DRAFT, declare=declare_no_other_support
        )
    return request


@transaction.atomic
def support_request_update(
    *,
    request: SupportRequest,
    actor: User,
    data: dict,
    expected_version: int | None,
    submit: bool,
    declare_no_other_support: bool = False,
) -> SupportRequest:
    """Edit a draft or a returned request; `submit` sends (or resends) it. The edit is refused
    (code "stale") unless it was made on the current version of the request: a form without its
    version, or one opened before staff returned or someone else saved it, would silently undo
    their change."""
    if request.status not in EDITABLE:
        raise ValidationError(_("Đề nghị đã gửi, không sửa được nữa."), code="not_editable")
    for name, value in data.items():
        setattr(request, name, value)
    _request_clean(request)
    request.full_clean(exclude=["code"])
    if submit:
        _check_ceiling_of(request)
    save_versioned(
        request, expected_version=expected_version, fields=list(data) + ["search_text", "requested_support"]
    )
    if submit:
        _submit(request, actor=actor, from_status=request.status, declare=declare_no_other_support)
    return request

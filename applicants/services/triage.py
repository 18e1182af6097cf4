"""Staff triage of submitted support requests, on the TRIAGE table (applicants.workflow)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from accounts.roles import is_staff_like
from core.workflow import apply_step

from ..models import SupportRequest
from ..workflow import TRIAGE, TRIAGE_EVENTS, new_event


def _refusal(request):
    return ValidationError(
        _("Đề nghị đang ở trạng thái “%(status)s”, không thực hiện được bước này.")
        % {"status": request.get_status_display()},
        code="not_allowed",
    )


def _save_request(request):
    request.save(update_fields=["status", "version", "updated_at"])


@transaction.atomic
def support_request_triage(
    *, request: SupportRequest, actor: User, action: str, reason: str = ""
) -> SupportRequest:
    """Staff accept a submitted request (it may then become a project), decline it with a reason,
    or return it for more information (the applicant edits and resubmits). The request is locked,
    the step applied by the workflow engine (its history row is a SupportRequestEvent), and the
    applicant's people are told."""
    if not is_staff_like(actor):
        raise ValidationError(_("Chỉ cán bộ Sở mới xử lý được đề nghị."), code="forbidden")
    request = SupportRequest.objects.select_for_update().select_related("applicant").get(pk=request.pk)
    step = TRIAGE.by_key.get(action)
    if step is None or not step.allows(request.status):
        raise _refusal(request)
    try:
        context = apply_step(
            TRIAGE,
            obj=request,
            key=action,
            user=actor,
            data={"reason": reason},
            new_row=new_event,
            save_obj=_save_request,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "reason" in error.error_dict:
            raise ValidationError(
                {"reason": [ValidationError(_("Vui lòng ghi lý do."), code="required")]}
            ) from None
        raise
    notify(
        recipients=request.applicant.users(),
        event=TRIAGE_EVENTS[action],
        title=_("Đề nghị %(code)s: %(status)s")
        % {"code": request.code, "status": request.get_status_display()},
        body=context.row.comment,
        url=reverse("applicants:request_detail", args=[request.pk]),
    )
    return request

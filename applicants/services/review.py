"""Staff verification of applicant profiles."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.notifications import Event, notify
from accounts.roles import is_staff_like
from core.text import clean_text

from ..models import Applicant, ApplicantReview

REVIEW_EVENTS = {
    ApplicantReview.Decision.VERIFIED: (Applicant.Verification.VERIFIED, Event.APPLICANT_VERIFIED),
    ApplicantReview.Decision.REJECTED: (Applicant.Verification.REJECTED, Event.APPLICANT_REJECTED),
    ApplicantReview.Decision.CHANGES_REQUESTED: (
        Applicant.Verification.CHANGES_REQUESTED,
        Event.APPLICANT_CHANGES_REQUESTED,
    ),
}
REVIEW_TITLES = {
    ApplicantReview.Decision.VERIFIED: gettext_lazy("Hồ sơ cơ sở %(name)s đã được xác minh"),
    ApplicantReview.Decision.REJECTED: gettext_lazy("Hồ sơ cơ sở %(name)s không được xác minh"),
    ApplicantReview.Decision.CHANGES_REQUESTED: gettext_lazy("Hồ sơ cơ sở %(name)s cần bổ sung"),
}


def _check_decision(actor, decision, reason):
    if not is_staff_like(actor):
        raise ValidationError(_("Chỉ cán bộ Sở mới xác minh được hồ sơ."), code="forbidden")
    if decision not in REVIEW_EVENTS:
        raise ValidationError(_("Quyết định không hợp lệ."), code="invalid_decision")
    if decision != ApplicantReview.Decision.VERIFIED and not reason:
        raise ValidationError(
            {"reason": [ValidationError(_("Vui lòng ghi lý do để cơ sở biết cần làm gì."), code="required")]}
        )


@transaction.atomic
def applicant_review(
    *, applicant: Applicant, actor: User, decision: str, reason: str = ""
) -> ApplicantReview:
    """Staff verify a profile, reject it with a reason, or ask for changes with a reason. Every
    decision is a history row; the applicant's people are told in the portal and by email."""
    reason = clean_text(reason)
    _check_decision(actor, decision, reason)
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    if applicant.verification_status != Applicant.Verification.PENDING and not (
        applicant.verification_status == Applicant.Verification.CHANGES_REQUESTED
        and decision != ApplicantReview.Decision.CHANGES_REQUESTED
    ):
        raise ValidationError(
            _("Hồ sơ đang ở trạng thái “%(status)s”, không xử lý được bước này.")
            % {"status": applicant.get_verification_status_display()},
            code="not_allowed",
        )
    status, event = REVIEW_EVENTS[decision]
    applicant.verification_status = status
    applicant._history_user, applicant._change_reason = actor, str(ApplicantReview.Decision(decision).label)
    applicant.save(update_fields=["verification_status", "updated_at"])
    review = ApplicantReview.objects.create(
        applicant=applicant, decision=decision, actor=actor, reason=reason
    )
    notify(
        recipients=applicant.users(),
        event=event,
        title=REVIEW_TITLES[decision] % {"name": applicant.name},
        body=reason,
        url=reverse("applicants:my_profile"),
    )
    return review

"""Consent to the privacy notice (NĐ 13/2023/NĐ-CP Điều 11-12; Luật Bảo vệ dữ liệu cá nhân 2025):
given with the version of the notice in force, on the portal or on paper, and withdrawn as easily."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_staff_like
from core.audit import record_history

from ..models import Applicant, PrivacyConsent, PrivacyNotice
from ..privacy import seed_first_notice
from ..selectors import current_notice, is_member


def privacy_notice_current() -> PrivacyNotice:
    """The notice in force today; on a database without any (a fresh or flushed one), version 1.0
    from fixtures/privacy-notice.txt."""
    notice = current_notice()
    if notice is None:
        notice = seed_first_notice(PrivacyNotice) or PrivacyNotice.objects.order_by("valid_from").first()
    return notice


def privacy_consent_record(
    *, applicant: Applicant, actor: User | None, on_paper: bool = False
) -> PrivacyConsent:
    """A consent to the notice in force (the caller holds the transaction)."""
    consent = PrivacyConsent(
        applicant=applicant, notice=privacy_notice_current(), on_paper=on_paper, given_by=actor
    )
    consent.full_clean()
    consent.save()
    Applicant.objects.filter(pk=applicant.pk).update(privacy_consent_at=consent.given_at)
    applicant.privacy_consent_at = consent.given_at
    record_history(applicant, user=actor, reason=_("Đồng ý xử lý dữ liệu cá nhân"))
    return consent


def _check_may_act(applicant, actor):
    if not (is_member(actor, applicant) or is_staff_like(actor)):
        raise ValidationError(_("Chỉ thành viên của cơ sở mới thay đổi được sự đồng ý."), code="forbidden")


@transaction.atomic
def privacy_consent_give(*, applicant: Applicant, actor: User) -> PrivacyConsent:
    """Consent again (after a withdrawal, or to a new version), from the applicant's profile."""
    _check_may_act(applicant, actor)
    return privacy_consent_record(applicant=applicant, actor=actor)


@transaction.atomic
def privacy_consent_withdraw(*, applicant: Applicant, actor: User) -> int:
    """Withdraw every active consent, recorded with its date and who withdrew (NĐ 13/2023/NĐ-CP
    Điều 12). The dossiers stay as archival records; the applicant can send no new request until
    it consents again. Returns how many consents were withdrawn."""
    _check_may_act(applicant, actor)
    active = PrivacyConsent.objects.select_for_update().filter(applicant=applicant, withdrawn_at__isnull=True)
    if not active.exists():
        raise ValidationError(_("Cơ sở không có sự đồng ý nào đang hiệu lực để rút lại."), code="no_consent")
    return active.update(withdrawn_at=timezone.now(), withdrawn_by=actor)

"""The beneficiary's declaration that the cost items receive no other state support."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import is_staff_like
from programmes.models import ActivityType

from ..models import Applicant, NoOtherSupportDeclaration, SupportRequest
from ..selectors import is_member

DECLARATION_TEXT = gettext_lazy(
    "Cơ sở cam kết: các nội dung chi phí đề nghị hỗ trợ chưa được và sẽ không đề nghị hỗ trợ từ "
    "nguồn kinh phí nhà nước nào khác."
)


@transaction.atomic
def no_other_support_declare(
    *,
    applicant: Applicant,
    actor: User,
    year: int,
    activity: ActivityType,
    support_request: SupportRequest | None = None,
    on_paper: bool = False,
) -> NoOtherSupportDeclaration:
    """Record the declaration of TTLT 26/2014/TTLT-BTC-BCT Điều 7.4 (carried into TT 28/2018/TT-BTC)
    with its date and who declared: the applicant's own member on the portal, or a staff member
    recording a signed paper declaration (`on_paper`)."""
    staff = is_staff_like(actor)
    if on_paper and not staff:
        raise ValidationError(_("Chỉ cán bộ Sở mới ghi nhận cam kết bằng giấy."), code="forbidden")
    member = is_member(actor, applicant)
    if not staff and not member:
        raise ValidationError(_("Chỉ thành viên của cơ sở mới cam kết được."), code="forbidden")
    declaration = NoOtherSupportDeclaration(
        applicant=applicant,
        year=year,
        activity=activity,
        support_request=support_request,
        statement=str(DECLARATION_TEXT),
        on_paper=on_paper or not member,
        declared_by=actor,
    )
    declaration.full_clean()
    declaration.save()
    return declaration

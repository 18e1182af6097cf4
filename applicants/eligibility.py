"""May an applicant be the beneficiary of a đề án? Checked when the project is submitted
(projects.services.steps.submit) for every beneficiary named."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from programmes.models import BeneficiaryCategory

from .models import Applicant, NoOtherSupportDeclaration

SME_CLASSES = frozenset({"micro", "small", "medium"})


def _size_problem(applicant):
    """NĐ 80/2021/NĐ-CP Điều 5: an SME is within the medium bounds of its sector (self-declared)."""
    size = applicant.sme_class
    if size is None:
        return _("chưa kê khai đủ số lao động tham gia BHXH và doanh thu hoặc nguồn vốn để xác định quy mô")
    if size not in SME_CLASSES:
        return _("vượt ngưỡng doanh nghiệp nhỏ và vừa (Nghị định 80/2021/NĐ-CP Điều 5)")
    return None


def beneficiary_problems(applicant: Applicant, *, year: int, activity) -> list[str]:
    """Why `applicant` may not receive direct support for `activity` in `year`, in words (empty:
    it may). The rules: a verified profile; a category that may receive direct support
    (BeneficiaryCategory.direct_support: category đ of QĐ 1966/QĐ-UBND mục II.2 does not); an SME
    within the size of NĐ 80/2021/NĐ-CP; an artisan (category c) holding a title of NĐ 43/2024/NĐ-CP;
    and a declaration that the same cost items receive no other state support (TTLT 26/2014
    Điều 7.4, carried into TT 28/2018/TT-BTC)."""
    problems = []
    if not applicant.is_verified:
        problems.append(_("hồ sơ cơ sở chưa được xác minh"))
    category = BeneficiaryCategory.objects.filter(code=applicant.beneficiary_category).first()
    if category is not None and not category.direct_support:
        problems.append(
            _("thuộc nhóm đối tượng %(code)s), không được nhận hỗ trợ trực tiếp (%(basis)s)")
            % {"code": category.code, "basis": category.legal_basis}
        )
    if applicant.kind == Applicant.Kind.SME:
        size = _size_problem(applicant)
        if size:
            problems.append(size)
    if applicant.kind == Applicant.Kind.ARTISAN and not applicant.artisan_titles.exists():
        problems.append(_("nghệ nhân chưa có danh hiệu Nghệ nhân nhân dân hoặc Nghệ nhân ưu tú"))
    if not NoOtherSupportDeclaration.objects.filter(
        applicant=applicant, year=year, activity=activity
    ).exists():
        problems.append(
            _(
                "chưa cam kết nội dung chi phí đề nghị hỗ trợ năm %(year)s không nhận hỗ trợ từ nguồn nhà nước khác"
            )
            % {"year": year}
        )
    return problems


def check_beneficiaries(applicants, *, year: int, activity) -> None:
    """Refuse (code "ineligible_beneficiary") naming each beneficiary at fault and why."""
    errors = []
    for applicant in applicants:
        problems = beneficiary_problems(applicant, year=year, activity=activity)
        if problems:
            errors.append(
                ValidationError(
                    _("Đơn vị thụ hưởng %(name)s không đủ điều kiện: %(problems)s.")
                    % {"name": applicant.name, "problems": "; ".join(problems)},
                    code="ineligible_beneficiary",
                )
            )
    if errors:
        raise ValidationError(errors)

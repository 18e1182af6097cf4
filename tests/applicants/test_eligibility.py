"""Issue 9 A.7: every beneficiary is eligible when its đề án is submitted."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.roles import Role
from applicants import services
from applicants.models import Applicant, ArtisanTitle, NoOtherSupportDeclaration
from programmes.models import ActivityType, BeneficiaryCategory
from projects import services as project_services
from projects.models import Status
from tests.factories import ApplicantFactory, SupportRequestFactory, UserFactory
from tests.projects.utils import make_project, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(
        datetime.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False
    ):
        yield


@pytest.fixture
def staff(db):
    return UserFactory(roles=[Role.STAFF])


def _machinery():
    return ActivityType.objects.get(programme__is_current=True, code="2b")


def _declare(staff, applicant, year=2026):
    services.no_other_support_declare(
        applicant=applicant, actor=staff, year=year, activity=_machinery(), on_paper=True
    )


def _submit(staff, beneficiary):
    project = make_project(staff, beneficiaries=[beneficiary])
    for row in project_services.missing_documents(project, "submit"):
        project_services.project_document_add(user=staff, project=project, kind=row.kind, uploaded=pdf())
    return project_services.project_transition(user=staff, project=project, step="submit", data={})


def _refusal(staff, beneficiary):
    with pytest.raises(ValidationError) as error:
        _submit(staff, beneficiary)
    assert error.value.error_list[0].code == "ineligible_beneficiary"
    return " ".join(error.value.messages)


def test_an_eligible_declared_beneficiary_is_submitted(staff):
    household = ApplicantFactory(kind="household")
    _declare(staff, household)
    assert _submit(staff, household).status == Status.SUBMITTED


def test_an_oversized_rejected_sme_is_refused_by_name(staff):
    """The case of the issue: a rejected 'SME' of 900 workers as beneficiary of a KCQG 2b project."""
    sme = ApplicantFactory(
        kind="sme",
        name="Công ty Cổ phần Dệt Lớn",
        verification_status=Applicant.Verification.REJECTED,
        insured_employees=900,
        revenue_vnd=900_000_000_000,
        capital_vnd=500_000_000_000,
    )
    _declare(staff, sme)
    message = _refusal(staff, sme)
    assert "Công ty Cổ phần Dệt Lớn" in message
    assert "chưa được xác minh" in message
    assert "vượt ngưỡng doanh nghiệp nhỏ và vừa" in message


def test_an_sme_without_size_figures_is_refused(staff):
    sme = ApplicantFactory(kind="sme", insured_employees=None, revenue_vnd=None, capital_vnd=None)
    _declare(staff, sme)
    assert "chưa kê khai đủ số lao động" in _refusal(staff, sme)


def test_a_small_sme_passes_the_size_test(staff):
    sme = ApplicantFactory(kind="sme", insured_employees=40, revenue_vnd=30_000_000_000, capital_vnd=None)
    _declare(staff, sme)
    assert _submit(staff, sme).status == Status.SUBMITTED


def test_category_d_others_concerned_receive_no_direct_support(staff):
    other = ApplicantFactory(kind="other", name="Ông Nguyễn Văn Khác")
    _declare(staff, other)
    assert BeneficiaryCategory.objects.get(code="đ").direct_support is False
    message = _refusal(staff, other)
    assert "Ông Nguyễn Văn Khác" in message and "không được nhận hỗ trợ trực tiếp" in message
    # The flag is data: the province may change it in the admin.
    BeneficiaryCategory.objects.filter(code="đ").update(direct_support=True)
    assert _submit(staff, other).status == Status.SUBMITTED


def test_an_artisan_needs_a_title(staff):
    artisan = ApplicantFactory(kind="artisan", name="Nghệ nhân Trần Văn Mộc")
    _declare(staff, artisan)
    assert "chưa có danh hiệu" in _refusal(staff, artisan)
    ArtisanTitle.objects.create(applicant=artisan, title="uu_tu", year=2022, craft="Chạm gỗ")
    assert _submit(staff, artisan).status == Status.SUBMITTED


def test_no_declaration_no_submission(staff):
    household = ApplicantFactory(kind="household", name="Hộ ông Chưa Cam Kết")
    message = _refusal(staff, household)
    assert "Hộ ông Chưa Cam Kết" in message and "chưa cam kết" in message
    _declare(staff, household, year=2025)  # another year's declaration does not cover this one
    assert "chưa cam kết" in _refusal(staff, household)
    _declare(staff, household)
    assert _submit(staff, household).status == Status.SUBMITTED


def test_the_declaration_is_recorded_with_date_and_who_from_the_request(own_request):
    applicant, user = own_request
    request = services.support_request_create(
        applicant=applicant,
        actor=user,
        data={
            "year": 2026,
            "activity": _machinery(),
            "variant": None,
            "title": "Máy dệt",
            "description": "Máy dệt tự động",
            "estimated_cost": 600_000_000,
            "counterpart": 300_000_000,
        },
        submit=True,
        declare_no_other_support=True,
    )
    declaration = NoOtherSupportDeclaration.objects.get(applicant=applicant)
    assert declaration.support_request == request and declaration.declared_by == user
    assert declaration.year == 2026 and declaration.activity.code == "2b" and not declaration.on_paper
    assert declaration.declared_at is not None and "nguồn kinh phí nhà nước" in declaration.statement


def test_only_staff_record_a_paper_declaration_and_only_members_declare(own_request, staff):
    applicant, user = own_request
    with pytest.raises(ValidationError, match="Chỉ cán bộ Sở mới ghi nhận cam kết bằng giấy"):
        services.no_other_support_declare(
            applicant=applicant, actor=user, year=2026, activity=_machinery(), on_paper=True
        )
    stranger = UserFactory(roles=[Role.APPLICANT])
    with pytest.raises(ValidationError, match="Chỉ thành viên của cơ sở"):
        services.no_other_support_declare(
            applicant=applicant, actor=stranger, year=2026, activity=_machinery()
        )


@pytest.fixture
def own_request(db):
    user = UserFactory(roles=[Role.APPLICANT])
    applicant = ApplicantFactory(owner=user)
    applicant.members.add(user)
    SupportRequestFactory(applicant=applicant)
    return applicant, user

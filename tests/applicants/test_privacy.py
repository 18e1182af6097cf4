"""Issue 9 A.13: personal data (NĐ 13/2023/NĐ-CP; Luật Bảo vệ dữ liệu cá nhân 2025)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from applicants import services
from applicants.models import Applicant, PrivacyConsent, PrivacyNotice
from programmes.models import ActivityType
from tests.factories import UserFactory, commune

from .test_views import _registration

pytestmark = pytest.mark.django_db


def _request_data():
    return {
        "year": 2026,
        "activity": ActivityType.objects.get(programme__is_current=True, code="2b"),
        "variant": None,
        "title": "Máy dệt",
        "description": "Máy dệt tự động",
        "estimated_cost": 600_000_000,
        "counterpart": 300_000_000,
    }


def _registered(client):
    client.post(reverse("applicants:register"), _registration())
    return Applicant.objects.get(name="Hộ kinh doanh Mây tre Đức")


def test_the_notice_names_the_controller_and_says_what_the_law_asks(client):
    html = client.get(reverse("applicants:privacy")).content.decode()
    assert "Bên Kiểm soát và xử lý dữ liệu cá nhân: Sở Công Thương tỉnh Hưng Yên" in html
    assert "Bên xử lý:" not in html
    for said in [
        "Mục đích xử lý",
        "Căn cứ pháp lý",
        "Ủy ban nhân dân tỉnh, Bộ Công Thương và Sở Tài chính",
        "tài liệu lưu trữ",
        "Quyền của bạn",
        "Cách thực hiện quyền",
        "Rút lại sự đồng ý",
    ]:
        assert said in html, said
    assert "Phiên bản 1.0" in html


def test_the_registration_page_shows_the_current_version(client):
    PrivacyNotice.objects.create(
        version="2.0",
        text="Bên Kiểm soát và xử lý dữ liệu cá nhân: phiên bản mới.",
        valid_from=datetime.date(2026, 3, 1),
    )
    PrivacyNotice.objects.create(version="3.0", text="Chưa áp dụng.", valid_from=datetime.date(2099, 1, 1))
    html = client.get(reverse("applicants:register")).content.decode()
    assert "phiên bản 2.0" in html and "phiên bản mới" in html
    assert "3.0" not in html and "Chưa áp dụng" not in html


def test_each_consent_records_the_version_it_was_given_to(client):
    applicant = _registered(client)
    consent = PrivacyConsent.objects.get(applicant=applicant)
    assert consent.notice.version == "1.0" and consent.given_by == applicant.owner and not consent.on_paper
    assert consent.is_active and applicant.privacy_consent_at is not None


def test_a_paper_dossier_records_a_signed_paper_consent(client):
    staff = UserFactory(roles=[Role.STAFF])
    client.force_login(staff)
    data = {k: v for k, v in _registration().items() if k not in ("password1", "password2", "consent")}
    data.update(name="Hộ bà Lan (hồ sơ giấy)", phone="0988777666")
    page = client.get(reverse("applicants:staff_entry")).content.decode()
    assert 'name="paper_consent"' in page
    response = client.post(reverse("applicants:staff_entry"), data)  # box not ticked
    assert "paper_consent" in response.context["form"].errors
    assert not Applicant.objects.filter(name="Hộ bà Lan (hồ sơ giấy)").exists()
    client.post(reverse("applicants:staff_entry"), {**data, "paper_consent": "on"})
    consent = PrivacyConsent.objects.get(applicant__name="Hộ bà Lan (hồ sơ giấy)")
    assert consent.on_paper and consent.given_by == staff and consent.notice.version == "1.0"


def test_the_paper_dossier_service_refuses_without_paper_consent():
    staff = UserFactory(roles=[Role.STAFF])
    applicant = Applicant(
        kind="household",
        name="Hộ ông Giấy",
        representative="Ông Giấy",
        phone="",
        address="Thôn",
        commune=commune(),
    )
    with pytest.raises(ValidationError) as error:
        services.applicant_enter_paper_dossier(
            actor=staff, applicant=applicant, create_account=False, paper_consent=False
        )
    assert error.value.error_dict["paper_consent"][0].code == "paper_consent"


def test_consent_is_withdrawn_from_the_profile_and_given_again(client):
    applicant = _registered(client)
    page = client.get(reverse("applicants:my_profile")).content.decode()
    assert 'data-testid="withdraw-consent"' in page
    assert "vẫn được giữ như tài liệu lưu trữ" in page and "không gửi được đề nghị hỗ trợ mới" in page
    response = client.post(reverse("applicants:consent", args=[applicant.pk]), {"action": "withdraw"})
    assert response.status_code == 302
    consent = PrivacyConsent.objects.get(applicant=applicant)
    assert consent.withdrawn_at is not None and consent.withdrawn_by == applicant.owner
    page = client.get(reverse("applicants:my_profile")).content.decode()
    assert 'data-testid="give-consent"' in page and "đã rút lại sự đồng ý" in page
    # No new request while withdrawn (staff cannot enter one either).
    Applicant.objects.filter(pk=applicant.pk).update(verification_status="verified")
    applicant.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.support_request_create(
            applicant=applicant, actor=applicant.owner, data=_request_data(), submit=False
        )
    assert error.value.code == "consent_withdrawn"
    client.post(reverse("applicants:consent", args=[applicant.pk]), {"action": "give"})
    assert PrivacyConsent.objects.filter(applicant=applicant, withdrawn_at__isnull=True).count() == 1
    assert services.support_request_create(
        applicant=applicant, actor=applicant.owner, data=_request_data(), submit=False
    ).pk


def test_only_the_applicant_s_people_change_its_consent(client):
    applicant = _registered(client)
    stranger = UserFactory(roles=[Role.APPLICANT])
    client.force_login(stranger)
    assert (
        client.post(reverse("applicants:consent", args=[applicant.pk]), {"action": "withdraw"}).status_code
        == 404
    )
    assert PrivacyConsent.objects.get(applicant=applicant).is_active
    with pytest.raises(ValidationError, match="Chỉ thành viên của cơ sở"):
        services.privacy_consent_withdraw(applicant=applicant, actor=stranger)

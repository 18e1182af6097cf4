"""Issue 9 part C, the applicant's and the triaging staff's journeys (each where a person tripped)."""

import re

import pytest
from django.urls import reverse

from accounts.models import Notification
from applicants.models import Applicant, SupportRequest
from programmes.models import FundingSource
from projects import services as project_services
from tests.factories import ApplicantFactory, SupportRequestFactory, commune

from .test_views import _registration

pytestmark = pytest.mark.django_db


def _accepted(own):
    applicant, request = own
    SupportRequest.objects.filter(pk=request.pk).update(
        status=SupportRequest.Status.ACCEPTED, variant=request.activity.variants.get(key="machine")
    )
    return applicant, SupportRequest.objects.get(pk=request.pk)


def test_an_accepted_request_offers_staff_the_project_to_make(people, client_for, own):
    _applicant, request = _accepted(own)
    html = (
        client_for(people["staff"])
        .get(reverse("applicants:request_detail", args=[request.pk]))
        .content.decode()
    )
    assert f'href="/de-an/tu-de-nghi/?request={request.pk}" data-testid="make-project"' in html
    html = (
        client_for(people["applicant"])
        .get(reverse("applicants:request_detail", args=[request.pk]))
        .content.decode()
    )
    assert 'data-testid="make-project"' not in html


def test_the_applicant_is_told_and_follows_the_project_made_from_its_request(people, client_for, own):
    applicant, request = _accepted(own)
    project, _warnings = project_services.project_create_from_request(
        user=people["staff"],
        support_request=request,
        lead_fund=FundingSource.objects.get(code="KCQG"),
        implementing_unit="Trung tâm Khuyến công",
    )
    told = Notification.objects.get(recipient=people["applicant"], url=f"/de-an/{project.pk}/")
    assert project.code in told.title
    html = client_for(people["applicant"]).get(reverse("applicants:my_requests")).content.decode()
    assert f'href="/de-an/{project.pk}/">{project.code}</a>' in html and 'data-project-status="draft"' in html
    staff_page = client_for(people["staff"]).get(reverse("applicants:request_detail", args=[request.pk]))
    assert 'data-testid="make-project"' not in staff_page.content.decode()
    client_for(None)
    found = client_for(None).post(
        reverse("applicants:lookup"), {"code": request.code, "secret": applicant.tax_code}
    )
    assert 'data-project-status="draft"' in found.content.decode()


def test_an_unverified_applicant_is_told_before_filling_the_request_form(people, client_for):
    applicant = ApplicantFactory(
        owner=people["applicant"], verification_status=Applicant.Verification.PENDING
    )
    html = (
        client_for(people["applicant"])
        .get(reverse("applicants:request_create", args=[applicant.pk]))
        .content.decode()
    )
    assert 'data-testid="not-verified"' in html and 'data-testid="request-form"' not in html
    staff_html = client_for(people["staff"]).get(reverse("applicants:request_create", args=[applicant.pk]))
    assert 'data-testid="request-form"' in staff_html.content.decode()  # staff enter paper dossiers


def test_the_verification_decision_has_no_preselected_answer(people, client_for):
    applicant = ApplicantFactory(verification_status=Applicant.Verification.PENDING)
    client = client_for(people["staff"])
    html = client.get(reverse("applicants:detail", args=[applicant.pk])).content.decode()
    select = re.search(r'<select name="decision".*?</select>', html, re.S).group(0)
    assert '<option value="" selected>' in select and 'verified" selected' not in select
    client.post(reverse("applicants:review", args=[applicant.pk]), {"reason": ""})
    applicant.refresh_from_db()
    assert applicant.verification_status == Applicant.Verification.PENDING


def test_the_error_banner_names_the_fields_at_fault(people, client_for, own):
    applicant, _request = own
    response = client_for(people["applicant"]).post(
        reverse("applicants:request_create", args=[applicant.pk]), {"year": "2026", "submit": "1"}
    )
    banner = response.content.decode().split('data-testid="fields-at-fault"', 1)[1].split("</ul>", 1)[0]
    assert "Tên nội dung đề nghị" in banner and "Hoạt động khuyến công" in banner
    assert "Năm" not in banner


def test_a_password_is_not_retyped_after_an_unrelated_error(client):
    response = client.post(reverse("applicants:register"), _registration(consent=""))
    html = response.content.decode()
    assert 'name="password1" value="Mat-khau-Rat-Kho-123"' in html
    response = client.post(reverse("applicants:register"), _registration(password2="khac-han-1234"))
    assert 'value="Mat-khau-Rat-Kho-123"' not in response.content.decode()


def test_the_variant_list_names_each_options_activity(people, client_for, own):
    applicant, _request = own
    html = (
        client_for(people["applicant"])
        .get(reverse("applicants:request_create", args=[applicant.pk]))
        .content.decode()
    )
    select = re.search(r'<select name="variant".*?</select>', html, re.S).group(0)
    assert 'data-variants-of="id_activity"' in select
    assert all("data-activity=" in o for o in re.findall(r"<option value=\"\d+\"[^>]*>", select))
    assert '<script src="/static/js/portal.js"></script>' in html


def test_a_households_profile_speaks_plain_words(people, client_for):
    ApplicantFactory(owner=people["applicant"], kind="household", commune=commune("11953"))
    html = client_for(people["applicant"]).get(reverse("applicants:my_profile")).content.decode()
    assert "siêu nhỏ" not in html and "mục II.2" not in html and "Dạng JSON" not in html
    assert "Cơ sở sản xuất công nghiệp nông thôn" in html


def test_codes_and_amounts_do_not_wrap_in_the_request_list(people, client_for):
    SupportRequestFactory()
    html = client_for(people["staff"]).get(reverse("applicants:request_list")).content.decode()
    assert (
        '<td class="kc-code"><a href="/co-so/de-nghi/' in html and '<td class="text-end text-nowrap">' in html
    )

"""The 104-commune choice is searchable on a phone: a text input with a <datalist> of the communes'
names (Vietnamese order), typed as people write it ("tien lu", "Tiên Lữ", "Xã Tiên Lữ" or the code)
and resolved server-side back to the commune; an unknown name is a clear Vietnamese form error."""

import html
import re

import pytest
from django.urls import reverse

from applicants.models import Applicant
from programmes.models import AdministrativeUnit
from tests.factories import ApplicantFactory, commune

from .test_views import _registration

pytestmark = pytest.mark.django_db


def _commune_input(page):
    """(the input's attributes, the datalist's option values) of the commune field of a page."""
    match = re.search(r'<input[^>]*name="commune"[^>]*>', page)
    assert match, "no commune input"
    tag = match[0]
    list_id = re.search(r'list="([^"]+)"', tag)[1]
    datalist = re.search(rf'<datalist id="{list_id}"[^>]*>(.*?)</datalist>', page, re.S)[1]
    return tag, [html.unescape(v) for v in re.findall(r'<option value="([^"]*)"', datalist)]


def test_the_registration_form_offers_the_communes_as_a_searchable_list(client):
    page = client.get(reverse("applicants:register")).content.decode()
    tag, names = _commune_input(page)
    assert 'autocomplete="off"' in tag and "<select" not in page.split('name="commune"')[0][-200:]
    active = list(AdministrativeUnit.objects.filter(is_active=True).values_list("full_name", flat=True))
    assert names == active and len(names) == 104


@pytest.mark.parametrize("typed", ["Xã Tiên Lữ", "tien lu", "  TIÊN   LỮ ", "12364", "xa tien lu"])
def test_registration_resolves_the_typed_name_ignoring_case_and_marks(client, typed):
    response = client.post(reverse("applicants:register"), _registration(commune=typed))
    assert response.status_code == 302, response.context["form"].errors
    assert Applicant.objects.get(name="Hộ kinh doanh Mây tre Đức").commune == commune("12364")


@pytest.mark.parametrize("typed", ["Xã Không Có", "99999", "12364; 11953"])
def test_an_unknown_name_is_a_vietnamese_error_and_nothing_is_created(client, typed):
    response = client.post(reverse("applicants:register"), _registration(commune=typed))
    assert response.status_code == 200
    errors = response.context["form"].errors["commune"]
    assert errors == [
        f"Không có xã, phường “{typed}” trong danh sách. Gõ vài chữ của tên rồi chọn một tên trong danh sách, ví dụ “Phường Phố Hiến”."
    ]
    assert not Applicant.objects.filter(name="Hộ kinh doanh Mây tre Đức").exists()
    tag, _names = _commune_input(response.content.decode())
    assert f'value="{html.escape(typed)}"' in tag  # what was typed stays to be corrected


def test_an_inactive_commune_is_not_offered_nor_accepted(client):
    AdministrativeUnit.objects.filter(code="12364").update(is_active=False)
    page = client.get(reverse("applicants:register")).content.decode()
    assert "Xã Tiên Lữ" not in _commune_input(page)[1]
    response = client.post(reverse("applicants:register"), _registration(commune="Xã Tiên Lữ"))
    assert "commune" in response.context["form"].errors


def test_the_profile_form_shows_the_commune_by_name_and_changes_it_by_name(people, client_for, own):
    applicant = own[0]
    client = client_for(people["applicant"])
    page = client.get(reverse("applicants:edit", args=[applicant.pk])).content.decode()
    tag, names = _commune_input(page)
    assert 'value="Phường Phố Hiến"' in tag and len(names) == 104
    data = {k: v for k, v in _registration().items() if k not in ("password1", "password2", "consent")}
    data.update(version=applicant.version, tax_code=applicant.tax_code, commune="thuong hong")
    response = client.post(reverse("applicants:edit", args=[applicant.pk]), data)
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.commune == commune("12127")
    data.update(version=applicant.version, commune="Phường Thượng")
    response = client.post(reverse("applicants:edit", args=[applicant.pk]), data)
    assert "Không có xã, phường “Phường Thượng”" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.commune == commune("12127")


def test_the_paper_dossier_form_takes_the_commune_by_name(people, client_for):
    client = client_for(people["staff"])
    _commune_input(client.get(reverse("applicants:staff_entry")).content.decode())
    data = {k: v for k, v in _registration().items() if k not in ("password1", "password2", "consent")}
    data.update(name="Hộ bà Lan (hồ sơ giấy)", phone="0988777666", paper_consent="on", commune="Pho Hien")
    assert client.post(reverse("applicants:staff_entry"), data).status_code == 200
    assert Applicant.objects.get(name="Hộ bà Lan (hồ sơ giấy)").commune == commune("11953")


@pytest.mark.parametrize(
    "url", ["applicants:list", "applicants:request_list", "applicants:verification_queue"]
)
def test_the_staff_lists_filter_by_a_typed_commune_name(people, client_for, url):
    from tests.factories import SupportRequestFactory

    here = ApplicantFactory(name="Cơ sở ở Phố Hiến", commune=commune("11953"), verification_status="pending")
    there = ApplicantFactory(name="Cơ sở ở Tiên Lữ", commune=commune("12364"), verification_status="pending")
    for a in (here, there):
        SupportRequestFactory(applicant=a, status="submitted")
    client = client_for(people["staff"])
    page = client.get(reverse(url)).content.decode()
    _tag, names = _commune_input(page)
    assert len(names) == 104
    for typed in ("pho hien", "Phường Phố Hiến", "11953"):
        page = client.get(reverse(url), {"commune": typed}).content.decode()
        assert here.name in page and there.name not in page, typed
    page = client.get(reverse(url), {"commune": "Xã Không Có"}).content.decode()
    assert here.name not in page and there.name not in page


def test_a_commune_official_is_offered_only_its_communes(people, client_for):
    page = client_for(people["unit_reporter"]).get(reverse("applicants:list")).content.decode()
    assert _commune_input(page)[1] == ["Phường Phố Hiến"]


def test_the_project_list_filter_ignores_marks_too(client, people):
    from projects.models import Project
    from tests.projects.utils import make_project

    make_project(people["staff"], title="Ở Phố Hiến")
    make_project(people["staff"], title="Ở Tiên Lữ", communes=("12364",))
    client.force_login(people["staff"])
    page = client.get("/de-an/", {"commune": "pho hien"}).content.decode()
    assert "Ở Phố Hiến" in page and "Ở Tiên Lữ" not in page
    assert Project.objects.count() == 2

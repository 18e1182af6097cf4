"""The beneficiaries' shares page (issue 9 A4): staff record what each named beneficiary receives
of the state support, on a page reached from the project page, with the version check of the
other project forms; a bad row changes nothing."""

import pytest

from accounts.roles import Role
from projects.models import BeneficiaryShare, Project, Status
from tests.factories import UserFactory

from .utils import advance, make_applicant, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(staff, leader, applicant):
    """A group đề án of 600 tr support for two facilities, in progress: the applicant's
    cooperative (Phố Hiến) and another one."""
    other = make_applicant(name="Hợp tác xã Dệt Phụng Công")
    project = make_project(staff, total=1_200_000_000, support=600_000_000, beneficiaries=[applicant, other])
    return advance(leader, project, Status.IN_PROGRESS), applicant, other


def _url(project):
    return f"/de-an/{project.pk}/phan-ho-tro/"


def _post(client, project, shares, version=None):
    data = {"version": project.version if version is None else version}
    data.update({f"share_{applicant.pk}": amount for applicant, amount in shares.items()})
    return client.post(_url(project), data)


def _shares(project):
    return dict(BeneficiaryShare.objects.filter(project=project).values_list("applicant__name", "amount"))


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER])
def test_staff_record_each_beneficiarys_share(client, group, role):
    project, a, b = group
    client.force_login(UserFactory(roles=[role]))
    page = client.get(f"/de-an/{project.pk}/").content.decode()
    assert f'href="{_url(project)}"' in page and 'data-testid="shares-link"' in page
    html = client.get(_url(project)).content.decode()
    assert f'name="share_{a.pk}"' in html and f'name="share_{b.pk}"' in html and a.name in html
    assert "600.000.000 đ" in html  # the support the shares divide
    response = _post(client, project, {a: "350.000.000", b: "250.000.000"})
    assert response.status_code == 302 and response.url == f"/de-an/{project.pk}/"
    assert _shares(project) == {a.name: 350_000_000, b.name: 250_000_000}
    page = client.get(f"/de-an/{project.pk}/").content.decode()
    assert f"{a.name}: 350.000.000 đ" in page
    # the form opens with what was recorded; a share left empty is removed
    project = Project.objects.get(pk=project.pk)
    assert 'value="350.000.000"' in client.get(_url(project)).content.decode()
    assert _post(client, project, {a: "600.000.000", b: ""}).status_code == 302
    assert _shares(project) == {a.name: 600_000_000}


def test_a_bad_row_changes_nothing(client, staff, group):
    project, a, b = group
    client.force_login(staff)
    _post(client, project, {a: "300.000.000", b: "300.000.000"})
    project = Project.objects.get(pk=project.pk)
    # together above the support: neither row is saved
    response = _post(client, project, {a: "200.000.000", b: "500.000.000"})
    assert response.status_code == 200
    assert "vượt kinh phí hỗ trợ" in response.content.decode()
    assert _shares(project) == {a.name: 300_000_000, b.name: 300_000_000}
    # a figure that is not money: the form says so, nothing is saved
    response = _post(client, project, {a: "hai trăm", b: "100.000.000"})
    assert response.status_code == 200 and "Nhập số tiền bằng chữ số" in response.content.decode()
    assert _shares(project) == {a.name: 300_000_000, b.name: 300_000_000}


def test_a_stale_form_is_refused(client, staff, group):
    project, a, b = group
    client.force_login(staff)
    opened = project.version
    assert _post(client, project, {a: "300.000.000", b: "300.000.000"}, version=opened).status_code == 302
    response = _post(client, project, {a: "100.000.000", b: "100.000.000"}, version=opened)
    assert response.status_code == 200 and "vừa được người khác cập nhật" in response.content.decode()
    assert _shares(project) == {a.name: 300_000_000, b.name: 300_000_000}


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.UNIT_REPORTER, Role.OBSERVER])
def test_other_roles_read_the_shares_on_the_project_page_only(client, users, group, role, staff):
    project, a, b = group
    client.force_login(staff)
    _post(client, project, {a: "300.000.000", b: "300.000.000"})
    client.force_login(users[role])  # the applicant owns `a`; the official is Phố Hiến's
    page = client.get(f"/de-an/{project.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{a.name}: 300.000.000 đ" in html and 'data-testid="shares-link"' not in html
    assert client.get(_url(project)).status_code == 403
    assert _post(client, project, {a: "600.000.000", b: "0"}).status_code == 403
    assert _shares(project) == {a.name: 300_000_000, b.name: 300_000_000}


def test_anonymous_is_sent_to_sign_in_and_closed_projects_are_read_only(client, staff, leader):
    facility = make_applicant()
    project = advance(leader, make_project(staff, beneficiaries=[facility]), Status.SETTLED)
    assert client.get(_url(project)).status_code == 302
    client.force_login(staff)
    assert 'data-testid="shares-link"' not in client.get(f"/de-an/{project.pk}/").content.decode()
    response = _post(client, Project.objects.get(pk=project.pk), {facility: "300.000.000"})
    assert response.status_code == 302 and not _shares(project)  # back to the page, with the reason
    assert "Đề án đã đóng" in client.get(f"/de-an/{project.pk}/").content.decode()


def test_a_project_outside_the_scope_answers_404(client, staff):
    client.force_login(staff)
    assert client.get("/de-an/999999/phan-ho-tro/").status_code == 404

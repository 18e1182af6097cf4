"""The project list and page at phone width (375 px) and at 1280 px: nothing is cut off or needs a
sideways scroll, inside the table either."""

import pytest

from accounts.roles import Role
from projects.models import Status
from tests.factories import UserFactory
from tests.projects.utils import advance, make_applicant, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = """() => [
    ...[document.documentElement, ...document.querySelectorAll('.table-responsive')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className || e.tagName),
    ...[...document.querySelectorAll('main input, main select, main textarea, main button')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
        .map(e => e.name || e.tagName),
]"""


@pytest.mark.parametrize("width", [375, 1280])
def test_project_list_and_page_fit(page, site, login, width):
    staff = UserFactory(roles=[Role.STAFF], phone="0912888101")
    leader = UserFactory(roles=[Role.LEADER])
    applicant = make_applicant(name="Hộ kinh doanh mây tre đan Đỗ Văn Đức")
    project = make_project(
        staff, beneficiaries=[applicant], title="Hỗ trợ ứng dụng máy chẻ nan tự động cho hộ mây tre đan"
    )
    advance(leader, project, Status.IN_PROGRESS)
    make_project(staff, lead="KCDP", activity_code="3c", variant_key="showroom", support=50_000_000)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, staff.phone)
    for path in ["/de-an/", f"/de-an/{project.pk}/", "/de-an/them/"]:
        page.goto(f"{site}{path}")
        assert page.evaluate(OVERFLOW) == [], (path, width)
    page.goto(f"{site}/de-an/{project.pk}/")
    # an amount keeps its "đ" on its line; form fields are Bootstrap controls
    lines = (
        "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length }"
    )
    for cell in page.locator('[data-testid="budget"] td.text-end').all():
        assert cell.evaluate(lines) == 1, cell.inner_text()
    assert page.locator('[data-testid="progress-form"] input[name="percent"].form-control').count() == 1
    page.goto(f"{site}/de-an/")
    # the code, the status and the support stay visible at every width
    row = page.locator(f'tr[data-project="{project.code}"]')
    assert project.code in row.inner_text() and "Đang thực hiện" in row.inner_text()
    assert "300.000.000 đ" in row.inner_text()


def test_my_projects_fit_a_phone(page, site, login):
    user = UserFactory(roles=[Role.APPLICANT], phone="0912888102")
    staff = UserFactory(roles=[Role.STAFF])
    applicant = make_applicant(owner=user, name="Hộ kinh doanh mây tre đan Đỗ Văn Đức")
    make_project(staff, beneficiaries=[applicant], title="Hỗ trợ ứng dụng máy chẻ nan tự động cho hộ mây tre")
    page.set_viewport_size({"width": 375, "height": 812})
    login(page, user.phone)
    page.goto(f"{site}/de-an/cua-toi/")
    assert page.evaluate(OVERFLOW) == []

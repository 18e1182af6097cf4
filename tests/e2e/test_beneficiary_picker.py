"""Issue 10 item 11: on the project form a beneficiary is found by typing (htmx) and chosen with a
click (a static script, under the Content-Security-Policy); the choice is what the form posts."""

import pytest

from accounts.roles import Role
from tests.factories import ApplicantFactory, UserFactory, commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_find_and_choose_a_beneficiary_by_typing(page, site, login):
    staff = UserFactory(roles=[Role.STAFF], phone="0912888301")
    wanted = ApplicantFactory(name="Hộ kinh doanh mây tre đan Đỗ Văn Đức", commune=commune("11953"))
    ApplicantFactory(name="Công ty TNHH Cơ khí Hưng Yên", commune=commune("12364"))
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, staff.phone)
    page.goto(f"{site}/de-an/them/")
    page.locator('[name="beneficiary_q"]').fill("may tre")
    result = page.locator("[data-results] [data-add]")
    result.first.wait_for()
    assert result.count() == 1 and "Đỗ Văn Đức" in result.first.inner_text()
    result.first.click()
    chosen = page.locator('[data-chosen] input[type="hidden"][name="beneficiaries"]')
    assert chosen.count() == 1 and chosen.first.get_attribute("value") == str(wanted.pk)
    page.locator("[data-chosen] [data-remove]").click()
    assert chosen.count() == 0
    # the 104 communes' multiple select has a filter box (static/js/portal.js): typed without marks
    communes = page.locator('select[name="communes"] option')
    assert communes.count() == 104
    page.locator('[data-filter-for="communes"]').fill("tien lu")
    assert communes.count() == 1 and communes.first.inner_text() == "Xã Tiên Lữ"
    assert not [e for e in errors if "Content Security Policy" in e], errors

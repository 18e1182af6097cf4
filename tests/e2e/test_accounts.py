"""Browser journeys of accounts: sign in by phone number, the staff area by role, and the forced
password change at first login."""

import pytest
from playwright.sync_api import expect

from programmes.models import ReportingUnit
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-Test-123"


def test_staff_signs_in_by_phone_and_reaches_the_staff_area(page, site, login):
    UserFactory(full_name="Nguyễn Thị Hương", email=None, phone="0912000001", roles=["staff"])
    login(page, "0912 000 001", PASSWORD)
    expect(page).to_have_url(f"{site}/tai-khoan/")
    menu = page.get_by_test_id("menu")
    expect(menu.locator('[data-nav="accounts:user_list"]')).to_have_text("Tài khoản người dùng")
    menu.locator('[data-nav="accounts:user_list"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản người dùng")
    expect(page.get_by_test_id("user-table")).to_contain_text("Nguyễn Thị Hương")


def test_commune_official_has_no_staff_area(page, site, login):
    official = UserFactory(full_name="Phạm Thị Lan", email=None, phone="0912000004", roles=["unit_reporter"])
    ReportingUnit.objects.get(commune__code="12364").members.add(official)
    login(page, "0912000004", PASSWORD)
    expect(page).to_have_url(f"{site}/tai-khoan/")
    expect(page.get_by_test_id("menu").locator('[data-nav="accounts:notifications"]')).to_be_visible()
    expect(page.get_by_test_id("menu").locator('[data-nav="accounts:user_list"]')).to_have_count(0)
    response = page.goto(f"{site}/tai-khoan/nguoi-dung/")
    assert response.status == 403


def test_first_login_with_a_temporary_password_forces_a_change(page, site, login):
    UserFactory(
        full_name="Đỗ Văn Đức", email=None, phone="0912000005", roles=["applicant"], must_change_password=True
    )
    login(page, "0912000005", PASSWORD)
    expect(page).to_have_url(f"{site}/tai-khoan/doi-mat-khau/")
    expect(page.get_by_test_id("forced-change")).to_be_visible()

    page.goto(f"{site}/tai-khoan/thong-bao/")  # any other page sends back to the change form
    expect(page).to_have_url(f"{site}/tai-khoan/doi-mat-khau/")

    page.locator('input[name="old_password"]').fill(PASSWORD)
    page.locator('input[name="new_password1"]').fill("Hung-Yen-moi-2026")
    page.locator('input[name="new_password2"]').fill("Hung-Yen-moi-2026")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page).to_have_url(f"{site}/tai-khoan/")
    expect(page.get_by_role("alert").filter(has_text="Đã đổi mật khẩu")).to_be_visible()
    page.goto(f"{site}/tai-khoan/thong-bao/")
    expect(page).to_have_url(f"{site}/tai-khoan/thong-bao/")

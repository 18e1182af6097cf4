import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from applicants.models import Applicant, SupportRequest
from programmes.models import ActivityVariant, AdministrativeUnit
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-Rat-Kho-123"


def _as(page, login, user_login, password="matkhau-Test-123"):
    page.context.clear_cookies()
    login(page, user_login, password)


def test_register_verify_request_return_resubmit_accept_lookup(page, site, login):
    staff = UserFactory(roles=[Role.STAFF], phone="0912999001")
    commune = AdministrativeUnit.objects.get(code="12364")
    variant = ActivityVariant.objects.get(activity__code="2b", key="machine")

    # 1. A household business registers on its phone.
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{site}/co-so/dang-ky/")
    page.get_by_label("Loại hình").select_option("household")
    page.get_by_label("Tên cơ sở").fill("Hộ kinh doanh mây tre đan Đỗ Văn Đức")
    page.get_by_label("Mã số thuế").fill("034085001234")
    page.get_by_label("Người đại diện").fill("Đỗ Văn Đức")
    page.get_by_label("Số điện thoại").fill("0987 654 321")
    page.get_by_label("Địa chỉ").fill("Thôn Đông")
    # the 104 communes are a searchable list: typed without marks, resolved to the commune
    expect(page.locator("#id_commune-list option")).to_have_count(104)
    page.get_by_label("Xã, phường").fill("tien lu")
    page.get_by_label(re.compile(r"^Mật khẩu")).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label(re.compile("Tôi đã đọc và đồng ý")).check()
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_text("Đăng ký thành công")).to_be_visible()
    expect(page.locator("[data-status=pending]")).to_be_visible()
    applicant = Applicant.objects.get(tax_code="034085001234")
    assert applicant.commune == commune

    # 2. Staff verify it from the queue.
    page.set_viewport_size({"width": 1280, "height": 900})
    _as(page, login, staff.phone)
    page.goto(f"{site}/co-so/xac-minh/")
    page.get_by_role("link", name="Hộ kinh doanh mây tre đan Đỗ Văn Đức").click()
    page.get_by_label(re.compile(r"^Quyết định")).select_option("verified")
    page.get_by_role("button", name="Ghi quyết định").click()
    expect(page.get_by_text("Đã ghi quyết định")).to_be_visible()

    # 3. The applicant files a request.
    _as(page, login, "0987654321", PASSWORD)
    page.goto(f"{site}/co-so/ho-so/")
    expect(page.locator("[data-status=verified]")).to_be_visible()
    page.get_by_role("link", name="Gửi đề nghị hỗ trợ").click()
    page.get_by_label("Hoạt động khuyến công").select_option(str(variant.activity.pk))
    page.get_by_label("Trường hợp").select_option(str(variant.pk))
    expect(page.get_by_test_id("ceiling")).to_contain_text("300.000.000 đ")
    page.get_by_label("Tên nội dung đề nghị").fill("Hỗ trợ máy chẻ nan tự động")
    page.get_by_label("Nhu cầu hỗ trợ").fill("Mua máy chẻ nan để tăng năng suất.")
    page.get_by_label("Tổng kinh phí dự kiến (đồng)").fill("400.000.000")
    page.get_by_label("Vốn đối ứng cơ sở cam kết (đồng)").fill("220.000.000")
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.get_by_text("Mã theo dõi: YC-")).to_be_visible()
    request = SupportRequest.objects.get(applicant=applicant)
    code = request.code
    expect(page.get_by_test_id("code")).to_have_text(code)

    # 4. Staff return it for more information.
    _as(page, login, staff.phone)
    page.goto(f"{site}/co-so/de-nghi/danh-sach/")
    page.get_by_role("link", name=code).click()
    page.get_by_label("Lý do / nội dung cần bổ sung").fill("Bổ sung báo giá máy của hai nhà cung cấp.")
    page.get_by_role("button", name="Trả lại để bổ sung").click()
    expect(page.locator("[data-status=returned]")).to_be_visible()

    # 5. The applicant adds the quotes and resubmits.
    _as(page, login, "0987654321", PASSWORD)
    page.goto(f"{site}/co-so/de-nghi/")
    page.get_by_role("link", name=code).click()
    page.get_by_role("link", name="Bổ sung và gửi lại").click()
    expect(page.get_by_text("Bổ sung báo giá máy của hai nhà cung cấp.")).to_be_visible()
    page.get_by_label("Nhu cầu hỗ trợ").fill("Mua máy chẻ nan; đã kèm báo giá của hai nhà cung cấp.")
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.locator("[data-status=submitted]")).to_be_visible()

    # 6. Staff accept it.
    _as(page, login, staff.phone)
    page.goto(f"{site}/co-so/de-nghi/{request.pk}/")
    page.get_by_role("button", name="Chấp nhận", exact=True).click()
    expect(page.locator("[data-status=accepted]")).to_be_visible()

    # 7. Anyone looks the request up with its code and the tax code.
    page.context.clear_cookies()
    page.goto(f"{site}/co-so/tra-cuu/")
    page.get_by_label("Mã theo dõi").fill(code)
    page.get_by_label("Mã số thuế hoặc số điện thoại của cơ sở").fill("034085001234")
    page.get_by_role("button", name="Tra cứu").click()
    steps = page.get_by_test_id("steps").locator("li")
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text("Đã gửi")
    expect(steps.nth(1)).to_contain_text("Cần bổ sung")
    expect(steps.nth(2)).to_contain_text("Đã gửi")
    expect(steps.nth(3)).to_contain_text("Đã chấp nhận")
    expect(page.get_by_test_id("lookup-result")).not_to_contain_text("Đỗ Văn Đức")
    assert "034085001234" not in page.url  # the tax code is never put in an address

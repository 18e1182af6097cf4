"""Browser journey: staff creates a project from an accepted request and takes it through the
whole cycle, a leader approves it, and the home page's target moves."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from applicants.models import SupportRequest
from applicants.services import no_other_support_declare
from projects.models import Project, Status
from tests.factories import UserFactory
from tests.projects.utils import PDF, PNG, activity, make_applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _step(page, key):
    page.locator(f'[data-testid="steps"] a[data-step="{key}"]').click()
    page.wait_for_load_state()


def _fill(page, values):
    for name, value in values.items():
        field = page.locator(f'main form [name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(str(value))


def _confirm(page):
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()


def _upload(page, kind, name):
    form = page.locator('[data-testid="document-form"]')
    form.locator('[name="kind"]').select_option(kind)
    image = name.endswith(".png")
    form.locator('[name="file"]').set_input_files(
        {
            "name": name,
            "mimeType": "image/png" if image else "application/pdf",
            "buffer": PNG if image else PDF,
        }
    )
    form.get_by_role("button", name="Tải lên").click()
    page.wait_for_load_state()


def _logout(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def test_project_from_request_to_settlement(page, site, login):
    staff = UserFactory(roles=[Role.STAFF], email="canbo@example.test")
    UserFactory(roles=[Role.LEADER], email="lanhdao@example.test")
    UserFactory(roles=[Role.STAFF], email="thamdinh@example.test")  # appraises what canbo prepared
    applicant = make_applicant(name="HTX Dệt Phụng Công", tax_code="0109999999")
    act = activity("2b")
    request = SupportRequest.objects.create(
        code="YC-2026-0042",
        applicant=applicant,
        year=2026,
        activity=act,
        variant=act.variants.get(key="machine"),
        title="Máy dệt kim điện tử",
        description="Đầu tư 2 máy dệt kim điện tử",
        estimated_cost=500_000_000,
        counterpart=300_000_000,
        requested_support=200_000_000,
        status=SupportRequest.Status.ACCEPTED,
        created_by=staff,
    )
    # The request carried the declaration of no other state support (required at submission).
    no_other_support_declare(
        applicant=applicant, actor=staff, year=2026, activity=act, support_request=request, on_paper=True
    )

    page.goto(site + "/")
    expect(page.locator('[data-row="machinery_facilities"] [data-column="achieved"]')).to_have_text("0")

    login(page, "canbo@example.test")
    page.goto(site + "/de-an/tu-de-nghi/")
    page.locator('[name="support_request"]').select_option(str(request.pk))
    page.locator('[name="lead_fund"]').select_option(label="KCQG")
    page.get_by_role("button", name="Lập đề án").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("code")).to_have_text("DA-2026-KCQG-001")
    expect(page.get_by_test_id("support")).to_have_text("200.000.000 đ")
    expect(page.locator('[data-testid="steps"] a[data-step="approve"]')).to_have_count(0)

    for kind in ("proposal", "registration", "quotation"):
        _upload(page, kind, f"{kind}.pdf")
    _step(page, "submit")
    _confirm(page)
    expect(page.get_by_test_id("status")).to_have_text("Đã trình")
    _logout(page)

    login(page, "thamdinh@example.test")
    page.goto(site + f"/de-an/{Project.objects.get().pk}/")
    _step(page, "appraise")
    _fill(page, {"appraisal_date": "02/03/2026", "comment": "Đạt"})
    page.locator('main form [name="document"]').set_input_files(
        {"name": "phieu.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    _confirm(page)
    expect(page.get_by_test_id("status")).to_have_text("Đã thẩm định")
    _logout(page)

    login(page, "lanhdao@example.test")
    page.goto(site + f"/de-an/{Project.objects.get().pk}/")
    _step(page, "approve")
    _fill(page, {"decision_number": "1215/QĐ-BCT", "decision_date": "05/03/2026", "amount_KCQG": "200000000"})
    _confirm(page)
    expect(page.get_by_test_id("status")).to_have_text("Đã phê duyệt")
    _logout(page)

    login(page, "canbo@example.test")
    page.goto(site + f"/de-an/{Project.objects.get().pk}/")
    _step(page, "contract")
    _fill(
        page,
        {
            "contract_number": "15/2026/HĐ-KC",
            "contract_date": "10/03/2026",
            "contract_parties": "Trung tâm Khuyến công; HTX Dệt Phụng Công",
            "contract_value": "200000000",
        },
    )
    _confirm(page)
    _step(page, "start")
    _fill(page, {"start_date": "16/03/2026"})
    _confirm(page)
    expect(page.get_by_test_id("status")).to_have_text("Đang thực hiện")

    progress = page.locator('[data-testid="progress-form"]')
    progress.locator('[name="month"]').fill("20/05/2026")
    progress.locator('[name="percent"]').fill("80")
    progress.locator('[name="spent"]').fill("400000000")
    progress.get_by_role("button", name="Ghi tiến độ").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("progress")).to_contain_text("05/2026: 80%")
    # the Sở confirms the figures: only a confirmed report opens an advance (TT 36/2013 Điều 13)
    page.get_by_test_id("progress-confirm").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("progress-confirmed")).to_be_visible()

    payment = page.locator('[data-testid="payment-form"]')
    payment.locator('[name="kind"]').select_option("advance")
    payment.locator('[name="amount"]').fill("100000000")
    payment.locator('[name="paid_on"]').fill("25/05/2026")
    payment.get_by_role("button", name="Ghi khoản chi").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("balance")).to_have_text("100.000.000 đ")

    _upload(page, "invoice", "hoa-don.pdf")
    _upload(page, "photo", "may-da-lap.png")
    _step(page, "accept")
    _fill(
        page,
        {
            "acceptance_number": "NT-08/2026",
            "acceptance_date": "30/09/2026",
            "accepted_cost": "500000000",
            "amount_KCQG": "200000000",
        },
    )
    page.locator('main form [name="document"]').set_input_files(
        {"name": "nghiem-thu.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    _confirm(page)
    expect(page.get_by_test_id("status")).to_have_text("Đã nghiệm thu")

    payment = page.locator('[data-testid="payment-form"]')
    payment.locator('[name="kind"]').select_option("final")
    payment.locator('[name="amount"]').fill("100000000")
    payment.locator('[name="paid_on"]').fill("05/10/2026")
    payment.get_by_role("button", name="Ghi khoản chi").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("balance")).to_have_text("0 đ")

    _step(page, "settle")
    _fill(
        page,
        {
            "settlement_date": "05/10/2026",
            "actual_cost": "500000000",
            "amount_KCQG": "200000000",
            "liquidation_number": "TL-08/2026",
        },
    )
    page.locator('main form [name="document"]').set_input_files(
        {"name": "thanh-ly.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    _confirm(page)
    expect(page.get_by_test_id("status")).to_have_text("Đã quyết toán")
    expect(page.locator('[data-testid="timeline"] li')).to_have_count(8)
    assert Project.objects.get().status == Status.SETTLED
    # the audit trail is read when opened: the steps, by whom
    audit = page.get_by_test_id("audit")
    expect(audit.get_by_test_id("audit-row")).to_have_count(0)
    audit.locator("summary").click()
    expect(audit.get_by_test_id("audit-row").first).to_be_visible()
    expect(audit).to_contain_text("Đã nghiệm thu → Đã quyết toán")

    page.goto(site + "/")
    expect(page.locator('[data-row="machinery_facilities"] [data-column="achieved"]')).to_have_text("1")

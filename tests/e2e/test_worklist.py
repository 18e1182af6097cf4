"""Browser journey: the staff worklist leads to a waiting project and its step; the applicant sees
its request become a project and follows it."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from applicants.models import Applicant, SupportRequest
from tests.factories import UserFactory
from tests.projects.utils import activity, make_applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def test_the_worklist_leads_to_the_waiting_step_and_the_applicant_follows_its_project(page, site, login):
    UserFactory(roles=[Role.STAFF], email="canbo@example.test")
    owner = UserFactory(roles=[Role.APPLICANT], email="coso@example.test")
    applicant = make_applicant(owner=owner, name="HTX Dệt Phụng Công", tax_code="0109999999")
    applicant.members.add(owner)
    Applicant.objects.filter(pk=applicant.pk).update(verification_status=Applicant.Verification.VERIFIED)
    act = activity("2b")
    request = SupportRequest.objects.create(
        code="YC-2026-0077",
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
    )

    # staff: the accepted request offers "Lập đề án"; the new draft then waits on the worklist
    login(page, "canbo@example.test")
    page.goto(f"{site}/co-so/de-nghi/{request.pk}/")
    page.get_by_test_id("make-project").click()
    page.wait_for_load_state()
    page.locator('[name="lead_fund"]').select_option(label="KCQG")
    page.get_by_role("button", name="Lập đề án").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("code")).to_have_text("DA-2026-KCQG-001")

    page.goto(f"{site}/tai-khoan/")
    line = page.locator('[data-testid="worklist"] [data-line="step-submit"]')
    expect(line.locator("[data-count]")).to_have_text("1")
    line.click()
    page.wait_for_load_state()
    page.locator('[data-project="DA-2026-KCQG-001"] a').first.click()
    page.wait_for_load_state()
    expect(page.locator('[data-testid="steps"] a[data-step="submit"]')).to_be_visible()
    _logout(page)

    # the applicant: told, and its request now follows the project
    login(page, "coso@example.test")
    page.goto(f"{site}/tai-khoan/")
    expect(page.locator('[data-testid="worklist"] [data-line^="project-"]')).to_contain_text(
        "DA-2026-KCQG-001"
    )
    page.goto(f"{site}/co-so/de-nghi/")
    follow = page.locator(f'[data-request="{request.pk}"] [data-testid="request-project"]')
    expect(follow).to_contain_text("DA-2026-KCQG-001")
    expect(follow.locator("[data-project-status]")).to_have_text("Dự thảo")
    follow.get_by_role("link").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("code")).to_have_text("DA-2026-KCQG-001")
    page.goto(f"{site}/tai-khoan/thong-bao/")
    expect(page.locator("main")).to_contain_text("đã được lập thành đề án DA-2026-KCQG-001")

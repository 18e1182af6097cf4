"""Browser journeys of the two roles the other journeys leave out, over the demo (`make run`), at
desktop width and on a 375 px phone (menu behind its button, nothing to scroll sideways):

- a leader opens the first page, approves the year's KCQG plan waiting for him (recording the
  Minister's decision), then approves the đề án on that plan that the Sở has appraised;
- an observer (Sở Tài chính) reads the programme dashboard, the approved đề án and one of them,
  and downloads the final yearly report a leader has signed off."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from programmes.models import AnnualPlan
from projects import services as project_services
from projects.models import Project, Status
from reports import yearly_jobs
from reports.models import ReportingPeriod
from reports.yearly_models import Audience, ReportKind
from tests.e2e.pages import DEMO, DEMO_PASSWORD, DESKTOP, PHONE, menu, overflow
from tests.projects.utils import actor_for, prepare, step_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])


def _fill(page, values):
    for name, value in values.items():
        field = page.locator(f'main form [name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _confirm(page):
    page.locator("main form button[type=submit]", has_text="Xác nhận").click()
    page.wait_for_load_state()


@SIZES
def test_leader_approves_the_plan_then_a_project_on_it(page, demo, login, size):
    leader = User.objects.get(phone=DEMO["leader"])
    plan = AnnualPlan.objects.get(year=2026, funding_source__code="KCQG")
    project = Project.objects.get(code="DA-2026-KCQG-003")
    assert plan.status == AnnualPlan.Status.SUBMITTED and project.plan_item.plan_id == plan.pk
    # the Sở officer's appraisal, by the service
    prepare(leader, project, "appraise")
    project_services.project_transition(
        user=actor_for(leader, project, "appraise"),
        project=project,
        step="appraise",
        data=step_data(project, "appraise"),
    )

    page.set_viewport_size(size)
    login(page, DEMO["leader"], DEMO_PASSWORD)
    assert overflow(page) == []
    page.locator(f'main a[href="/chuong-trinh/ke-hoach/{plan.pk}/"]').first.click()
    page.wait_for_load_state()
    assert overflow(page) == []
    page.locator('[data-testid="steps"] a[data-step="approve"]').click()
    page.wait_for_load_state()
    _fill(page, {"decision_number": "245/QĐ-BCT", "decision_date": "20/01/2026"})
    page.locator('main form [name="issuer"]').select_option(index=1)
    assert overflow(page) == []
    _confirm(page)
    expect(page.locator("main")).to_contain_text("Đã phê duyệt")
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.APPROVED and plan.decision_number == "245/QĐ-BCT"

    # the first page's line "Phê duyệt: 1 đề án đã thẩm định" leads to the list, then to the đề án
    menu(page, "accounts:dashboard")
    page.locator('main a[data-line="step-approve"]').click()
    page.wait_for_load_state()
    assert overflow(page) == []
    page.locator(f'main a[href="/de-an/{project.pk}/"]:visible').click()
    page.wait_for_load_state()
    assert overflow(page) == []
    page.locator('[data-testid="steps"] a[data-step="approve"]').click()
    page.wait_for_load_state()
    _fill(page, {"decision_number": "312/QĐ-BCT", "decision_date": "05/03/2026"})
    assert overflow(page) == []
    _confirm(page)
    expect(page.get_by_test_id("status")).to_have_text("Đã phê duyệt")
    assert overflow(page) == []
    project.refresh_from_db()
    assert project.status == Status.APPROVED and project.decision_number == "312/QĐ-BCT"


@pytest.fixture
def final_report(demo):
    """The demo year's report to UBND tỉnh, built (Celery runs eagerly here) and made final by
    the demo leader."""
    staff = User.objects.get(phone=DEMO["staff"])
    leader = User.objects.get(phone=DEMO["leader"])
    request = yearly_jobs.report_request_open(
        user=staff,
        kind=ReportKind.YEARLY,
        audience=Audience.PROVINCE,
        period=ReportingPeriod.objects.get(year=2026),
    )
    build = yearly_jobs.generated_report_request(user=staff, request=request)
    build.refresh_from_db()
    assert build.status == build.Status.DONE, build.error
    return yearly_jobs.generated_report_finalise(user=leader, report=build)


@SIZES
def test_observer_reads_the_dashboard_the_approved_projects_and_the_final_report(
    page, demo, login, final_report, size
):
    page.set_viewport_size(size)
    login(page, DEMO["observer"], DEMO_PASSWORD)
    menu(page, "reports:dashboard")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_test_id("statuses")).to_be_visible()
    assert overflow(page) == []

    menu(page, "projects:list")
    rows = page.locator("main table tbody a[href^='/de-an/']:visible")
    visible = set(
        Project.objects.filter(status__in=["approved", "contracted", "in_progress", "accepted", "settled"])
    )
    assert rows.count() >= 1
    shown = {a.get_attribute("href") for a in rows.all()}
    assert shown <= {f"/de-an/{p.pk}/" for p in visible}, shown  # no draft or submitted đề án
    assert overflow(page) == []
    rows.first.click()
    page.wait_for_load_state()
    assert page.get_by_test_id("code").inner_text().startswith("DA-2026-")
    assert overflow(page) == []

    menu(page, "reports:generated")
    row = page.locator(f'[data-testid="finals"] tr[data-report="{final_report.pk}"]')
    expect(row).to_be_visible()
    assert overflow(page) == []
    with page.expect_download() as download:
        row.get_by_role("link", name="PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

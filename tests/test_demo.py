"""`make run`'s demo data: dates that agree, Vietnamese file names, a login table that says who
each login is, no e-mails in the setup's output, e-mail links on the port the portal runs on."""

import datetime
import io
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from programmes.models import AnnualPlan, FundingSource
from programmes.plans import plan_in_force
from projects.models import (
    APPROVED_STATUSES,
    BudgetLine,
    PlanShare,
    Project,
    ProjectDocument,
    ProjectTransition,
)
from projects.selectors_plans import plan_item_figures

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo_output(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue(), capsys.readouterr().out


def test_the_login_table_says_which_commune_or_facility_each_login_is(demo_output):
    table, _console = demo_output
    lines = {line.split()[-1] for line in table.splitlines() if "0912000003" in line}
    assert any("Phố Hiến" in line for line in table.splitlines() if "0912000003" in line), lines
    assert any("HTX Dệt may Phụng Công" in line for line in table.splitlines() if "0912000006" in line)


def test_no_email_is_dumped_into_the_setup_output(demo_output):
    _table, console = demo_output
    assert "Subject:" not in console and "Content-Type" not in console


def test_history_times_agree_with_the_business_dates_and_files_have_vietnamese_names(demo_output):
    approve = ProjectTransition.objects.filter(step="approve").first()
    assert timezone.localtime(approve.at).date() == approve.decision_date
    accept = ProjectTransition.objects.filter(step="accept").first()
    assert timezone.localtime(accept.at).date() == accept.acceptance_date == datetime.date(2026, 9, 25)
    names = set(ProjectDocument.objects.values_list("original_name", flat=True))
    assert "Phiếu thẩm định.pdf" in names and not any(n.startswith(("proposal", "quotation")) for n in names)


def test_make_run_links_emails_to_the_port_it_serves_on():
    result = subprocess.run(
        ["make", "-s", "--eval", "print-site-url: ; @echo $$SITE_URL", "print-site-url", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == "http://127.0.0.1:8123"


def test_the_demo_has_annual_plans_with_the_demo_projects_on_their_items(demo_output):
    """A 2026 KCĐP plan approved by the provincial chairman (in force, its figures non-zero), a
    2026 KCQG plan waiting for the leader, a 2027 KCĐP draft; a multi-year đề án whose yearly
    shares, on the 2026 and 2027 items, add up to its KCĐP line."""
    kcdp, kcqg = (FundingSource.objects.get(code=c) for c in ("KCDP", "KCQG"))
    in_force = plan_in_force(year=2026, funding_source=kcdp)
    assert (in_force.decision_number, in_force.issuer) == ("18/QĐ-UBND", "province_chair")
    assert in_force.decision_date.year == 2026
    assert AnnualPlan.objects.get(year=2026, funding_source=kcqg).status == AnnualPlan.Status.SUBMITTED
    assert AnnualPlan.objects.get(year=2027, funding_source=kcdp).status == AnnualPlan.Status.DRAFT
    figures = plan_item_figures(in_force)
    assert sum(f.committed for f in figures) > 0 and sum(f.planned for f in figures) > 0
    assert not Project.objects.filter(
        year=2026, status__in=APPROVED_STATUSES, plan_item__isnull=True
    ).exists()
    shares = PlanShare.objects.select_related("plan_item__plan", "project")
    assert sorted((s.year, s.plan_item.plan.year) for s in shares) == [(2026, 2026), (2027, 2027)]
    project = shares[0].project
    lead = BudgetLine.objects.get(budget=project.current_budget_id, funding_source=project.lead_fund_id)
    assert sum(s.amount for s in shares) == lead.amount
    assert project.plan_item.plan.year == 2026
    # a second run adds nothing
    counts = (AnnualPlan.objects.count(), PlanShare.objects.count(), Project.objects.count())
    call_command("load_demo", force=True, stdout=io.StringIO())
    assert (AnnualPlan.objects.count(), PlanShare.objects.count(), Project.objects.count()) == counts

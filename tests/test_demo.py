"""`make run`'s demo data: dates that agree, Vietnamese file names, a login table that says who
each login is, no e-mails in the setup's output, e-mail links on the port the portal runs on."""

import datetime
import io
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from projects.models import ProjectDocument, ProjectTransition

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

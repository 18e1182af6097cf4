"""The audit trail on each object's page (issue 15, item 3): a change appears with who, when and
what for staff and leaders once they open the section (it loads then, issue 14); applicants,
commune officials and observers who may read the same page never see the section; neither the
page's queries nor the opened trail's grow with the number of changes (1 and 30); the "see all"
page and the latest changes it serves are for staff and leaders, scoped like the object's page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from applicants import services as applicant_services
from applicants.models import Applicant
from programmes import plans
from programmes.models import Indicator, ReportingUnit
from projects import services as project_services
from projects.models import Project, Status
from reports import services as report_services
from reports import yearly_jobs
from reports.models import ReportRequest, UnitReport
from reports.yearly_models import Audience, ReportKind
from tests.factories import ApplicantFactory, UserFactory, commune
from tests.programmes.test_plans import approved_plan, item_data
from tests.projects.utils import advance, make_project

pytestmark = pytest.mark.django_db

AUDIT = 'data-testid="audit"'
LINES = {"KCQG": 300_000_000, "DOI_UNG": 300_000_000}


@pytest.fixture
def people(db):
    users = {
        "staff": UserFactory(roles=[Role.STAFF], full_name="Phạm Thị Mai"),
        "leader": UserFactory(roles=[Role.LEADER], full_name="Hoàng Văn Sơn"),
        "reporter": UserFactory(roles=[Role.UNIT_REPORTER], full_name="Vũ Thị Thu"),
        "applicant": UserFactory(roles=[Role.APPLICANT]),
        "observer": UserFactory(roles=[Role.OBSERVER]),
    }
    ReportingUnit.objects.get(commune__code="11953").members.add(users["reporter"])
    return users


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    client.logout()
    return response


def _collapsed(html):
    """The page's audit section (collapsed) and the URL its opening loads the changes from."""
    match = re.search(r'<details class="kc-audit.*?</details>', html, re.S)
    assert match, "no audit section"
    assert 'data-testid="audit-row"' not in match.group(0)  # nothing read until it is opened
    return match.group(0), re.search(r'hx-get="([^"]+)"', match.group(0)).group(1).replace("&amp;", "&")


def _queries(client, user, url):
    """(the page's queries, the opened trail's queries)."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as page:
        response = client.get(url)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as trail:
        assert client.get(_collapsed(response.content.decode())[1], HTTP_HX_REQUEST="true").status_code == 200
    client.logout()
    return len(page), len(trail)


def _audit_section(client, user, url):
    """The audit section of the page at `url` as `user` reads it once opened: the collapsed
    section and the latest changes it loads (htmx) from the "see all" page."""
    client.force_login(user)
    section, latest = _collapsed(client.get(url).content.decode())
    response = client.get(latest, HTTP_HX_REQUEST="true")
    client.logout()
    assert response.status_code == 200
    return section + response.content.decode()


# --- the applicant's page ---------------------------------------------------------------------


def _edit_applicant(applicant, actor, **data):
    fresh = Applicant.objects.get(pk=applicant.pk)
    applicant_services.applicant_update(
        applicant=fresh, actor=actor, data=data, expected_version=fresh.version
    )


def test_the_applicants_page_shows_staffs_change_to_staff_and_leaders_only(client, people):
    applicant = ApplicantFactory(owner=people["applicant"], commune=commune("11953"), revenue_vnd=None)
    _edit_applicant(applicant, people["staff"], revenue_vnd=2_500_000_000, sector="Dệt may")
    url = reverse("applicants:detail", args=[applicant.pk])
    for role in ("staff", "leader"):
        section = _audit_section(client, people[role], url)
        assert "Phạm Thị Mai" in section
        assert "Doanh thu năm (đồng):</span> — → 2.500.000.000 đ" in section
        assert "Dệt may" in section
        assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", section)
    for role in ("reporter", "applicant"):  # they read the page, never its audit trail
        response = _page(client, people[role], url)
        assert response.status_code == 200 and AUDIT not in response.content.decode(), role
    assert _page(client, people["observer"], url).status_code == 403


def test_the_applicants_page_queries_do_not_grow_with_its_changes(client, people):
    applicant = ApplicantFactory(commune=commune("11953"))
    url = reverse("applicants:detail", args=[applicant.pk])
    _edit_applicant(applicant, people["staff"], sector="Ngành 0")
    one = _queries(client, people["staff"], url)
    for n in range(1, 30):
        _edit_applicant(applicant, people["staff"], sector=f"Ngành {n}")
    assert _queries(client, people["staff"], url) == one


# --- the đề án's page -------------------------------------------------------------------------


def test_the_project_page_shows_the_edits_and_the_steps_to_staff_and_leaders_only(client, people):
    staff, leader = people["staff"], people["leader"]
    project = make_project(staff, title="Tên cũ")
    project_services.project_update(
        user=staff, project=project, expected_version=project.version, data={"title": "Tên mới"}, lines=LINES
    )
    project = advance(leader, project, Status.APPROVED)
    url = reverse("projects:detail", args=[project.pk])
    for role in ("staff", "leader"):
        section = _audit_section(client, people[role], url)
        assert "Tên cũ → Tên mới" in section and "Phạm Thị Mai" in section
        assert "Đã thẩm định → Đã phê duyệt" in section and "Hoàng Văn Sơn" in section
    viewers = [people["reporter"], people["observer"]]  # the commune's official; approved figures
    owners = [a.owner for a in project.beneficiaries.all() if a.owner_id]
    for user in viewers + owners:
        response = _page(client, user, url)
        assert response.status_code == 200 and AUDIT not in response.content.decode(), user


def test_the_project_page_queries_do_not_grow_with_its_changes(client, people):
    staff = people["staff"]
    project = make_project(staff)
    url = reverse("projects:detail", args=[project.pk])

    def edit(n):
        current = Project.objects.get(pk=project.pk)
        project_services.project_update(
            user=staff,
            project=current,
            expected_version=current.version,
            data={"title": f"Tên {n}"},
            lines=LINES,
        )

    edit(0)
    one = _queries(client, staff, url)
    for n in range(1, 30):
        edit(n)
    assert _queries(client, staff, url) == one


# --- the annual plan's page -------------------------------------------------------------------


def test_the_plan_page_shows_the_plan_and_its_items_changes(client, people):
    plan = approved_plan(people["staff"], people["leader"], support=1_234_567_000)
    url = reverse("programmes:plan_detail", args=[plan.pk])
    for role in ("staff", "leader"):
        section = _audit_section(client, people[role], url)
        assert "Ghi quyết định phê duyệt" in section and "Hoàng Văn Sơn" in section
        assert "Dự thảo → Đã trình" in section and "20/12/2025" in section
        assert "Mục kế hoạch 1:" in section
    for role in ("reporter", "applicant", "observer"):
        assert _page(client, people[role], url).status_code == 403


def test_the_plan_page_queries_do_not_grow_with_its_changes(client, people):
    staff = people["staff"]
    plan = approved_plan(staff, people["leader"])
    draft = plans.plan_create(user=staff, year=2027, funding_source=plan.funding_source)
    item = plans.plan_item_save(user=staff, plan=draft, data=item_data())
    url = reverse("programmes:plan_detail", args=[draft.pk])
    plans.plan_item_save(user=staff, plan=draft, item=item, data=item_data(support=1_000_000))
    one = _queries(client, staff, url)
    for n in range(1, 30):
        plans.plan_item_save(user=staff, plan=draft, item=item, data=item_data(support=1_000_000 + n))
    assert _queries(client, staff, url) == one


# --- the unit report's page -------------------------------------------------------------------


@pytest.fixture
def unit_report(people):
    period = report_services.period_open(user=people["staff"], year=2026)
    return UnitReport.objects.get(period=period, unit__commune__code="11953")


def _save_narrative(report, user, text, values=None):
    current = UnitReport.objects.get(pk=report.pk)
    report_services.unit_report_save(
        user=user,
        report=current,
        narrative={"results": text},
        values=values,
        expected_version=current.version,
    )


def test_the_unit_report_page_shows_the_changes_to_staff_and_leaders_not_to_the_unit(
    client, people, unit_report
):
    trainees = Indicator.objects.get(code="hoc_vien")
    _save_narrative(unit_report, people["reporter"], "Hoàn thành kế hoạch.")
    _save_narrative(
        unit_report,
        people["reporter"],
        "Hoàn thành kế hoạch.",
        values={trainees.pk: {"value": 1200, "note": ""}},
    )
    url = reverse("reports:unit_report", args=[unit_report.pk])
    for role in ("staff", "leader"):
        section = _audit_section(client, people[role], url)
        assert "Vũ Thị Thu" in section and "Hoàn thành kế hoạch." in section
        assert "Kết quả thực hiện:" in section
        # the figures too, named by their indicator, as plain numbers (not đồng)
        assert f"Số liệu báo cáo {trainees}:" in section
        assert re.search(r"Số liệu của đơn vị:</span> [^<]* → 1\.200<", section)
    response = _page(client, people["reporter"], url)
    assert response.status_code == 200 and AUDIT not in response.content.decode()
    for role in ("applicant", "observer"):
        assert _page(client, people[role], url).status_code == 403


def test_the_unit_report_page_queries_do_not_grow_with_its_changes(client, people, unit_report):
    url = reverse("reports:unit_report", args=[unit_report.pk])
    trainees = Indicator.objects.get(code="hoc_vien")
    _save_narrative(unit_report, people["reporter"], "Bản 0", values={trainees.pk: {"value": 0, "note": ""}})
    # the figures' rows are written by that first save; one change of them, then 29 more
    _save_narrative(
        unit_report, people["reporter"], "Bản 0", values={trainees.pk: {"value": 100, "note": ""}}
    )
    one = _queries(client, people["staff"], url)
    for n in range(1, 30):
        _save_narrative(
            unit_report, people["reporter"], f"Bản {n}", values={trainees.pk: {"value": n, "note": ""}}
        )
    assert _queries(client, people["staff"], url) == one


# --- the compiled report's page ---------------------------------------------------------------


@pytest.fixture
def report_request(people):
    period = report_services.period_open(user=people["staff"], year=2026)
    return yearly_jobs.report_request_open(
        user=people["staff"], kind=ReportKind.YEARLY, audience=Audience.PROVINCE, period=period
    )


def test_the_report_request_page_shows_who_changed_the_passages(client, people, report_request):
    """Saved through the page: the user comes from the request (HistoryRequestMiddleware), since
    the service writes with save_versioned's UPDATE."""
    url = reverse("reports:generated_request", args=[report_request.pk])
    client.force_login(people["staff"])
    data = {"version": report_request.version, "achievements": "Đạt 95% kế hoạch.", "number": "12/BC-SCT"}
    assert client.post(url, data).status_code == 302
    client.logout()
    for role in ("staff", "leader"):
        section = _audit_section(client, people[role], url)
        assert "Phạm Thị Mai" in section and "Đạt 95% kế hoạch." in section and "12/BC-SCT" in section
    for role in ("reporter", "applicant", "observer"):
        assert _page(client, people[role], url).status_code == 403


def test_the_report_request_page_queries_do_not_grow_with_its_changes(client, people, report_request):
    url = reverse("reports:generated_request", args=[report_request.pk])

    def edit(n):
        current = ReportRequest.objects.get(pk=report_request.pk)
        yearly_jobs.report_request_save(
            user=people["staff"],
            request=current,
            data={"achievements": f"Bản {n}"},
            expected_version=current.version,
        )

    edit(0)
    one = _queries(client, people["staff"], url)
    for n in range(1, 30):
        edit(n)
    assert _queries(client, people["staff"], url) == one


# --- every change of one object ---------------------------------------------------------------


def test_past_fifty_changes_the_page_links_to_all_of_them(client, people):
    applicant = ApplicantFactory(commune=commune("11953"))
    for n in range(51):
        _edit_applicant(applicant, people["staff"], sector=f"Ngành {n}")
    url = reverse("applicants:detail", args=[applicant.pk])
    section = _audit_section(client, people["staff"], url)
    assert section.count('data-testid="audit-row"') == 50
    full = reverse("audit_log", args=["co-so", applicant.pk])
    assert f'href="{full}" data-testid="audit-all"' in section
    # without script, the collapsed section links to every change
    assert f'href="{full}"' in _page(client, people["staff"], url).content.decode()
    everything = _page(client, people["leader"], full).content.decode()
    assert everything.count('data-testid="audit-row"') == 52  # the creation and 51 changes
    assert "Ngành 0 → Ngành 1" in everything


def test_the_see_all_page_is_for_staff_and_leaders_and_scoped(client, people, unit_report):
    applicant = ApplicantFactory(commune=commune("11953"))
    url = reverse("audit_log", args=["co-so", applicant.pk])
    assert client.get(url).status_code == 302
    for role in ("reporter", "applicant", "observer"):
        assert _page(client, people[role], url).status_code == 403
        assert _page(client, people[role], f"{url}?latest=1").status_code == 403
    for role in ("staff", "leader"):
        assert _page(client, people[role], url).status_code == 200
    for slug, pk in (("co-so", 10**9), ("de-an", 10**9), ("ke-hoach", 10**9), ("khong-co", applicant.pk)):
        assert _page(client, people["staff"], reverse("audit_log", args=[slug, pk])).status_code == 404
    report_page = reverse("audit_log", args=["bao-cao-don-vi", unit_report.pk])
    assert _page(client, people["staff"], report_page).status_code == 200

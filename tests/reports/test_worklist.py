"""The first page ("Trang làm việc"): each role's waiting work, each line with its count and link."""

import datetime
import re

import pytest

from accounts.roles import Role
from applicants.models import Applicant, SupportRequest
from projects.models import Project, ProjectDocument, Status
from tests.factories import ApplicantFactory, SupportRequestFactory, UserFactory
from tests.projects.utils import make_applicant, make_project

from .conftest import FROZEN_NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

URL = "/tai-khoan/"
LATER = FROZEN_NOW + datetime.timedelta(hours=1)


def _lines(client, user):
    """{line key: (count or None, href)} of the user's first page."""
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    found = {}
    for href, key, body in re.findall(r'<a [^>]*href="([^"]*)" data-line="([^"]+)">(.*?)</a>', html, re.S):
        count = re.search(r"data-count>(\d+)<", body)
        found[key] = (int(count.group(1)) if count else None, href.replace("&amp;", "&"))
    return found


def _verified_applicant(owner):
    applicant = make_applicant(owner=owner)
    Applicant.objects.filter(pk=applicant.pk).update(verification_status=Applicant.Verification.VERIFIED)
    return applicant


def _project(staff, status, **kwargs):
    project = make_project(staff, **kwargs)
    Project.objects.filter(pk=project.pk).update(
        status=status, started_on=datetime.date(2026, 3, 16), acceptance_date=datetime.date(2026, 6, 10)
    )
    return Project.objects.get(pk=project.pk)


def _seed_staff_work(staff, n, applicant=None):
    for _ in range(n):
        ApplicantFactory(verification_status=Applicant.Verification.PENDING)
        SupportRequestFactory(status=SupportRequest.Status.SUBMITTED)
        _project(staff, Status.SUBMITTED)
        _project(staff, Status.APPRAISED)
        _project(staff, Status.IN_PROGRESS)  # no May report: late
        _project(staff, Status.ACCEPTED)  # plan year 2026: settlement due by 22/01/2027
        overdue = _project(staff, Status.ACCEPTED)
        # ended in 2024: its settlement was due by 22/01/2025 (the deadline follows the project's end)
        Project.objects.filter(pk=overdue.pk).update(
            year=2024, start_date=datetime.date(2024, 3, 1), end_date=datetime.date(2024, 11, 30)
        )
        if applicant is not None:
            p = _project(staff, Status.IN_PROGRESS, beneficiaries=[applicant])
            ProjectDocument.objects.create(
                project=p,
                kind="invoice",
                file="x.pdf",
                original_name="hoa-don.pdf",
                uploaded_by=applicant.owner,
                uploaded_at=LATER,
            )


def test_staff_see_each_kind_of_waiting_work_with_its_count_and_link(client, staff, applicant_user):
    applicant = _verified_applicant(applicant_user)
    _seed_staff_work(staff, 2, applicant)
    lines = _lines(client, staff)
    assert lines["verify"] == (2, "/co-so/xac-minh/")
    assert lines["triage"] == (2, "/co-so/de-nghi/danh-sach/?status=submitted")
    assert lines["step-appraise"] == (2, "/de-an/?status=submitted")
    assert lines["step-accept"] == (4, "/de-an/?status=in_progress")
    assert lines["step-settle"] == (4, "/de-an/?status=accepted")
    assert lines["uploads"] == (2, "/de-an/?flag=uploads")
    assert lines["settle-due"] == (2, "/de-an/?flag=due")
    assert lines["settle-overdue"] == (2, "/de-an/?flag=overdue")
    assert lines["late"] == (4, "/de-an/?flag=late")
    # approval is a leader's step, not staff work; nothing waits to be contracted
    assert "step-approve" not in lines and "step-contract" not in lines


def test_the_links_lead_to_exactly_the_rows_counted(client, staff, applicant_user):
    applicant = _verified_applicant(applicant_user)
    _seed_staff_work(staff, 1, applicant)
    for key, (count, href) in _lines(client, staff).items():
        if href.startswith("/de-an/?"):
            html = client.get(href).content.decode()
            assert html.count('href="/de-an/') - html.count('href="/de-an/?') >= count, key
            shown = re.search(r'data-testid="totals">\s*(\d+)', html)
            if key.startswith(("late", "settle", "uploads")):
                assert int(shown.group(1)) == count, key


def test_an_upload_is_no_longer_new_once_the_project_takes_a_step(client, staff, applicant_user):
    from projects.models import ProjectTransition

    applicant = _verified_applicant(applicant_user)
    p = _project(staff, Status.IN_PROGRESS, beneficiaries=[applicant])
    ProjectDocument.objects.create(
        project=p,
        kind="invoice",
        file="x.pdf",
        original_name="a.pdf",
        uploaded_by=applicant_user,
        uploaded_at=LATER,
    )
    ProjectDocument.objects.create(
        project=p, kind="contract", file="y.pdf", original_name="b.pdf", uploaded_by=staff, uploaded_at=LATER
    )
    assert _lines(client, staff)["uploads"][0] == 1
    ProjectTransition.objects.create(
        project=p,
        from_status="contracted",
        to_status="in_progress",
        actor=staff,
        at=LATER + datetime.timedelta(hours=1),
    )
    assert "uploads" not in _lines(client, staff)


def test_leaders_see_approvals_waiting_for_them_and_the_staff_work(client, staff, leader):
    _project(staff, Status.APPRAISED)
    _project(staff, Status.SUBMITTED)
    lines = _lines(client, leader)
    assert lines["step-approve"] == (1, "/de-an/?status=appraised")
    assert lines["step-appraise"] == (1, "/de-an/?status=submitted")
    assert "step-approve" not in _lines(client, staff)


def test_applicants_see_documents_asked_requests_returned_and_next_steps(client, staff, applicant_user):
    applicant = _verified_applicant(applicant_user)
    SupportRequestFactory(applicant=applicant, status=SupportRequest.Status.RETURNED)
    SupportRequestFactory(status=SupportRequest.Status.RETURNED)  # someone else's
    mine = _project(staff, Status.APPROVED, beneficiaries=[applicant])
    _project(staff, Status.APPROVED)  # not theirs
    client.force_login(applicant_user)
    html = client.get(URL).content.decode()
    lines = _lines(client, applicant_user)
    assert lines["returned"] == (1, "/co-so/de-nghi/")
    assert set(lines) == {"returned", f"project-{mine.pk}"}
    assert lines[f"project-{mine.pk}"][1] == f"/de-an/{mine.pk}/"
    assert "Bước tiếp theo: Ghi hợp đồng" in html or "Cần nộp" in html
    # the badge counts the documents asked of the applicant; nothing asked, no "0" badge
    assert lines[f"project-{mine.pk}"][0] != 0


def test_commune_officials_see_their_communes_projects_under_way(client, staff, reporter):
    _project(staff, Status.IN_PROGRESS)  # in 11953, the official's commune
    _project(staff, Status.IN_PROGRESS, communes=("12127",))
    _project(staff, Status.DRAFT)
    lines = _lines(client, reporter)
    assert lines == {"commune-in_progress": (1, "/de-an/?status=in_progress")}


def test_observers_see_the_latest_approved_figures(client, staff, observer):
    p = _project(staff, Status.APPROVED)
    Project.objects.filter(pk=p.pk).update(decision_date=datetime.date(2026, 3, 2))
    _project(staff, Status.DRAFT)
    client.force_login(observer)
    html = client.get(URL).content.decode()
    lines = _lines(client, observer)
    assert lines["approved"] == (1, "/de-an/")
    assert "300.000.000 đ" in html and "02/03/2026" in html
    assert lines["targets"] == (None, "/")


def test_a_superuser_gets_a_link_to_the_admin(client):
    root = UserFactory(is_superuser=True, is_staff=True)
    assert _lines(client, root) == {"admin": (None, "/quan-tri/")}


def test_nothing_waiting_says_so(client, reporter):
    client.force_login(reporter)
    assert "Địa bàn chưa có đề án đang thực hiện." in client.get(URL).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "queries"),
    # an applicant: +1 for the invitations waiting for its answer; staff +4 for the annual plans
    # (the programme, the lead funds' plans by year, the calendar, the plans in force: none here),
    # a leader +5 (the same and the plans waiting for a decision), the projects' counts by status
    # read once for its section and the staff's
    [(Role.STAFF, 15), (Role.LEADER, 16), (Role.APPLICANT, 9), (Role.UNIT_REPORTER, 6), (Role.OBSERVER, 5)],
)
def test_the_queries_do_not_grow_with_the_data(
    client, staff, leader, reporter, observer, applicant_user, django_assert_num_queries, role, queries
):
    applicant = _verified_applicant(applicant_user)
    users = {
        Role.STAFF: staff,
        Role.LEADER: leader,
        Role.APPLICANT: applicant_user,
        Role.UNIT_REPORTER: reporter,
        Role.OBSERVER: observer,
    }
    client.force_login(users[role])

    def seed(n):
        _seed_staff_work(staff, n, applicant)
        for _ in range(n):
            _project(staff, Status.APPROVED, beneficiaries=[applicant])
            SupportRequestFactory(applicant=applicant, status=SupportRequest.Status.RETURNED)

    seed(1)
    with django_assert_num_queries(queries):
        assert client.get(URL).status_code == 200
    seed(9)
    with django_assert_num_queries(queries):
        assert client.get(URL).status_code == 200


def _accepted_on(staff, day, status=Status.ACCEPTED):
    project = _project(staff, status)
    Project.objects.filter(pk=project.pk).update(acceptance_date=day)
    return project


def test_staff_see_settlement_dossiers_due_and_overdue_15_days_after_the_last_acceptance(
    client, staff, frozen_clock
):
    """TT 36/2013/TT-BCT Điều 18.1: the settlement dossier is due within 15 days of the last
    acceptance; on 15/06 a project accepted on 31/05 is due today, one accepted on 30/05 is late."""
    from projects.models import ProjectRules

    due = [_accepted_on(staff, datetime.date(2026, 6, 10)), _accepted_on(staff, datetime.date(2026, 5, 31))]
    late = _accepted_on(staff, datetime.date(2026, 5, 30))
    _accepted_on(staff, datetime.date(2026, 5, 1), status=Status.SETTLED)  # settled: nothing is due
    lines = _lines(client, staff)
    assert lines["dossier-due"] == (2, "/de-an/?flag=dossier_due")
    assert lines["dossier-overdue"] == (1, "/de-an/?flag=dossier_overdue")
    for key, wanted in (("dossier-due", due), ("dossier-overdue", [late])):
        html = client.get(lines[key][1]).content.decode()
        shown = {int(pk) for pk in re.findall(r'href="/de-an/(\d+)/"', html)}
        assert shown == {p.pk for p in wanted}, key
    assert "Hồ sơ quyết toán quá hạn nộp" in html  # the list says what it is filtered by
    html = client.get(URL).content.decode()
    assert "Hồ sơ quyết toán đến hạn nộp" in html and "Hồ sơ quyết toán quá hạn nộp" in html
    assert "TT 36/2013/TT-BCT Điều 18 khoản 1" in html
    # the days are data (ProjectRules): with 20 days nothing is late yet
    rules = ProjectRules.current()
    rules.dossier_deadline_days = 20
    rules.save()
    lines = _lines(client, staff)
    assert lines["dossier-due"][0] == 3 and "dossier-overdue" not in lines
    # the day after the due day ends, the dossier accepted on 31/05 is late too
    rules.dossier_deadline_days = 15
    rules.save()
    frozen_clock.move_to(datetime.datetime(2026, 6, 16, 0, 1, tzinfo=FROZEN_NOW.tzinfo))
    lines = _lines(client, staff)
    assert lines["dossier-due"][0] == 1 and lines["dossier-overdue"][0] == 2


def test_the_list_flags_are_for_staff_only(client, staff, observer):
    """Internal flags are for staff and leaders: for an observer the list ignores them, so that
    filtering tells nothing about which project is late."""
    project = _accepted_on(staff, datetime.date(2026, 5, 30))
    client.force_login(observer)
    for flag in ("dossier_due", "dossier_overdue", "due", "overdue"):
        html = client.get(f"/de-an/?flag={flag}").content.decode()
        assert {int(pk) for pk in re.findall(r'href="/de-an/(\d+)/"', html)} == {project.pk}, flag


def test_an_invitation_waits_on_the_first_page_of_whoever_may_accept_it(client, staff):
    owner = UserFactory(email="chu@example.vn", roles=(Role.APPLICANT,))
    facility = _verified_applicant(owner)
    newcomer = UserFactory(email="moi@example.vn", roles=())
    colleague = UserFactory(email="canbo2@example.vn", roles=(Role.STAFF,))
    assert "invitations" not in _lines(client, newcomer)
    from applicants.services.members import applicant_member_invite

    for contact in ("moi@example.vn", "canbo2@example.vn"):
        applicant_member_invite(applicant=facility, actor=owner, contact=contact)
    assert _lines(client, newcomer)["invitations"] == (1, "/co-so/loi-moi/")
    # a staff account cannot join a facility: nothing waits for it there
    assert "invitations" not in _lines(client, colleague)

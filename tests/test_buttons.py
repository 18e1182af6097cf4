"""One primary colour per page (issue 9, C "Buttons"): the main action of a page is its one
`btn-primary` (the portal's red, static/css/portal.css); every other action is outline or
secondary, and red "danger" is kept for what refuses, cancels or removes. Rendered from the demo
(`manage.py load_demo`) for each role: lists, forms, and the project page in every state."""

import io
import re

import pytest
from django.core.management import call_command

from accounts.models import User
from applicants.models import Applicant, SupportRequest
from projects.models import Project
from projects.selectors import project_steps, projects_visible_to

pytestmark = pytest.mark.django_db

PRIMARY = re.compile(r'class="[^"]*(?<![\w-])btn-primary(?![\w-])')
# what a main action looked like before (red as "danger"): only what refuses, cancels or removes
DANGER = re.compile(r'<(?:a|button)[^>]*class="[^"]*(?<![\w-])btn-(?:outline-)?danger(?![\w-])[^>]*>([^<]*)<')
DESTRUCTIVE = ("Không", "Hủy", "Dừng", "Rút", "Bỏ", "Xóa", "Rời", "Từ chối")

LOGINS = {
    "staff": "0912000001",
    "preparer": "0912000008",
    "leader": "0912000002",
    "commune": "0912000003",
    "household": "0912000005",
    "cooperative": "0912000006",
    "observer": "0912000007",
    "admin": "0912000000",
}

COMMON = ["/tai-khoan/", "/tai-khoan/thong-bao/", "/tai-khoan/doi-mat-khau/", "/"]
STAFF_PAGES = [
    "/co-so/danh-sach/",
    "/co-so/xac-minh/",
    "/co-so/nhap-ho-so-giay/",
    "/co-so/nhap-tep/",
    "/co-so/de-nghi/danh-sach/",
    "/de-an/",
    "/de-an/them/",
    "/de-an/tu-de-nghi/",
    "/de-an/nhap/",
    "/tai-khoan/nguoi-dung/",
    "/tai-khoan/nguoi-dung/tao-moi/",
    "/chuong-trinh/ky-binh-chon/",
    "/bao-cao/tong-quan/",
]
APPLICANT_PAGES = ["/co-so/ho-so/", "/co-so/de-nghi/", "/de-an/cua-toi/", "/co-so/loi-moi/"]


@pytest.fixture
def demo(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("load_demo", force=True, stdout=io.StringIO())


def _pages(user):
    """The pages `user` reaches: the role's lists and forms, and every page of each project, applicant
    and request it sees (the project pages in every state of the demo, with their step forms)."""
    pages = list(COMMON)
    staff = user.groups.filter(name__in=["staff", "leader"]).exists()
    if staff:
        pages += STAFF_PAGES + [
            f"/tai-khoan/nguoi-dung/{pk}/" for pk in User.objects.values_list("pk", flat=True)[:3]
        ]
        pages += [f"/co-so/{pk}/" for pk in Applicant.objects.values_list("pk", flat=True)]
        pages += [f"/co-so/de-nghi/{pk}/" for pk in SupportRequest.objects.values_list("pk", flat=True)]
    if user.groups.filter(name="applicant").exists():
        pages += APPLICANT_PAGES
        for applicant in Applicant.objects.filter(owner=user):
            pages += [f"/co-so/{applicant.pk}/sua/", f"/co-so/{applicant.pk}/thanh-vien/"]
            pages += [f"/co-so/{applicant.pk}/de-nghi/moi/"]
            pages += [f"/co-so/de-nghi/{r.pk}/" for r in applicant.support_requests.all()]
    for project in projects_visible_to(user).order_by("pk"):
        pages.append(f"/de-an/{project.pk}/")
        pages += [f"/de-an/{project.pk}/buoc/{step.key}/" for step in project_steps(user, project)]
        if project.is_adjustable and user.groups.filter(name="leader").exists():
            pages.append(f"/de-an/{project.pk}/dieu-chinh/")
        if staff and project.is_editable:
            pages.append(f"/de-an/{project.pk}/sua/")
    return pages


def _check(client, pages):
    many, red = {}, {}
    for url in pages:
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if len(PRIMARY.findall(html)) > 1:
            many[url] = len(PRIMARY.findall(html))
        labels = [label.strip().removeprefix("Xác nhận:").strip() for label in DANGER.findall(html)]
        wrong = [label for label in labels if label and not label.startswith(DESTRUCTIVE)]
        if wrong:
            red[url] = wrong
    return many, red


def _more_states():
    """What the demo leaves out: the project states returned, appraised, approved and contracted
    (walked along the table by the demo's own officers: the Trung tâm officer prepares, the Sở
    officer appraises), an account with two facilities, a person invited by two facilities."""
    from applicants.services.members import applicant_member_invite
    from tests.factories import ApplicantFactory
    from tests.projects.utils import advance, make_project

    preparer, leader = (User.objects.get(phone=LOGINS[k]) for k in ("preparer", "leader"))
    for status in ("returned", "appraised", "approved", "contracted"):
        advance(leader, make_project(preparer, title=f"Đề án thử ({status})"), status)
    cooperative = User.objects.get(phone=LOGINS["cooperative"])
    second = ApplicantFactory(owner=cooperative, verification_status=Applicant.Verification.VERIFIED)
    for applicant in (second, Applicant.objects.filter(owner=cooperative).exclude(pk=second.pk).first()):
        applicant_member_invite(applicant=applicant, actor=leader, contact=LOGINS["household"])


def test_each_page_has_at_most_one_primary_button_and_red_only_for_refusals(client, demo):
    _more_states()
    assert set(Project.objects.values_list("status", flat=True)) >= {
        "draft",
        "submitted",
        "returned",
        "appraised",
        "approved",
        "contracted",
        "in_progress",
        "accepted",
        "settled",
    }
    many, red = {}, {}
    anonymous = [
        "/",
        "/tai-khoan/dang-nhap/",
        "/co-so/dang-ky/",
        "/co-so/tra-cuu/",
        "/tai-khoan/quen-mat-khau/",
        "/co-so/bao-ve-du-lieu-ca-nhan/",
    ]
    for who in ["anonymous", *LOGINS]:
        client.logout()
        if who == "anonymous":
            pages = anonymous
        else:
            user = User.objects.get(phone=LOGINS[who])
            client.force_login(user)
            pages = list(dict.fromkeys(_pages(user)))
        pages_many, pages_red = _check(client, pages)
        many.update({f"{who} {url}": found for url, found in pages_many.items()})
        red.update({f"{who} {url}": found for url, found in pages_red.items()})
    assert not many, f"more than one btn-primary: {many}"
    assert not red, f"a main action in red (btn-danger): {red}"

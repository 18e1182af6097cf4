"""Each role sees the parts of the portal it may use, and only those; a page outside a user's
roles answers 403 (signed in) or sends to the login page (anonymous). Several roles add up."""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.roles import Role
from khuyencong.navigation import MENU
from programmes.models import ReportingUnit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)


def _existing_entries():
    entries = []
    for _label, name, roles in MENU:
        try:
            entries.append((name, reverse(name), roles))
        except NoReverseMatch:
            continue
    return entries


def _user(*roles):
    user = UserFactory(roles=list(roles))
    if Role.UNIT_REPORTER in roles:
        ReportingUnit.objects.get(commune__code="11953").members.add(user)
    return user


def _menu(client, user):
    client.force_login(user)
    page = client.get("/tai-khoan/").content.decode()
    menu = page.split('data-testid="menu"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'data-nav="([^"]+)"', menu))


def test_accounts_entries_exist():
    names = {name for name, _url, _roles in _existing_entries()}
    assert {"accounts:dashboard", "accounts:user_list", "accounts:notifications"} <= names


@pytest.mark.parametrize("role", ROLES)
def test_menu_shows_exactly_the_entries_of_the_role(client, role):
    expected = {name for name, _url, roles in _existing_entries() if role in roles}
    shown = _menu(client, _user(role))
    assert shown == expected
    assert ("accounts:user_list" in shown) == (role in {Role.STAFF, Role.LEADER})
    assert {"accounts:dashboard", "accounts:notifications"} <= shown


def test_several_roles_see_the_union(client):
    applicant = _menu(client, _user(Role.APPLICANT))
    reporter = _menu(client, _user(Role.UNIT_REPORTER))
    both = _menu(client, _user(Role.APPLICANT, Role.UNIT_REPORTER))
    assert both == applicant | reporter
    observer = _menu(client, _user(Role.OBSERVER))
    staff_observer = _menu(client, _user(Role.OBSERVER, Role.STAFF))
    assert staff_observer == observer | _menu(client, _user(Role.STAFF))
    assert "accounts:user_list" in staff_observer and "accounts:user_list" not in observer


def test_staff_and_observer_together_reach_staff_pages(client):
    client.force_login(_user(Role.OBSERVER, Role.STAFF))
    assert client.get("/tai-khoan/nguoi-dung/").status_code == 200


def test_a_user_without_role_is_told_to_contact_the_department(client):
    client.force_login(UserFactory())
    page = client.get("/tai-khoan/").content.decode()
    assert "chưa được phân quyền" in page


@pytest.mark.parametrize("role", ROLES)
def test_each_menu_page_answers_its_roles_and_refuses_the_others(client, role):
    client.force_login(_user(role))
    for name, url, roles in _existing_entries():
        response = client.get(url)
        login_redirect = response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/")
        if role in roles:
            assert response.status_code not in (403, 500) and not login_redirect, (role, name)
        else:
            assert response.status_code == 403, (role, name, response.status_code)


def test_each_menu_page_sends_anonymous_to_login(client):
    for name, url, _roles in _existing_entries():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/"), name


def test_error_pages_are_in_vietnamese(client, settings):
    """A page outside the user's roles, a row outside their scope and a server error all answer
    in Vietnamese (Django's own pages say "403 Forbidden", "Not Found", "Server Error")."""
    client.force_login(_user(Role.APPLICANT))
    response = client.get("/tai-khoan/nguoi-dung/")
    page = response.content.decode()
    assert response.status_code == 403 and "Bạn không có quyền mở trang này" in page
    assert "Forbidden" not in page and 'data-testid="menu"' in page  # the user keeps their menu
    response = client.get("/tai-khoan/khong-co-trang-nay/")
    assert response.status_code == 404 and "Không tìm thấy trang hoặc dữ liệu" in response.content.decode()

    from django.template.loader import render_to_string

    assert "Cổng đang gặp lỗi" in render_to_string("500.html")
    assert "Yêu cầu không hợp lệ" in render_to_string("400.html")


def test_a_form_without_its_csrf_token_is_refused_in_vietnamese():
    """A login form left open in a tab while the user signed in elsewhere: refused (CSRF), and
    the user reads why in Vietnamese instead of Django's English page."""
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/tai-khoan/dang-nhap/", {"username": "a", "password": "b"}
    )
    page = response.content.decode()
    assert response.status_code == 403 and "Biểu mẫu đã hết hiệu lực" in page
    assert "CSRF verification failed" not in page


def test_related_entries_fold_into_drop_downs_and_a_lone_one_stays_a_link(client):
    client.force_login(_user(Role.STAFF))
    page = client.get("/tai-khoan/").content.decode()
    menu = page.split('data-testid="menu"', 1)[1].split("</nav>", 1)[0]
    top = re.findall(r'<li class="nav-item(?: dropdown)?">\s*<a [^>]*?(data-nav(?:-group)?="[^"]+")', menu)
    # a Sở officer's menu: seven items on one line, the programme's pages under one heading
    assert len(top) == 7, top
    group = menu.split("Chương trình</a>", 1)[1].split("</ul>", 1)[0]
    assert set(re.findall(r'data-nav="([^"]+)"', group)) == {
        "programmes:plan_list",
        "reports:dashboard",
        "programmes:selection_rounds",
        "programmes:collaborators",
    }
    # a commune official sees one entry of the "Cơ sở" group: a plain link, no drop-down
    client.force_login(_user(Role.UNIT_REPORTER))
    page = client.get("/tai-khoan/").content.decode()
    menu = page.split('data-testid="menu"', 1)[1].split("</nav>", 1)[0]
    assert 'data-nav="applicants:list"' in menu and "dropdown-menu" not in menu


def _active(menu):
    return (
        set(re.findall(r'class="[^"]*\bactive\b[^"]*"[^>]*data-nav(?:-group)?="([^"]+)"', menu)),
        re.findall(r'data-nav="([^"]+)" aria-current="page"', menu),
    )


def test_the_menu_marks_the_page_open_and_its_group_whatever_was_shown_before(client):
    """The menu's HTML is kept per roles, language and page: each page marks its own entry (and
    the drop-down holding it), a page outside the menu marks none, and a user with other roles
    does not get a copy built for somebody else."""
    client.force_login(_user(Role.STAFF))
    menu = _menu_html(client, "/tai-khoan/")
    assert _active(menu) == ({"accounts:dashboard"}, ["accounts:dashboard"])
    menu = _menu_html(client, reverse("reports:dashboard"))
    assert _active(menu) == ({"reports:dashboard", "group-1"}, ["reports:dashboard"])
    assert _active(_menu_html(client, "/tai-khoan/doi-mat-khau/")) == (set(), [])
    assert _active(_menu_html(client, "/tai-khoan/")) == ({"accounts:dashboard"}, ["accounts:dashboard"])
    client.force_login(_user(Role.OBSERVER))
    menu = _menu_html(client, reverse("reports:dashboard"))
    assert "accounts:user_list" not in menu
    assert _active(menu)[1] == ["reports:dashboard"]


def _menu_html(client, url):
    page = client.get(url).content.decode()
    return page.split('data-testid="menu"', 1)[1].split("</nav>", 1)[0]

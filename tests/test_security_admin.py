"""Issue 10, item 10 (Content-Security-Policy) in the superuser admin: `script-src 'self'` runs no
inline code, so an admin page with an inline handler or script silently loses that behaviour (the
export page's "Chọn tất cả" did nothing). Every admin page the portal uses is rendered here and
checked for inline code; the export page's toggle comes from a static file and export works."""

import io
from html.parser import HTMLParser

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.urls import NoReverseMatch, reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import User
from tests.factories import CollaboratorFactory

pytestmark = pytest.mark.django_db


class _InlineCode(HTMLParser):
    """Inline code the CSP blocks: a <script> without src (JSON data blocks are not code), an
    on… attribute, a javascript: address. Also the script files a page loads."""

    def __init__(self):
        super().__init__()
        self.offenders, self.scripts = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
            elif attrs.get("type") != "application/json":
                self.offenders.append(f"<script {attrs}>")
        self.offenders += [f"<{tag} {name}=…>" for name in attrs if name.startswith("on")]
        self.offenders += [
            f"<{tag} {name}={value}>"
            for name, value in attrs.items()
            if value and value.strip().lower().startswith("javascript:")
        ]


def _inline(html):
    parser = _InlineCode()
    parser.feed(html)
    return parser


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser(email="root@example.test", password="x", full_name="Quản trị")
    client.force_login(user)
    return user


def test_the_export_page_has_no_inline_handler_and_loads_its_toggle_from_a_file(client, superuser):
    page = client.get("/quan-tri/programmes/collaborator/export/")
    assert page.status_code == 200
    html = page.content.decode()
    found = _inline(html)
    assert found.offenders == []
    assert any(src.endswith("js/admin_export.js") for src in found.scripts), found.scripts
    # the toggle and its label are tied (the library's label pointed at an id nobody had)
    assert 'id="select-all-toggle"' in html and 'for="select-all-toggle"' in html
    script = finders.find("js/admin_export.js")
    assert script is not None
    text = open(script, encoding="utf-8").read()
    assert "select-toggle" in text and "addEventListener" in text


def test_export_still_works_with_the_overridden_page(client, superuser):
    CollaboratorFactory(full_name="Ngô Thị Thu")
    form = client.get("/quan-tri/programmes/collaborator/export/").context["form"]
    data = {"resource": "0", "format": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("collaboratorresource_")})
    response = client.post("/quan-tri/programmes/collaborator/export/", data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "Ngô Thị Thu" in [cell.value for row in sheet.iter_rows() for cell in row]


def _admin_urls(model, model_admin, request):
    """The admin pages of one registered model: list, add, change and history of its first row,
    and its import and export pages when it has them."""
    info = (model._meta.app_label, model._meta.model_name)
    urls = [reverse("admin:{}_{}_changelist".format(*info))]
    if model_admin.has_add_permission(request):
        urls.append(reverse("admin:{}_{}_add".format(*info)))
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        urls += [
            reverse("admin:{}_{}_change".format(*info), args=[first.pk]),
            reverse("admin:{}_{}_history".format(*info), args=[first.pk]),
        ]
    for name in ("import", "export"):
        try:
            urls.append(reverse("admin:{}_{}_{}".format(*info, name)))
        except NoReverseMatch:
            pass
    return urls


def test_no_admin_page_the_portal_uses_has_inline_code(client, superuser, rf):
    CollaboratorFactory()
    schedule = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    task = PeriodicTask.objects.create(name="Nhắc hạn", task="core.tasks.noop", interval=schedule)
    urls = ["/quan-tri/", reverse("admin:password_change")]
    urls.append(reverse("admin:auth_user_password_change", args=[superuser.pk]))
    request = rf.get("/quan-tri/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        urls += _admin_urls(model, model_admin, request)
    offenders = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = _inline(response.content.decode()).offenders
        if found:
            offenders[url] = found
    assert offenders == {}
    beat = client.get(
        reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    ).content.decode()
    assert 'id="readable-crontabs" type="application/json"' in beat
    assert any(src.endswith("js/admin_periodic_task.js") for src in _inline(beat).scripts)

"""Issue 10, item 10 (the parts in settings and middleware): a bad Host header is a 400, every page
carries Content-Security-Policy and Permissions-Policy, personal pages are never cached, a lock
timeout is a 503 "busy, try again", and SQLite waits for a writer instead of failing."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import psycopg.errors
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.test import Client, override_settings
from django.urls import path, reverse

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_HOST = "khuyencong.hungyen.gov.vn"


# --- A disallowed Host header ---------------------------------------------------------------------


@override_settings(DEBUG=False, ALLOWED_HOSTS=[PRODUCTION_HOST])
@pytest.mark.parametrize("url", ["/", "/tai-khoan/dang-nhap/", "/co-so/"])
def test_a_disallowed_host_is_answered_400_not_500(client, url):
    response = client.get(url, HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert 'data-testid="error-400"' in response.content.decode()
    assert client.get("/", HTTP_HOST=PRODUCTION_HOST).status_code == 200


# --- Content-Security-Policy and Permissions-Policy ----------------------------------------------

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _directives(header):
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_carry_the_content_security_policy(client, signed_in):
    if signed_in:
        client.force_login(UserFactory(roles=[Role.STAFF]))
    response = client.get(reverse("accounts:dashboard") if signed_in else "/")
    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_pages_carry_a_permissions_policy(client):
    policy = client.get("/")["Permissions-Policy"]
    features = dict(item.strip().split("=") for item in policy.split(","))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert features[feature] == "()"


def test_no_template_has_inline_script_or_event_handlers():
    """script-src 'self' forbids both: every script is a file under static/."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.name}: {tag}")
        offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{template.name}: hx-on" for _ in re.findall(r"hx-on", text)]
        offenders += [f"{template.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert offenders == []


# --- Cache-Control on personal pages and downloads -------------------------------------------------


def _no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def test_a_signed_in_page_and_a_download_are_never_stored(client):
    client.force_login(UserFactory(roles=[Role.STAFF]))
    page = client.get(reverse("applicants:list"))
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    download = client.get(reverse("applicants:import_template"))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"


def test_the_public_lookup_answer_is_never_stored(client):
    response = client.post(reverse("applicants:lookup"), {"code": "YC-2026-00001", "secret": "0101234567"})
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_an_anonymous_public_page_stays_cacheable_and_a_views_own_choice_is_kept(client):
    assert not _no_store(client.get("/"))
    login = client.get(reverse("accounts:login"))  # never_cache: Django's own, complete header
    assert "must-revalidate" in login["Cache-Control"] and "no-store" in login["Cache-Control"]


# --- A lock timeout is a 503 "try again" -----------------------------------------------------------


def _raises(cause):
    def view(request):
        raise OperationalError(str(cause)) from cause

    return view


def _not_busy(request):
    raise OperationalError("could not connect to server")


def _echo(request):
    """GET: a page that hands out the CSRF cookie. POST: what arrived, to check a resubmission."""
    if request.method == "GET":
        return HttpResponse(get_token(request))
    return JsonResponse({"post": dict(request.POST.lists()), "files": sorted(request.FILES)})


urlpatterns = [
    path("echo/", _echo),
    path("lock/", _raises(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"))),
    path("slow/", _raises(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))),
    path("sqlite/", _raises(__import__("sqlite3").OperationalError("database is locked"))),
    path("down/", _not_busy),
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/lock/", "/slow/", "/sqlite/"])
def test_a_lock_or_statement_timeout_shows_busy_try_again(client, url):
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "Hệ thống đang bận, vui lòng thử lại" in html and 'data-testid="error-503"' in html


class _Forms(HTMLParser):
    """The forms of a page: each with its attributes and its inputs' attributes, in order."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.forms.append({"attrs": dict(attrs), "inputs": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append(dict(attrs))


def _forms(html):
    parser = _Forms()
    parser.feed(html)
    return parser.forms


TYPED = {
    "name": 'Công ty TNHH "Hoa Sen" <script>alert(1)</script>',
    "note": "dòng 1\r\ndòng 2 & 'trích'",
    "items": ["1", "2"],
    "password": "MatKhau-Bi-Mat-123",
    "new_password1": "MatKhau-Moi-456",
}


def _typed_post(client, url, **extra):
    return client.post(url, {**TYPED, **extra})


@pytest.mark.urls(__name__)
def test_the_busy_page_keeps_what_was_typed_and_try_again_resubmits_it(client):
    """Item 10: after a lock timeout on a POST nothing the user typed is lost: the 503 page holds
    it in a form to the same address; passwords, files and the old CSRF token are not copied."""
    csrf_client = Client(enforce_csrf_checks=True)
    token = csrf_client.get("/echo/").content.decode()
    response = _typed_post(csrf_client, "/lock/?tab=2", csrfmiddlewaretoken=token)
    assert response.status_code == 503 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "MatKhau" not in html and token not in html
    (form,) = [f for f in _forms(html) if f["attrs"].get("method") == "post"]
    assert form["attrs"]["action"] == "/lock/?tab=2"
    hidden = [(i["name"], i["value"]) for i in form["inputs"] if i.get("type") == "hidden"]
    fresh = dict(hidden).pop("csrfmiddlewaretoken")
    assert fresh and fresh != token
    assert [pair for pair in hidden if pair[0] != "csrfmiddlewaretoken"] == [
        ("name", TYPED["name"]),
        ("note", TYPED["note"]),
        ("items", "1"),
        ("items", "2"),
    ]
    # the passwords are asked again, empty and required, so the retry is complete
    retyped = {i["name"]: i for i in form["inputs"] if i.get("type") == "password"}
    assert set(retyped) == {"password", "new_password1"}
    assert all("value" not in i and "required" in i for i in retyped.values())
    assert "Thử lại" in html and "Hệ thống đang bận, vui lòng thử lại" in html
    # "Thử lại" posts the kept fields with the fresh token: the CSRF check passes
    data = {}
    for name, value in hidden:
        data.setdefault(name, []).append(value)
    data.update(password=["retyped"], new_password1=["retyped"])
    again = csrf_client.post("/echo/", data)
    assert again.status_code == 200
    assert again.json()["post"] == data


@pytest.mark.urls(__name__)
def test_the_busy_page_asks_for_a_chosen_file_again_and_never_echoes_it(client):
    upload = SimpleUploadedFile("ho-so.pdf", b"%PDF-1.4 noi dung bi mat", content_type="application/pdf")
    response = client.post("/lock/", {"title": "Biên bản", "document": upload})
    html = response.content.decode()
    assert response.status_code == 503 and "noi dung bi mat" not in html
    (form,) = [f for f in _forms(html) if f["attrs"].get("method") == "post"]
    assert form["attrs"]["enctype"] == "multipart/form-data"
    (chosen,) = [i for i in form["inputs"] if i.get("type") == "file"]
    assert chosen["name"] == "document" and "required" in chosen
    assert "ho-so.pdf" in html
    assert ("title", "Biên bản") in [(i["name"], i.get("value")) for i in form["inputs"]]


@pytest.mark.urls(__name__)
def test_a_busy_get_offers_to_load_the_same_address_again(client):
    html = client.get("/lock/?q=%22x%22").content.decode()
    assert 'href="/lock/?q=%22x%22"' in html and "Thử lại" in html
    assert not [f for f in _forms(html) if f["attrs"].get("method") == "post"]


def test_the_try_again_address_never_leaves_the_portal(rf):
    from core.http import resubmission

    request = rf.post("/x", {"a": "1"})
    request.path = "//evil.example/x"  # what a request line "POST //evil.example/x" gives
    assert resubmission(request).action == "/%2Fevil.example/x"
    assert resubmission(rf.delete("/lock/")) is None


@pytest.mark.urls(__name__)
def test_another_database_error_is_not_disguised_as_busy(client):
    with pytest.raises(OperationalError, match="could not connect"):
        client.get("/down/")


# --- Database settings ------------------------------------------------------------------------------


def _settings_in_subprocess(code, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean.update({"DJANGO_ENV": "local", "DJANGO_SETTINGS_MODULE": "khuyencong.settings", **env})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgresql_gets_a_lock_and_a_statement_timeout():
    show = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS']['options'])"
    url = "postgres://khuyencong@127.0.0.1:5432/khuyencong"
    assert (
        _settings_in_subprocess(show, DATABASE_URL=url) == "-c lock_timeout=3000 -c statement_timeout=15000"
    )
    assert (
        _settings_in_subprocess(show, DATABASE_URL=url, DB_LOCK_TIMEOUT="2000", DB_STATEMENT_TIMEOUT="8000")
        == "-c lock_timeout=2000 -c statement_timeout=8000"
    )


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    assert _settings_in_subprocess(code, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}") == "wal 20000"


CONCURRENT_WRITERS = """
import threading, time
from django.db import connection, transaction

with connection.cursor() as c:
    c.execute("CREATE TABLE t (n integer)")
started, errors = threading.Event(), []

def holder():
    with transaction.atomic():
        with connection.cursor() as c:
            c.execute("INSERT INTO t VALUES (1)")
        started.set()
        time.sleep(0.5)
    connection.close()

def second():
    started.wait()
    try:
        with transaction.atomic():
            with connection.cursor() as c:
                c.execute("SELECT count(*) FROM t")  # a read first, as a view does
                c.execute("INSERT INTO t VALUES (2)")
    except Exception as exc:
        errors.append(repr(exc))
    connection.close()

threads = [threading.Thread(target=holder), threading.Thread(target=second)]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as c:
    print(errors or "ok", c.execute("SELECT count(*) FROM t").fetchone()[0])
"""


def test_sqlite_concurrent_writers_wait_instead_of_database_is_locked(tmp_path):
    """The second writer read first then writes while the first holds the write lock: with
    deferred transactions SQLite refuses it at once ("database is locked"); now it waits."""
    output = _settings_in_subprocess(CONCURRENT_WRITERS, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert output == "ok 2"

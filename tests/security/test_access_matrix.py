"""Issue 15, item 1: the access matrix. Every URL pattern of the project, found by walking the URL
resolver (so a new page is covered the day it is added), is requested as each role with rows that
belong to someone else; the answer must be the one the table below expects. The table is written by
hand from the design's role table (design.md, "Roles"), not from what the views answer:

    staff      manage applicants, plans, projects; review unit reports; start report jobs
    leader     all of staff, plus approve/reject projects, sign off the yearly plan, finalise reports
    commune    (unit_reporter of a commune) its unit's report; read its commune's projects and applicants
    department (unit_reporter of a unit without a commune) its unit's report; no commune, so no rows
    applicant  its own profile, requests and projects; upload documents asked of it
    observer   dashboards, approved project figures, final reports
    superuser  the Django admin (and, holding no portal role, no portal page of a role)

A page outside a user's roles answers 403; a row outside a user's scope 404; an anonymous visitor
is sent to sign in. Every URL that takes a POST is also posted to (an empty form) by every role,
and a role that may not make it must change nothing (per-table row counts and checksums).

Letters, one per role in the order A P C D S L O U (anonymous, applicant, commune official,
department official, staff, leader, observer, superuser):
    2 = 200    L = 302 to a sign-in page    R = 302 elsewhere    F = 403    N = 404    M = 405
    . = not checked (a POST the role may make: its own tests cover it; the DB may change)
A URL without a row fails `test_every_url_has_a_row`: add one line to ROWS (or to ADMIN_* below).
"""

from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .world import ROLES, changed_tables, snapshot

pytestmark = pytest.mark.django_db

# (url name, the row its pk names, GET answers, POST answers). A name may have several rows (the
# same page on a row of someone else's and on the role's own one).
# fmt: off
ROWS = [
    # --- public pages and the account pages of everybody -----------------------------------------
    ("home",                                   None,                "22222222", "22222222"),
    ("healthz",                                None,                "22222222", "MMMMMMMM"),
    ("help",                                   None,                "L2222222", "L2222222"),
    ("help_guide",                             None,                "L2222222", "L2222222"),
    ("accounts:dashboard",                     None,                "L2222222", "L2222222"),
    ("accounts:login",                         None,                "2RRRRRRR", "2RRRRRRR"),  # signed in: home
    ("accounts:logout",                        None,                "MMMMMMMM", "........"),
    ("accounts:password_change",               None,                "L2222222", "L2222222"),
    ("accounts:password_reset",                None,                "22222222", "22222222"),
    ("accounts:password_reset_done",           None,                "22222222", "MMMMMMMM"),
    ("accounts:password_reset_confirm",        None,                "22222222", "22222222"),
    ("accounts:password_reset_complete",       None,                "22222222", "MMMMMMMM"),
    ("accounts:notifications",                 None,                "L2222222", "L2222222"),
    ("accounts:notification_read",             "notification",      "MMMMMMMM", "LNNNNNNN"),
    ("accounts:notifications_read_all",        None,                "MMMMMMMM", "L......."),
    ("accounts:user_list",                     None,                "LFFF22FF", "LFFF22FF"),
    ("accounts:user_reset_password",           "other_user",        "MMMMMMMM", "LFFF..FF"),
    ("accounts:user_create",                   None,                "LFFF22FF", "LFFF22FF"),
    ("accounts:user_edit",                     "other_user",        "LFFF22FF", "LFFF..FF"),
    # --- applicants: the public register and lookup, a facility's own pages, staff's pages --------
    ("applicants:register",                    None,                "22222222", "22222222"),
    ("applicants:privacy",                     None,                "22222222", "22222222"),
    ("applicants:lookup",                      None,                "22222222", "22222222"),
    ("applicants:my_profile",                  None,                "L2FFFFFF", "L2FFFFFF"),
    ("applicants:my_data",                     None,                "L2FFFFFF", "L2FFFFFF"),
    ("applicants:list",                        None,                "LF2222FF", "LF2222FF"),
    ("applicants:verification_queue",          None,                "LFFF22FF", "LFFF22FF"),
    ("applicants:staff_entry",                 None,                "LFFF22FF", "LFFF22FF"),
    ("applicants:import",                      None,                "LFFF22FF", "LFFF22FF"),
    ("applicants:import_template",             None,                "LFFF22FF", "LFFF22FF"),
    ("applicants:detail",                      "other_applicant",   "LNNN22FF", "LNNN22FF"),
    ("applicants:detail",                      "own_applicant",     "L22N22FF", "L22N22FF"),
    ("applicants:edit",                        "other_applicant",   "LNFF22FF", "LNFF..FF"),
    ("applicants:edit",                        "own_applicant",     "L2FF22FF", "L.FF..FF"),
    ("applicants:consent",                     "other_applicant",   "MMMMMMMM", "LNFFFFFF"),
    ("applicants:review",                      "other_applicant",   "MMMMMMMM", "LFFF..FF"),
    ("applicants:members",                     "other_applicant",   "LNFF22FF", "LNFF..FF"),
    ("applicants:members",                     "own_applicant",     "L2FF22FF", "L.FF..FF"),
    ("applicants:member_remove",               "other_applicant",   "MMMMMMMM", "LNFF..FF"),
    ("applicants:member_leave",                "other_applicant",   "MMMMMMMM", "LNFFFFFF"),
    ("applicants:invitation_cancel",           "other_applicant",   "MMMMMMMM", "LNFF..FF"),
    ("applicants:invitations",                 None,                "L2222222", "L2222222"),
    ("applicants:invitation_answer",           "invitation",        "MMMMMMMM", "LNNNNNNN"),
    ("applicants:request_create",              "other_applicant",   "LNFF22FF", "LNFF..FF"),
    ("applicants:request_create",              "own_applicant",     "L2FF22FF", "L.FF..FF"),
    ("applicants:my_requests",                 None,                "L2FFFFFF", "L2FFFFFF"),
    ("applicants:request_list",                None,                "LFFF22FF", "LFFF22FF"),
    ("applicants:request_detail",              "request",           "LNFF22FF", "LNFF22FF"),
    ("applicants:request_detail",              "own_request",       "L2FF22FF", "L2FF22FF"),
    ("applicants:request_edit",                "request",           "LNFFNNFF", "LNFFNNFF"),  # sent: not editable
    ("applicants:request_triage",              "request",           "MMMMMMMM", "LFFF..FF"),
    # --- the programme's frame: collaborators, plans, selection rounds (staff; observers read) -----
    ("programmes:selection_rounds",            None,                "LFFF22FF", "LFFF22FF"),
    ("programmes:collaborators",               None,                "LFFF222F", "LFFF222F"),
    ("programmes:collaborator_create",         None,                "LFFF22FF", "LFFF..FF"),
    ("programmes:collaborator_edit",           "collaborator",      "LFFF22FF", "LFFF..FF"),
    ("programmes:collaborator_end",            "collaborator",      "LFFF22FF", "LFFF..FF"),
    ("programmes:plan_list",                   None,                "LFFF22FF", "LFFF22FF"),
    ("programmes:plan_create",                 None,                "LFFF22FF", "LFFF..FF"),
    ("programmes:plan_detail",                 "plan",              "LFFF22FF", "LFFF22FF"),
    ("programmes:plan_reality_xlsx",           "plan",              "LFFF22FF", "LFFF22FF"),
    ("programmes:plan_item_add",               "plan",              "LFFF22FF", "LFFF..FF"),
    ("programmes:plan_item_edit",              "plan",              "LFFF22FF", "LFFF..FF"),
    ("programmes:plan_item_delete",            "plan",              "MMMMMMMM", "LFFF..FF"),
    ("programmes:plan_step",                   "plan",              "LFFF2RFF", "LFFF..FF"),  # a leader: back to the plan (staff submit)
    ("programmes:plan_adjust",                 "plan",              "LFFF22FF", "LFFF..FF"),
    # --- projects (đề án): the row is another facility's, in another commune ------------------------
    ("projects:list",                          None,                "LF22222F", "LF22222F"),
    ("projects:mine",                          None,                "L2FFFFFF", "L2FFFFFF"),
    ("projects:create",                        None,                "LFFF22FF", "LFFF..FF"),
    ("projects:beneficiary_search",            None,                "LFFF22FF", "LFFF22FF"),
    ("projects:from_request",                  None,                "LFFF22FF", "LFFF..FF"),
    ("projects:import",                        None,                "LFFF22FF", "LFFF..FF"),
    ("projects:detail",                        "project",           "LNNN222F", "LNNN222F"),
    ("projects:detail",                        "own_project",       "L22N222F", "L22N222F"),
    ("projects:detail",                        "draft_project",     "LNNN22NF", "LNNN22NF"),
    # the audit trail's "see all" page (here a đề án's): staff and leaders only
    ("audit_log",                              "project",           "LFFF22FF", "LFFF22FF"),
    ("projects:edit",                          "project",           "LFFFRRFF", "LFFF..FF"),  # approved: not editable, back to its page
    ("projects:approval_summary",              "project",           "LNNN222F", "LNNN...F"),
    ("projects:approval_summary",              "own_project",       "L22N222F", "L..N...F"),
    ("projects:transition",                    "project",           "LFFF22FF", "LFFF..FF"),
    ("projects:adjust",                        "project",           "LFFFF2FF", "LFFFF.FF"),
    ("projects:progress_add",                  "project",           "MMMMMMMM", "LFFF..FF"),
    ("projects:payment_add",                   "project",           "MMMMMMMM", "LFFF..FF"),
    ("projects:recovery_add",                  "project",           "MMMMMMMM", "LFFF..FF"),
    ("projects:progress_confirm",              "project",           "MMMMMMMM", "LFFF..FF"),
    ("projects:shares",                        "project",           "LFFF22FF", "LFFF..FF"),
    ("projects:plan_item",                     "project",           "MMMMMMMM", "LFFF..FF"),
    ("projects:plan_shares",                   "project",           "LFFF22FF", "LFFF..FF"),
    ("projects:document_upload",               "project",           "MMMMMMMM", "LNFF..FF"),
    ("projects:document_download",             "project",           "LNNN22NF", "LNNN22NF"),
    # --- unit reports: the row is another commune's report ---------------------------------------
    ("reports:unit_reports",                   None,                "LF22FFFF", "LF22FFFF"),
    ("reports:unit_report",                    "unit_report",       "LFNN22FF", "LFNN..FF"),
    ("reports:unit_report",                    "own_unit_report",   "LF2N22FF", "LF.N..FF"),
    ("reports:unit_report",                    "department_report", "LFN222FF", "LFN...FF"),
    ("reports:unit_report_step",               "unit_report",       "MMMMMMMM", "LFFF..FF"),
    ("reports:periods",                        None,                "LFFF22FF", "LFFF..FF"),
    ("reports:period_board",                   "period",            "LFFF22FF", "LFFF22FF"),
    ("reports:period_close",                   "period",            "MMMMMMMM", "LFFF..FF"),
    ("reports:period_units",                   "period",            "MMMMMMMM", "LFFF..FF"),
    # the official documents of a report: a row outside the user's scope, never a page of a role
    ("reports:unit_report_pdf_status",         "unit_report",       "LNNN22NN", "LNNN22NN"),
    ("reports:unit_report_pdf",                "unit_report",       "LNNN22NN", "LNNN22NN"),
    ("reports:unit_report_pdf_retry",          "unit_report",       "MMMMMMMM", "LNNN..NN"),
    ("reports:unit_report_signed_upload",      "unit_report",       "MMMMMMMM", "LNNN..NN"),
    ("reports:unit_report_signed",             "unit_report",       "LNNN22NN", "LNNN22NN"),
    ("reports:unit_report_xlsx",               "unit_report",       "LFNN22FF", "MMMMMMMM"),
    ("reports:unit_report_xlsx_upload",        "unit_report",       "MMMMMMMM", "LFNN..FF"),
    # --- the department's yearly reports and the dashboard -------------------------------------
    ("reports:generated",                      None,                "LFFF222F", "LFFF222F"),
    ("reports:generated_open",                 None,                "MMMMMMMM", "LFFF..FF"),
    ("reports:generated_request",              "report_request",    "LFFF22FF", "LFFF..FF"),
    ("reports:generated_build",                "report_request",    "MMMMMMMM", "LFFF..FF"),
    ("reports:generated_status",               "generated_draft",   "LFFF22FF", "LFFF22FF"),
    ("reports:generated_retry",                "generated_draft",   "MMMMMMMM", "LFFF..FF"),
    ("reports:generated_finalise",             "generated_draft",   "MMMMMMMM", "LFFFF.FF"),
    ("reports:generated_download",             "generated_final",   "LFFF222F", "LFFF222F"),
    ("reports:generated_download",             "generated_draft",   "LFFF22NF", "LFFF22NF"),
    # the signed copy of the final version: staff upload it; staff, leaders, observers read it
    ("reports:generated_signed_upload",        "generated_final",   "MMMMMMMM", "LFFF..FF"),
    ("reports:generated_signed",               "generated_final",   "LNNN222N", "LNNN222N"),
    ("reports:dashboard",                      None,                "LFFF222F", "LFFFMMMF"),  # GET only
    ("reports:public_figures_csv",             None,                "22222222", "MMMMMMMM"),
    ("reports:public_figures_json",            None,                "22222222", "MMMMMMMM"),
    # --- background files: only the one who asked ----------------------------------------------
    ("core:file_job_status",                   "file_job",          "LNNNNNNN", "LNNNNNNN"),
    ("core:file_job_download",                 "file_job",          "LNNNNNNN", "LNNNNNNN"),
    # --- the Django admin's own pages (the model pages follow ADMIN_MODEL_PAGES) -----------------
    ("admin:index",                            None,                "LLLLLLL2", "LLLLLLL2"),
    ("admin:login",                            None,                "2222222R", "22222222"),
    ("admin:logout",                           None,                "RRRRRRRM", "........"),
    ("admin:password_change",                  None,                "LLLLLLL2", "LLLLLLL."),
    ("admin:password_change_done",             None,                "LLLLLLL2", "LLLLLLLM"),
    ("admin:autocomplete",                     None,                "LLLLLLLF", "LLLLLLLM"),
    ("admin:jsi18n",                           None,                "LLLLLLL2", "LLLLLLLM"),
    ("admin:view_on_site",                     "project",           "LLLLLLLN", "LLLLLLLN"),
    ("admin:app_list",                         None,                "LLLLLLL2", "LLLLLLL2"),
    ("admin:auth_user_password_change",        "other_user",        "LLLLLLL2", "LLLLLLL."),
    ("admin:<catch-all>",                      None,                "LLLLLLLN", "LLLLLLLN"),
]
# Every model page of the admin, by the end of its URL name: superusers only.
ADMIN_MODEL_PAGES = {
    "changelist":      ("LLLLLLL2", "LLLLLLL."),
    "add":             ("LLLLLLL2", "LLLLLLL."),
    "change":          ("LLLLLLL2", "LLLLLLL."),
    "delete":          ("LLLLLLL2", "LLLLLLL."),
    "history":         ("LLLLLLL2", "LLLLLLL2"),
    "simple_history":  ("LLLLLLL2", "LLLLLLL."),
    "import":          ("LLLLLLL2", "LLLLLLL."),
    "process_import":  ("LLLLLLLM", "LLLLLLL."),
    "export":          ("LLLLLLL2", "LLLLLLL."),
    "<object>":        ("LLLLLLLR", "LLLLLLLR"),  # <pk>/ without change/: redirected to the change page
}
# Rows the admin only reads, even for a superuser: what the portal's workflow writes (đề án, their
# history and budget versions, e-mail deliveries, file jobs) and the one-row rule tables.
REFUSED = ("LLLLLLLF", "LLLLLLLF")
ADMIN_NO_ADD = {
    "core_emaildelivery", "core_filejob", "programmes_approvalrules", "programmes_plancalendar",
    "projects_budgetversion", "projects_project", "projects_projectrules", "projects_projecttransition",
}
ADMIN_NO_DELETE = {
    "programmes_approvalrules", "programmes_plancalendar", "projects_budgetversion", "projects_project",
    "projects_projectrules", "projects_projecttransition",
}
# fmt: on

# What the other parts of a URL are (the pk is the row's own).
OTHER_KWARGS = {
    "help_guide": {"slug": "can-bo-so"},
    "audit_log": {"slug": "de-an"},
    "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "khong-hop-le"},
    "programmes:plan_item_edit": {"item_pk": "plan_item"},
    "programmes:plan_item_delete": {"item_pk": "plan_item"},
    "programmes:plan_step": {"step": "submit"},
    "projects:transition": {"step": "contract"},
    "projects:document_download": {"doc_pk": "document"},
    "reports:unit_report_step": {"step": "accept"},
    "reports:unit_report_signed": {"copy_pk": "signed_copy"},
    "reports:generated_download": {"fmt": "pdf"},
    "reports:generated_signed": {"copy_pk": "generated_signed_copy"},
}
# The names a URL gives the pk of its row (the applicant of a new request, the admin's user…).
PK_NAMES = {"applicant_pk", "invitation_pk", "pk", "id"}


# --- the URLs the resolver knows ---------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            ns = namespace if not inner else (f"{namespace}:{inner}" if namespace else inner)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield namespace, entry, prefix + str(entry.pattern)


def _admin_models():
    return {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}


def url_keys() -> dict:
    """Every URL pattern, keyed as the table names it: its name, or for the admin's unnamed
    patterns `admin:<catch-all>` and `admin:<app>_<model>_<object>`. Value: (namespace, pattern)."""
    keys = {}
    models = _admin_models()
    for namespace, pattern, route in _walk(get_resolver().url_patterns):
        if pattern.name:
            key = f"{namespace}:{pattern.name}" if namespace else pattern.name
        elif namespace == "admin" and route.endswith("(?P<url>.*)$"):
            key = "admin:<catch-all>"
        elif namespace == "admin" and route.endswith("<path:object_id>/"):
            app, model = route.split("/")[1:3]
            assert f"{app}_{model}" in models, route
            key = f"admin:{app}_{model}_<object>"
        else:
            key = f"<unnamed {route}>"
        keys[key] = (namespace, pattern)
    return keys


def _admin_page(key):
    """(model, page kind) of an admin model page's key, or None."""
    if not key.startswith("admin:"):
        return None
    name = key.removeprefix("admin:")
    for prefix, model in _admin_models().items():
        if name.startswith(prefix + "_"):
            return model, name.removeprefix(prefix + "_")
    return None


def table() -> list[tuple]:
    """The rows of the matrix: ROWS, plus one per admin model page."""
    rows = list(ROWS)
    for key in url_keys():
        page = _admin_page(key)
        if not page or page[1] not in ADMIN_MODEL_PAGES:
            continue
        model, kind = page
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        refused = (kind == "add" and label in ADMIN_NO_ADD) or (kind == "delete" and label in ADMIN_NO_DELETE)
        rows.append((key, model, *(REFUSED if refused else ADMIN_MODEL_PAGES[kind])))
    return rows


def _row_id(row):
    name, obj = row[0], row[1]
    return name if obj is None or not isinstance(obj, str) else f"{name}[{obj}]"


# --- requests ----------------------------------------------------------------------------------


def _admin_object(model):
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"the matrix's world has no {model._meta.label} row: add one in world.py"
    return row


def url_for(key, obj, world):
    namespace, pattern = url_keys()[key]
    page = _admin_page(key)
    if page:
        model, kind = page
        if kind == "<object>":
            change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[1])
            return change.removesuffix("1/change/") + f"{_admin_object(model).pk}/"
        if kind == "simple_history":
            history = model.history.order_by("history_id").first()
            if history is None:  # reference rows loaded in bulk have none yet
                _admin_object(model).save()
                history = model.history.order_by("history_id").first()
            return reverse(key, args=[getattr(history, model._meta.pk.attname), history.history_id])
        if kind in ("change", "delete", "history"):
            return reverse(key, args=[_admin_object(model).pk])
        return reverse(key)
    if key == "admin:<catch-all>":
        return "/quan-tri/khong-co-trang-nay/"
    if key == "admin:view_on_site":
        from django.contrib.contenttypes.models import ContentType

        row = world[obj]
        return reverse(key, args=[ContentType.objects.get_for_model(row).pk, row.pk])
    if key == "admin:app_list":
        return reverse(key, kwargs={"app_label": "programmes"})
    kwargs = {}
    for name in pattern.pattern.converters:
        if name in PK_NAMES:
            kwargs[name] = world[obj].pk
    for name, value in OTHER_KWARGS.get(key, {}).items():
        kwargs[name] = world[value].pk if value in world else value
    return reverse(key, kwargs=kwargs)


LOGIN_PATHS = None


def outcome(response) -> str:
    """The table's letter for a response."""
    global LOGIN_PATHS
    if LOGIN_PATHS is None:
        LOGIN_PATHS = {reverse("accounts:login"), reverse("admin:login")}
    code = response.status_code
    if response.streaming:
        # read to the end: the test client then closes the file without firing request_finished,
        # whose handler would close the database connection (and the world's transaction with it)
        b"".join(response.streaming_content)
    if code == 302:
        return "L" if urlsplit(response["Location"]).path in LOGIN_PATHS else "R"
    return {200: "2", 403: "F", 404: "N", 405: "M"}.get(code, f"<{code}>")


def _ask(world, method, url, expected):
    """Each role's answer where the table expects one, as the table writes it; and the
    mismatches, as readable lines."""
    answers, wrong = "", []
    for role, want in zip(ROLES, expected, strict=True):
        if want == ".":
            answers += "."
            continue
        client: Client = world["clients"][role]
        response = client.get(url) if method == "GET" else client.post(url, {})
        got = outcome(response)
        answers += got if len(got) == 1 else "?"
        if got != want:
            wrong.append(f"{method} {url} as {role}: {got} (expected {want})")
    if wrong:
        wrong.insert(0, f"{method} {url}: answered {answers}, the table says {expected}")
    return wrong


# --- the tests ---------------------------------------------------------------------------------


def test_csrf_is_enforced_on_posts(world):
    """The matrix posts with Django's test client, which skips CSRF checks; a real browser's POST
    without the token is refused (403) and changes nothing, whoever sends it."""
    targets = [
        (world["staff"], reverse("applicants:review", args=[world["other_applicant"].pk])),
        (world["staff"], reverse("reports:generated_open")),
        (world["leader"], reverse("projects:adjust", args=[world["project"].pk])),
        (world["commune"], reverse("reports:unit_report", args=[world["own_unit_report"].pk])),
    ]
    clients = []
    for user, url in targets:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        clients.append((client, url))
    before = snapshot()
    for client, url in clients:
        assert client.post(url, {"action": "submit"}).status_code == 403, url
    assert changed_tables(before, snapshot()) == []
    # the same users may make these requests: the 403 above was the missing token, not the role
    for client, url in clients:
        client.handler.enforce_csrf_checks = False
        assert client.post(url, {}).status_code != 403, url


def test_every_url_has_a_row():
    """A new URL fails here until the table says who may open it."""
    keys = set(url_keys())
    named = {row[0] for row in table()}
    missing = sorted(keys - named)
    stale = sorted(named - keys)
    assert not missing, "URLs without a row in the access matrix (tests/security): " + ", ".join(missing)
    assert not stale, "rows of the access matrix for URLs that no longer exist: " + ", ".join(stale)


def test_every_row_is_well_formed():
    for row in table():
        assert len(row[2]) == len(row[3]) == len(ROLES), row
        assert set(row[2]) <= set("2LRFNM"), row  # a GET is always checked
        assert set(row[3]) <= set("2LRFNM."), row


@pytest.mark.parametrize("row", table(), ids=_row_id)
def test_get(world, row):
    key, obj, expected, _post = row
    url = url_for(key, obj, world)
    wrong = _ask(world, "GET", url, expected)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("row", table(), ids=_row_id)
def test_a_refused_post_changes_nothing(world, row):
    key, obj, _get, expected = row
    url = url_for(key, obj, world)
    before = snapshot()
    wrong = _ask(world, "POST", url, expected)
    changed = changed_tables(before, snapshot())
    assert not wrong, "\n".join(wrong)
    assert not changed, f"POST {url} by the roles the table refuses changed: {', '.join(changed)}"

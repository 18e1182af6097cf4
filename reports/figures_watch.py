"""What moves the programme's figures (the dashboard, the home page's progress and public
figures, a commune's pre-filled report): any write to the models they read bumps projects.figures'
version, at once and again when the transaction commits (a reader between the two may keep the
old figures under the new version; the second bump retires them). The unit reports' own writes
bump a second version (REPORTING_VERSION_KEY: the dashboard's completeness reads them, the
pre-filled figures do not), so that 104 communes sending on 22/12 do not make each other's
pre-filled figures stale. Connected in ReportsConfig.ready.

Every model of projects, programmes and reports counts unless it holds files or jobs only, and the
applicants' facts the figures group by; the history tables follow their models. The services'
bulk writes (a budget's lines, a unit's figures) go with a saved row of the same change, whose
bump covers them; any other write that sends no signal (queryset.update, bulk_create) waits out
the kept figures' time limit (reports.dashboard.DASHBOARD_SECONDS, reports.home)."""

from functools import partial

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from projects.figures import FIGURES_VERSION_KEY, REPORTING_VERSION_KEY, bump_now

WATCHED_APPS = ("projects", "programmes", "reports")
NOT_FIGURES = frozenset(
    {
        "projects.ProjectCodeCounter",
        "projects.ProjectDocument",
        "reports.UnitReportPdf",
        "reports.UnitReportSignedCopy",
        "reports.ReportRequest",
        "reports.GeneratedReport",
        "reports.GeneratedReportSignedCopy",
    }
)
ALSO_WATCHED = ("applicants.Applicant", "applicants.ArtisanTitle")


def watched_models():
    models = [m for app in WATCHED_APPS for m in apps.get_app_config(app).get_models()]
    models += [apps.get_model(label) for label in ALSO_WATCHED]
    return [m for m in models if m._meta.label not in NOT_FIGURES and not m.__name__.startswith("Historical")]


def _key_of(model) -> str:
    return REPORTING_VERSION_KEY if model._meta.app_label == "reports" else FIGURES_VERSION_KEY


def _changed(sender, **kwargs):
    key = _key_of(sender)
    bump_now(key)
    transaction.on_commit(partial(bump_now, key))


def _m2m_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(sender)  # the through tables of projects' many-to-many fields


def connect():
    for model in watched_models():
        post_save.connect(_changed, sender=model, dispatch_uid=f"figures-{model._meta.label}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"figures-{model._meta.label}-delete")
        for m2m in model._meta.local_many_to_many:
            m2m_changed.connect(
                _m2m_changed, sender=m2m.remote_field.through, dispatch_uid=f"figures-{m2m}-m2m"
            )

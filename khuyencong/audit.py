"""The audit trail's "see all" page (the object's page shows the latest changes; core.audit): one
page for every audited object, for staff and leaders, each object read through its app's scoped
selector so that a row outside the user's scope answers 404. Composed here, the one package that
may import every app."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from accounts.permissions import role_required
from accounts.roles import Role, is_staff_like
from applicants.selectors import applicant_for
from core import audit
from programmes.models import AnnualPlan
from projects.selectors import project_for
from reports.models import ReportRequest, UnitReport
from reports.unit_selectors import unit_report_for

# Every change of one object, up to this many (the page is for reading, not for an export).
FULL_LIMIT = 1000


def _plan(user, pk):
    return get_object_or_404(AnnualPlan.objects.select_related("funding_source"), pk=pk)


def _report_request(user, pk):
    return get_object_or_404(ReportRequest, pk=pk)


def _register():
    from applicants.models import Applicant
    from projects.models import Project

    audit.register_page("co-so", Applicant, applicant_for)
    audit.register_page("de-an", Project, project_for)
    audit.register_page("ke-hoach", AnnualPlan, _plan)
    audit.register_page("bao-cao-don-vi", UnitReport, unit_report_for)
    audit.register_page("bao-cao-tong-hop", ReportRequest, _report_request)


_register()


@role_required(Role.STAFF, Role.LEADER)
def audit_log(request, slug, pk):
    """Every recorded change of one object, newest first; with `?latest=1`, the latest
    AUDIT_LIMIT of them as the fragment the object's page loads when its trail is opened."""
    if slug not in audit.PAGES:
        raise Http404
    _model, getter = audit.PAGES[slug]
    obj = getter(request.user, pk)
    latest = request.GET.get("latest") == "1"
    rows, more = audit.audit_rows(
        *audit.histories_of(obj),
        sees_personal=is_staff_like(request.user),
        limit=audit.AUDIT_LIMIT if latest else FULL_LIMIT,
    )
    if latest:
        context = {"rows": rows, "more": more, "see_all": request.path}
        return render(request, "core/_audit_latest.html", context)
    return render(request, "core/audit_log.html", {"obj": obj, "rows": rows, "more": more})

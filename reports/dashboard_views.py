"""The programme dashboard's page (issue 12 item 4): a thin view over reports.dashboard."""

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from accounts.permissions import role_required
from accounts.roles import Role

from .dashboard import money_rule, programme_dashboard_html
from .selectors import current_programme

READERS = (Role.STAFF, Role.LEADER, Role.OBSERVER)


@role_required(*READERS)
@require_GET
def dashboard(request):
    """Tổng quan chương trình: staff, leaders and observers (read-only, no personal data)."""
    programme = current_programme()
    if programme is None:
        raise Http404

    def body(page):
        return render_to_string("reports/_dashboard_body.html", {"page": page, "money_rule": money_rule()})

    html = programme_dashboard_html(request.user, programme, request.GET, body)
    return render(request, "reports/dashboard.html", {"body": html})

"""The programme dashboard's page (issue 12 item 4): a thin view over reports.dashboard."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import role_required
from accounts.roles import Role

from .dashboard import money_rule, programme_dashboard
from .selectors import current_programme

READERS = (Role.STAFF, Role.LEADER, Role.OBSERVER)


@role_required(*READERS)
@require_GET
def dashboard(request):
    """Tổng quan chương trình: staff, leaders and observers (read-only, no personal data)."""
    programme = current_programme()
    if programme is None:
        raise Http404
    page = programme_dashboard(request.user, programme, request.GET)
    return render(request, "reports/dashboard.html", {"page": page, "money_rule": money_rule()})

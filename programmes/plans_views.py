"""The staff pages of annual plans (issue 12): the plans by year and source with their versions,
and one plan with its items and history. Staff and leaders only; read-only for now (the steps go
through programmes.plans)."""

from django.shortcuts import get_object_or_404, render

from accounts.permissions import role_required
from accounts.roles import Role
from core.workflow import timeline

from . import plans_workflow
from .models import AnnualPlan

MANAGERS = (Role.STAFF, Role.LEADER)


@role_required(*MANAGERS)
def plan_list(request):
    plans = AnnualPlan.objects.select_related("funding_source").order_by(
        "-year", "funding_source__sort_order", "-revision"
    )
    return render(request, "programmes/plan_list.html", {"plans": plans})


@role_required(*MANAGERS)
def plan_detail(request, pk):
    plan = get_object_or_404(AnnualPlan.objects.select_related("funding_source", "previous"), pk=pk)
    items = list(plan.items.select_related("activity", "variant").prefetch_related("communes"))
    events = plan.events.select_related("actor")
    return render(
        request,
        "programmes/plan_detail.html",
        {
            "plan": plan,
            "items": items,
            "total_support": sum(i.planned_support for i in items),
            "total_counterpart": sum(i.expected_counterpart for i in items),
            "history": timeline(plans_workflow.STEPS, events),
        },
    )

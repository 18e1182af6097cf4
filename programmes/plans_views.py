"""The staff pages of annual plans (issue 12), staff and leaders only: the plans by year and source
with their versions; a new plan; the items of a draft plan (add, edit, delete); the steps of
programmes.plans_workflow (submit, return, approve with the decision), each on its own form as the
project's steps are; an adjustment of the plan in force (a new draft version). Every write goes
through programmes.plans. The plan's own page, with its figures against the đề án, is
projects.plan_pages.plan_detail (it reads projects; this app may not)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, user_roles
from core.forms import apply_service_errors
from core.workflow import timeline

from . import plans, plans_workflow
from .models import AnnualPlan, PlanItem
from .plans_forms import AdjustmentForm, PlanForm, PlanItemForm, PlanStepForm

MANAGERS = (Role.STAFF, Role.LEADER)


def plan_page(user, plan: AnnualPlan) -> dict:
    """What the plan's page shows of the plan itself for `user`: items, versions, history, the
    steps the user may take and whether items may be edited or the plan adjusted."""
    items = list(plan.items.select_related("activity", "variant").prefetch_related("communes"))
    versions = list(plans.plan_versions(plan))
    editor = bool(user_roles(user) & plans.EDITORS)
    return {
        "plan": plan,
        "items": items,
        "total_support": sum(i.planned_support for i in items),
        "total_counterpart": sum(i.expected_counterpart for i in items),
        "history": timeline(plans_workflow.STEPS, plan.events.select_related("actor")),
        "versions": versions,
        "steps": plans_workflow.WORKFLOW.steps_for(user, plan.status),
        "may_edit": editor and plan.status == AnnualPlan.Status.DRAFT,
        "may_adjust": editor
        and plan.status == AnnualPlan.Status.APPROVED
        and plan.revision == max(v.revision for v in versions),
    }


@role_required(*MANAGERS)
def plan_list(request):
    plans_ = AnnualPlan.objects.select_related("funding_source").order_by(
        "-year", "funding_source__sort_order", "-revision"
    )
    return render(request, "programmes/plan_list.html", {"plans": plans_})


@role_required(*MANAGERS)
def plan_create(request):
    latest = AnnualPlan.objects.aggregate(y=Max("year"))["y"]
    form = PlanForm(request.POST or None, initial={"year": (latest + 1) if latest else None})
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.plan_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã lập %(plan)s.") % {"plan": plan})
            return redirect("programmes:plan_detail", pk=plan.pk)
    return render(request, "programmes/plan_form.html", {"form": form})


def _item_form(request, plan, item=None):
    initial = {"version": plan.version}
    if item is not None:
        initial.update({name: getattr(item, name) for name in plans.ITEM_FIELDS})
        initial["communes"] = list(item.communes.all())
    form = PlanItemForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plans.plan_item_save(
                user=request.user,
                plan=plan,
                item=item,
                data=form.item_data(),
                communes=form.cleaned_data["communes"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu mục kế hoạch."))
            return redirect("programmes:plan_detail", pk=plan.pk)
    return render(request, "programmes/plan_item_form.html", {"plan": plan, "item": item, "form": form})


@role_required(*MANAGERS)
def plan_item_add(request, pk):
    return _item_form(request, get_object_or_404(AnnualPlan, pk=pk))


@role_required(*MANAGERS)
def plan_item_edit(request, pk, item_pk):
    plan = get_object_or_404(AnnualPlan, pk=pk)
    return _item_form(request, plan, get_object_or_404(PlanItem, pk=item_pk, plan=plan))


@require_POST
@role_required(*MANAGERS)
def plan_item_delete(request, pk, item_pk):
    item = get_object_or_404(PlanItem, pk=item_pk, plan_id=pk)
    try:
        # the version the page was opened on: a missing one is refused like a stale one
        plans.plan_item_delete(user=request.user, item=item, expected_version=_posted_version(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã xóa mục kế hoạch."))
    return redirect("programmes:plan_detail", pk=pk)


def _posted_version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1  # never a plan's version: refused as stale


@role_required(*MANAGERS)
def plan_step(request, pk, step):
    plan = get_object_or_404(AnnualPlan.objects.select_related("funding_source"), pk=pk)
    spec = plans_workflow.STEPS_BY_KEY.get(step)
    if spec is None:
        raise Http404
    if spec not in plans_workflow.WORKFLOW.steps_for(request.user, plan.status):
        messages.error(request, _("Bạn không thể thực hiện bước này ở trạng thái hiện tại."))
        return redirect("programmes:plan_detail", pk=pk)
    # a step without fields posts nothing but the token: bound all the same
    form = PlanStepForm(
        request.POST if request.method == "POST" else None, step=spec, initial={"version": plan.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            plans.plan_transition(
                user=request.user,
                plan=plan,
                step=step,
                data=form.step_data(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã thực hiện: %(step)s.") % {"step": spec.label})
            return redirect("programmes:plan_detail", pk=pk)
    return render(request, "programmes/plan_step.html", {"plan": plan, "form": form, "step": spec})


@role_required(*MANAGERS)
def plan_adjust(request, pk):
    plan = get_object_or_404(AnnualPlan.objects.select_related("funding_source"), pk=pk)
    form = AdjustmentForm(request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        try:
            new = plans.plan_adjustment_start(
                user=request.user,
                plan=plan,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "adjustment_reason" in error.error_dict:
                form.add_error("reason", error.error_dict["adjustment_reason"])
            else:
                apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã lập bản điều chỉnh: %(plan)s.") % {"plan": new})
            return redirect("programmes:plan_detail", pk=new.pk)
    return render(request, "programmes/plan_adjust.html", {"plan": plan, "form": form})

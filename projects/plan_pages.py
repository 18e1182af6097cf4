"""Plans and đề án together (issue 12), staff and leaders only: the plan's page with its figures
against the đề án (plan against reality) and the same table as XLSX; on the project page, the plan
item of a one-year đề án and the yearly shares of a multi-year one. The plan's page lives here
because it reads projects (programmes may not); its URL keeps the programmes namespace
(khuyencong.urls composes it)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, user_roles
from core.forms import apply_service_errors
from core.spreadsheets import Sheet, workbook_response
from programmes.models import AnnualPlan, PlanItem
from programmes.plans_views import plan_page

from .models import APPROVED_STATUSES, Status
from .plan_forms import PlanItemPickForm, PlanSharesForm
from .selectors import project_for
from .selectors_plans import plan_items_for, plan_reality
from .services.plans import project_plan_item_set, project_plan_shares_set

MANAGERS = (Role.STAFF, Role.LEADER)
FIGURES = ("committed", "contracted", "disbursed", "settled")


def _plan(pk) -> AnnualPlan:
    return get_object_or_404(
        AnnualPlan.objects.select_related("funding_source", "previous", "programme"), pk=pk
    )


@role_required(*MANAGERS)
def plan_detail(request, pk):
    plan = _plan(pk)
    return render(
        request,
        "programmes/plan_detail.html",
        plan_page(request.user, plan) | {"reality": plan_reality(plan)},
    )


def reality_sheet(reality) -> Sheet:
    """The plan against reality as one sheet, the page's table cell for cell (money as numbers)."""
    others = reality.other_sources
    header = [
        _("STT"),
        _("Hoạt động"),
        _("Số lượng kế hoạch"),
        _("Số lượng đạt được"),
        _("Kinh phí kế hoạch"),
        _("Đã phê duyệt"),
        _("Đã ký hợp đồng"),
        _("Đã giải ngân"),
        _("Đã quyết toán"),
        *[_("%(source)s đã phê duyệt") % {"source": s.short_name} for s in others],
        _("Vượt kế hoạch"),
    ]

    def cells(label_cells, r):
        over = ", ".join(str(_over_label(name)) for name in r.over)
        return [
            *label_cells,
            r.planned_quantity,
            r.achieved,
            r.planned,
            *[getattr(r, name) for name in FIGURES],
            *r.other_cells,
            over,
        ]

    rows = [cells([r.line, _row_label(r)], r) for r in reality.rows]
    rows.append(cells(["", _("Tổng cộng")], reality.total))
    return Sheet(
        name=_("Đối chiếu"),
        title=_("%(plan)s: kế hoạch và thực hiện") % {"plan": reality.plan},
        header_rows=[header],
        rows=rows,
        money=tuple(range(4, 9 + len(others))),
    )


def _row_label(r) -> str:
    if r.item is None:
        return _("Mục %(line)s (không còn trong phiên bản này)") % {"line": r.line}
    item = r.item
    variant = f" ({item.variant.label})" if item.variant_id else ""
    text = f"{item.activity.code} {item.activity.short_label}{variant}"
    return f"{text}: {item.label}" if item.label else text


def _over_label(name):
    return {
        "committed": _("đã phê duyệt"),
        "contracted": _("đã ký hợp đồng"),
        "disbursed": _("đã giải ngân"),
        "settled": _("đã quyết toán"),
        "achieved": _("số lượng"),
    }[name]


@role_required(*MANAGERS)
def plan_reality_xlsx(request, pk):
    plan = _plan(pk)
    name = f"ke-hoach-{plan.funding_source.code}-{plan.year}-{plan.revision}-doi-chieu.xlsx".lower()
    return workbook_response(name, [reality_sheet(plan_reality(plan))])


# --- on the project page ---------------------------------------------------------------------


def project_plan_context(user, project) -> dict:
    """What the project page shows of the plan: the item (and the shares of a multi-year đề án)
    and, for staff and leaders while the đề án is not approved, the form to pick the item."""
    shares = list(
        project.plan_shares.select_related("plan_item__plan__funding_source", "plan_item__activity").order_by(
            "year"
        )
    )
    if not shares and project.plan_item_id:
        # what the page prints of the item, in one query: its plan and the plan's fund, its
        # activity and variant (PlanItem.__str__)
        project.plan_item = PlanItem.objects.select_related(
            "plan__funding_source", "activity", "variant"
        ).get(pk=project.plan_item_id)
    open_ = project.status not in (*APPROVED_STATUSES, Status.REJECTED, Status.CANCELLED)
    context = {"plan_shares": shares, "plan_item_form": None, "plan_shares_open": False}
    if open_ and user_roles(user) & {Role.STAFF, Role.LEADER}:
        if not shares:
            items = plan_items_for(project, from_year=project.year).get(project.year, [])
            context["plan_item_form"] = PlanItemPickForm(
                items=items, initial={"plan_item": project.plan_item_id}
            )
        context["plan_shares_open"] = True
    return context


@require_POST
@role_required(*MANAGERS)
def project_plan_item(request, pk):
    project = project_for(request.user, pk)
    items = plan_items_for(project, from_year=project.year).get(project.year, [])
    form = PlanItemPickForm(request.POST, items=items)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("plan_item", [])))
        return redirect("projects:detail", pk=pk)
    try:
        project_plan_item_set(user=request.user, project=project, item=form.cleaned_data["plan_item"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã ghi mục kế hoạch của đề án."))
    return redirect("projects:detail", pk=pk)


@role_required(*MANAGERS)
def project_plan_shares(request, pk):
    project = project_for(request.user, pk)
    items_by_year = plan_items_for(project)
    initial = {}
    for share in project.plan_shares.all():
        initial[f"item_{share.year}"] = share.plan_item_id
        initial[f"amount_{share.year}"] = share.amount
    form = PlanSharesForm(request.POST or None, items_by_year=items_by_year, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project_plan_shares_set(user=request.user, project=project, shares=form.shares())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã ghi kinh phí theo năm của đề án."))
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/plan_shares.html", {"project": project, "form": form})

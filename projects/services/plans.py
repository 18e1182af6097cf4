"""Đề án on plan items (issue 12): a đề án is attached to an item of the plan of its year and lead
fund; from approval on, once that plan is approved, it must be; approving it beyond what the
item plans warns or is refused as programmes.ApprovalRules.plan_exceed says (warn by default)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import Role, user_roles
from core.money import format_vnd
from core.workflow import StepContext
from programmes.models import AnnualPlan, ApprovalRules, PlanExceedRule, PlanItem
from programmes.plans import plan_in_force

from ..models import APPROVED_STATUSES, Project, Status
from ..selectors_plans import committed_on_line
from .common import lock_project

ATTACH_ROLES = frozenset({Role.STAFF, Role.LEADER})


def _check_item_fits(project: Project, item: PlanItem) -> None:
    plan = item.plan
    if plan.year != project.year or plan.funding_source_id != project.lead_fund_id:
        raise ValidationError(
            {
                "plan_item": _("Mục kế hoạch phải thuộc kế hoạch %(source)s năm %(year)s của đề án.")
                % {"source": project.lead_fund.short_name, "year": project.year}
            }
        )
    if item.activity_id != project.activity_id or (item.variant_id and item.variant_id != project.variant_id):
        raise ValidationError({"plan_item": _("Mục kế hoạch là của hoạt động khác với đề án.")})


@transaction.atomic
def project_plan_item_set(*, user, project: Project, item: PlanItem | None) -> Project:
    """Staff attach a đề án (not yet approved) to an item of its year's plan, or detach it."""
    if not (user_roles(user) & ATTACH_ROLES):
        raise ValidationError(_("Bạn không có quyền gắn đề án vào kế hoạch."), code="forbidden")
    project = lock_project(project)
    if project.status in APPROVED_STATUSES or project.status in (Status.REJECTED, Status.CANCELLED):
        raise ValidationError(
            _("Đề án đã phê duyệt hoặc đã đóng: đổi mục kế hoạch phải điều chỉnh bằng quyết định."),
            code="not_editable",
        )
    if item is not None:
        item = PlanItem.objects.select_related("plan").get(pk=item.pk)
        _check_item_fits(project, item)
    project.plan_item = item
    project.save(update_fields=["plan_item", "updated_at"])
    return project


def check_plan_item(context: StepContext, amounts: dict) -> None:
    """At approval: once the plan of the đề án's year and lead fund is approved, the đề án is on
    one of its items (whose line the plan in force still has); the plan source's support approved,
    added to what the line has committed, stays within the item's planned support, or the rule
    decides: a warning kept in the row's comment (and context.extra["plan_warning"]) or a refusal."""
    project = context.obj
    plan = plan_in_force(year=project.year, funding_source=project.lead_fund)
    if plan is None:
        return
    item = PlanItem.objects.select_related("plan").filter(pk=project.plan_item_id).first()
    if item is None:
        raise ValidationError(
            _("Đề án phải thuộc một mục của kế hoạch %(plan)s đã phê duyệt trước khi phê duyệt đề án.")
            % {"plan": plan},
            code="plan_item_required",
        )
    _check_item_fits(project, item)
    if item.plan.status != AnnualPlan.Status.APPROVED:
        raise ValidationError(
            {"plan_item": _("Mục kế hoạch thuộc một phiên bản kế hoạch chưa được phê duyệt.")}
        )
    in_force = plan.items.filter(line=item.line).first()
    if in_force is None:
        raise ValidationError(
            {"plan_item": _("Mục %(line)s không còn trong kế hoạch đang áp dụng.") % {"line": item.line}}
        )
    _check_exceed(
        context, plan, in_force, sum(a for s, a in amounts.items() if s.pk == plan.funding_source_id)
    )


def _check_exceed(context: StepContext, plan: AnnualPlan, item: PlanItem, amount: int) -> None:
    committed = committed_on_line(plan, item.line, exclude=context.obj)
    if committed + amount <= item.planned_support:
        return
    message = _(
        "Kinh phí duyệt (%(amount)s) cộng số đã cam kết (%(committed)s) vượt kinh phí dự kiến của mục "
        "%(line)s trong kế hoạch (%(planned)s)."
    ) % {
        "amount": format_vnd(amount),
        "committed": format_vnd(committed),
        "line": item.line,
        "planned": format_vnd(item.planned_support),
    }
    if ApprovalRules.current().plan_exceed == PlanExceedRule.REFUSE:
        raise ValidationError({"amounts": ValidationError(message, code="plan_exceeded")})
    context.row.comment = (context.row.comment + "\n" + message).strip()
    context.extra["plan_warning"] = message

"""Đề án on plan items (issue 12): a đề án is attached to an item of the plan of its year and lead
fund; from approval on, once that plan is approved, it must be; approving it beyond what the
item plans warns or is refused as programmes.ApprovalRules.plan_exceed says (warn by default).

A multi-year đề án (đề án điểm) has a share of its lead-fund support in each year it spends
(projects.PlanShare), each on an item of that year's plan: the shares add up to the approved
lead-fund support, each is checked against its own line, and an adjustment keeps them adding up."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.roles import Role, user_roles
from core.money import format_vnd
from core.workflow import StepContext
from programmes.models import AnnualPlan, ApprovalRules, PlanExceedRule, PlanItem
from programmes.plans import plan_in_force

from ..models import APPROVED_STATUSES, PlanShare, Project, Status
from ..selectors_plans import committed_on_line
from .common import lock_project

ATTACH_ROLES = frozenset({Role.STAFF, Role.LEADER})


def _check_item_fits(project: Project, item: PlanItem, year: int | None = None) -> None:
    plan = item.plan
    year = project.year if year is None else year
    if plan.year != year or plan.funding_source_id != project.lead_fund_id:
        raise ValidationError(
            {
                "plan_item": _("Mục kế hoạch phải thuộc kế hoạch %(source)s năm %(year)s của đề án.")
                % {"source": project.lead_fund.short_name, "year": year}
            }
        )
    if item.activity_id != project.activity_id or (item.variant_id and item.variant_id != project.variant_id):
        raise ValidationError({"plan_item": _("Mục kế hoạch là của hoạt động khác với đề án.")})


def _require_open(user, project: Project) -> Project:
    if not (user_roles(user) & ATTACH_ROLES):
        raise ValidationError(_("Bạn không có quyền gắn đề án vào kế hoạch."), code="forbidden")
    project = lock_project(project)
    if project.status in APPROVED_STATUSES or project.status in (Status.REJECTED, Status.CANCELLED):
        raise ValidationError(
            _("Đề án đã phê duyệt hoặc đã đóng: đổi mục kế hoạch phải điều chỉnh bằng quyết định."),
            code="not_editable",
        )
    return project


@transaction.atomic
def project_plan_item_set(*, user, project: Project, item: PlanItem | None) -> Project:
    """Staff attach a đề án (not yet approved) to an item of its year's plan, or detach it. A
    multi-year đề án's item is its first share's (project_plan_shares_set)."""
    project = _require_open(user, project)
    if project.plan_shares.exists():
        raise ValidationError(
            {"plan_item": _("Đề án nhiều năm: đổi mục kế hoạch ở phần kinh phí theo năm.")},
            code="has_shares",
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
    decides: a warning kept in the row's comment (and context.extra["plan_warning"]) or a refusal.
    A multi-year đề án is checked by its shares (_check_shares)."""
    project = context.obj
    lead_amount = sum(a for s, a in amounts.items() if s.pk == project.lead_fund_id)
    shares = list(project.plan_shares.select_related("plan_item"))
    if shares:
        _check_shares(context, shares, lead_amount)
        return
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
    context.extra["plan_warning"] = (context.extra.get("plan_warning", "") + "\n" + message).strip()


def _clean_shares(project: Project, shares) -> list[PlanShare]:
    """The shares as rows (unsaved), checked: one per year, the first in the đề án's year, each on
    an item of that year's plan of the lead fund and the đề án's activity, amounts not negative."""
    rows = []
    for share in shares:
        item = PlanItem.objects.select_related("plan").get(pk=share["plan_item"].pk)
        _check_item_fits(project, item, year=item.plan.year)
        amount = int(share.get("amount") or 0)
        if amount < 0:
            raise ValidationError({"amount": _("Số tiền không được âm.")})
        rows.append(PlanShare(project=project, plan_item=item, year=item.plan.year, amount=amount))
    rows.sort(key=lambda r: r.year)
    years = [r.year for r in rows]
    if len(set(years)) != len(years):
        raise ValidationError(_("Mỗi năm chỉ có một phần kinh phí."), code="share_year_twice")
    if len(rows) < 2:
        raise ValidationError(
            _("Đề án nhiều năm cần phần kinh phí của ít nhất hai năm; đề án một năm chỉ chọn mục kế hoạch."),
            code="one_share",
        )
    if years[0] != project.year:
        raise ValidationError(
            _("Năm đầu của đề án nhiều năm phải là năm kế hoạch của đề án (%(year)s).")
            % {"year": project.year},
            code="first_share_year",
        )
    return rows


def _replace_shares(project: Project, rows: list[PlanShare]) -> None:
    project.plan_shares.all().delete()
    PlanShare.objects.bulk_create(rows)
    if rows:
        project.plan_item = rows[0].plan_item
        project.save(update_fields=["plan_item", "updated_at"])


@transaction.atomic
def project_plan_shares_set(*, user, project: Project, shares) -> list[PlanShare]:
    """Staff or a leader set a multi-year đề án's yearly shares before approval: `shares` a list of
    {"plan_item": PlanItem, "amount": int}, one per year (see _clean_shares); the earliest year's
    item becomes Project.plan_item. An empty list makes it a one-year đề án again (its item kept).
    That the shares add up to the lead-fund support is checked at approval (check_plan_item)."""
    project = _require_open(user, project)
    rows = _clean_shares(project, shares) if shares else []
    _replace_shares(project, rows)
    return rows


def shares_after_adjustment(project: Project, lead_amount: int, shares=None) -> None:
    """An adjustment of an approved multi-year đề án: with new `shares` they replace the old
    (checked like project_plan_shares_set); either way the shares must add up to the adjusted
    lead-fund support, or nothing changes."""
    if shares is not None:
        _replace_shares(project, _clean_shares(project, shares) if shares else [])
    total = project.plan_shares.aggregate(t=Sum("amount"))["t"]
    if total is not None and total != lead_amount:
        raise ValidationError(
            _(
                "Đề án nhiều năm: tổng kinh phí theo năm (%(shares)s) phải bằng kinh phí nguồn chủ trì "
                "sau điều chỉnh (%(lead)s); điều chỉnh kèm phần kinh phí theo năm mới."
            )
            % {"shares": format_vnd(total), "lead": format_vnd(lead_amount)},
            code="shares_mismatch",
        )


def _check_shares(context: StepContext, shares: list[PlanShare], lead_amount: int) -> None:
    """At approval of a multi-year đề án: the shares add up to the approved lead-fund support,
    each share's item is on the line of its year's plan in force, and each line takes its share
    (the exceed rule per line)."""
    total = sum(s.amount for s in shares)
    if total != lead_amount:
        raise ValidationError(
            {
                "amounts": ValidationError(
                    _(
                        "Tổng kinh phí theo năm của đề án (%(shares)s) phải bằng kinh phí nguồn chủ trì "
                        "được duyệt (%(lead)s)."
                    )
                    % {"shares": format_vnd(total), "lead": format_vnd(lead_amount)},
                    code="shares_mismatch",
                )
            }
        )
    project = context.obj
    for share in shares:
        plan = plan_in_force(year=share.year, funding_source=project.lead_fund)
        in_force = plan.items.filter(line=share.plan_item.line).first() if plan else None
        if in_force is None:
            raise ValidationError(
                {
                    "plan_item": _(
                        "Phần kinh phí năm %(year)s phải thuộc một mục của kế hoạch đã phê duyệt năm đó."
                    )
                    % {"year": share.year}
                },
                code="share_not_in_plan",
            )
        _check_exceed(context, plan, in_force, share.amount)

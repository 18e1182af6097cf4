"""The handlers of the project's workflow steps (projects.workflow names one per step that has
work of its own). The engine (core.workflow.apply_step) has already checked the role, the state
and the required fields and copied the declared fields onto the history row and the project; a
handler adds the step's own checks and figures. A ValidationError here changes nothing: the
caller's transaction rolls back."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.eligibility import check_beneficiaries
from core.money import format_vnd
from core.workflow import StepContext
from programmes.models import FundingSource

from ..models import ProjectTransition
from . import documents  # a module reference: documents -> selectors -> workflow -> here
from .budget import (
    Lines,
    apply_ceiling,
    approved_lines,
    budget_lines,
    check_lines_add_up,
    next_budget_number,
    state_support,
    write_budget,
)
from .common import paid


def step_amounts(context: StepContext) -> Lines:
    """The step's amounts by state-support source, cleaned once (kept in context.extra, which
    project_transition writes as the row's amounts); the lead fund is required."""
    if "amounts" in context.extra:
        return context.extra["amounts"]
    field = context.step.field("amounts")
    cleaned = {}
    if field is not None:
        cleaned = _clean_amounts(context.obj, context.data.get("amounts"), field.label)
    context.extra["amounts"] = cleaned
    return cleaned


def _clean_amounts(project, amounts: dict | None, label) -> Lines:
    sources = {s.code: s for s in FundingSource.objects.filter(is_state_support=True)}
    cleaned = {}
    for code, amount in (amounts or {}).items():
        if amount in (None, ""):
            continue
        if code not in sources:
            raise ValidationError(
                {"amounts": _("Nguồn %(code)s không phải kinh phí hỗ trợ của Nhà nước.") % {"code": code}}
            )
        if int(amount) < 0:
            raise ValidationError({"amounts": _("Số tiền không được âm.")})
        cleaned[sources[code]] = int(amount)
    if project.lead_fund not in cleaned:
        raise ValidationError(
            {
                "amounts": _("Thiếu %(label)s của nguồn chủ trì %(fund)s.")
                % {"label": label, "fund": project.lead_fund.short_name}
            }
        )
    return cleaned


def submit(context: StepContext) -> None:
    """Every beneficiary may receive the support (applicants.eligibility), the activity's proposal
    documents are in, the lines add up, and the draft is held to the ceiling in force today (a
    flag, when no rule is set, goes into the row's comment)."""
    project, row = context.obj, context.row
    check_beneficiaries(project.beneficiaries.all(), year=project.year, activity=project.activity)
    missing = documents.missing_documents(project, "submit")
    if missing:
        raise ValidationError(
            _("Chưa đủ tài liệu để trình: %(docs)s.")
            % {"docs": ", ".join(str(r.get_kind_display()) for r in missing)}
        )
    lines = budget_lines(project)
    check_lines_add_up(lines, project.total_cost)
    check = apply_ceiling(project, support=state_support(lines), on_date=timezone.localdate())
    if check.flagged:
        row.comment = (row.comment + "\n" + check.message).strip()


def appraise(context: StepContext) -> None:
    if context.data["appraisal_result"] not in ProjectTransition.AppraisalResult.values:
        raise ValidationError({"appraisal_result": _("Kết quả thẩm định là Đạt hoặc Không đạt.")})


def _check_within_lines(amounts: Lines, lines: Lines) -> None:
    for source, amount in amounts.items():
        if amount > lines.get(source, 0):
            raise ValidationError(
                {
                    "amounts": _("Kinh phí duyệt của nguồn %(source)s (%(amount)s) vượt dự toán (%(line)s).")
                    % {
                        "source": source.short_name,
                        "amount": format_vnd(amount),
                        "line": format_vnd(lines.get(source, 0)),
                    }
                }
            )


def approve(context: StepContext) -> None:
    """The decision is dated today at the latest; each source's approved support stays within its
    line and the whole within the ceiling in force on the decision date. When the decision cuts
    the support, its budget becomes current (the proposal stays in history)."""
    project, row, data = context.obj, context.row, context.data
    amounts = step_amounts(context)
    total = sum(amounts.values())
    lines = budget_lines(project)
    if data["decision_date"] > timezone.localdate():
        raise ValidationError({"decision_date": _("Ngày quyết định không được sau hôm nay.")})
    _check_within_lines(amounts, lines)
    apply_ceiling(project, support=total, on_date=data["decision_date"])
    approved = approved_lines(lines, amounts)
    if approved != lines:
        project.current_budget = write_budget(
            project,
            lines=approved,
            number=next_budget_number(project),
            user=context.user,
            decision_number=row.decision_number,
            decision_date=row.decision_date,
            reason=_("Kinh phí hỗ trợ theo quyết định phê duyệt"),
        )
    project.state_support = project.approved_support = total


def contract(context: StepContext) -> None:
    """The contract is worth the approved support (another figure needs an adjustment decision)
    and is signed on or after the decision."""
    project, data = context.obj, context.data
    value = int(data["contract_value"])
    if value != project.approved_support:
        raise ValidationError(
            {
                "contract_value": _(
                    "Giá trị hợp đồng (%(value)s) phải bằng kinh phí hỗ trợ được duyệt (%(approved)s); muốn khác phải điều chỉnh bằng quyết định."
                )
                % {"value": format_vnd(value), "approved": format_vnd(project.approved_support or 0)}
            }
        )
    if project.decision_date and data["contract_date"] < project.decision_date:
        raise ValidationError(
            {"contract_date": _("Ngày ký hợp đồng không được trước ngày quyết định phê duyệt.")}
        )


def start(context: StepContext) -> None:
    project = context.obj
    if project.contract_date and context.data["start_date"] < project.contract_date:
        raise ValidationError({"start_date": _("Ngày bắt đầu không được trước ngày ký hợp đồng.")})


def accept(context: StepContext) -> None:
    """The accepted support stays within the contract and the accepted cost, and is not below what
    was already advanced (every payment stays within the accepted support, workflow.md)."""
    project, data = context.obj, context.data
    total = sum(step_amounts(context).values())
    accepted_cost = int(data["accepted_cost"])
    if accepted_cost < 0:
        raise ValidationError({"accepted_cost": _("Số tiền không được âm.")})
    if total > (project.contract_value or 0):
        raise ValidationError(
            {
                "amounts": _("Kinh phí hỗ trợ nghiệm thu vượt giá trị hợp đồng (%(value)s).")
                % {"value": format_vnd(project.contract_value or 0)}
            }
        )
    if total > accepted_cost:
        raise ValidationError({"amounts": _("Kinh phí hỗ trợ nghiệm thu vượt tổng kinh phí nghiệm thu.")})
    already = paid(project)
    if total < already:
        raise ValidationError(
            {
                "amounts": _(
                    "Kinh phí hỗ trợ nghiệm thu (%(value)s) thấp hơn số đã tạm ứng (%(paid)s): "
                    "thu hồi phần tạm ứng thừa trước khi nghiệm thu."
                )
                % {"value": format_vnd(total), "paid": format_vnd(already)}
            }
        )
    if project.started_on and data["acceptance_date"] < project.started_on:
        raise ValidationError(
            {"acceptance_date": _("Ngày nghiệm thu không được trước ngày bắt đầu thực hiện.")}
        )
    project.accepted_support = total


def settle(context: StepContext) -> None:
    """The settled support stays within the accepted support and equals what was paid."""
    project = context.obj
    total = sum(step_amounts(context).values())
    if total > (project.accepted_support or 0):
        raise ValidationError(
            {
                "amounts": _("Kinh phí hỗ trợ quyết toán vượt kinh phí hỗ trợ nghiệm thu (%(value)s).")
                % {"value": format_vnd(project.accepted_support or 0)}
            }
        )
    already = paid(project)
    if already != total:
        raise ValidationError(
            _("Các khoản đã chi (%(paid)s) phải bằng kinh phí hỗ trợ quyết toán (%(support)s).")
            % {"paid": format_vnd(already), "support": format_vnd(total)}
        )
    project.actual_support = total
    project.settled_on = timezone.localdate()

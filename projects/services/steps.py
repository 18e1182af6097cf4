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
from programmes.models import ApprovalRules, FundingSource
from programmes.plans_steps import check_issuer

from ..models import ProjectTransition
from . import documents  # a module reference: documents -> selectors -> workflow -> here
from .budget import (
    Lines,
    apply_ceiling,
    approved_lines,
    budget_lines,
    check_lines_add_up,
    next_budget_number,
    require_cap_units,
    require_legal_basis,
    state_support,
    write_budget,
)
from .money import check_beneficiary_shares, check_paid_by_fund, check_support_after_approval, net_paid
from .plans import check_plan_item
from .reductions import reduced_approval


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
    check = apply_ceiling(project, lines=lines, on_date=timezone.localdate())
    if check.flagged:
        row.comment = (row.comment + "\n" + check.message).strip()


def preparers(project) -> set:
    """The ids of the users who prepared the đề án: the one who created it (`Project.created_by`)
    and the one who last submitted it for appraisal (the actor of its latest `submit` row). An
    earlier submitter of a đề án returned and resubmitted by someone else no longer counts."""
    last_submitter = (
        project.transitions.filter(step="submit")
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    return {pk for pk in (project.created_by_id, last_submitter) if pk is not None}


def _appraisal(context: StepContext, result: str) -> None:
    """Both appraisal steps: the appraiser is not who prepared the đề án while
    programmes.ApprovalRules says so (on by default), the sheet is dated today at the latest, and
    the row records the result its step stands for (TT 36/2013/TT-BCT: phiếu thẩm định 4a/4b)."""
    rules = ApprovalRules.current()
    if rules.appraiser_not_preparer and context.user.pk in preparers(context.obj):
        raise ValidationError(
            _(
                "Người thẩm định không được là người lập đề án (người tạo hoặc người trình thẩm định "
                "gần nhất), theo %(basis)s."
            )
            % {"basis": rules.legal_basis},
            code="appraiser_is_preparer",
        )
    if context.data["appraisal_date"] > timezone.localdate():
        raise ValidationError(
            {
                "appraisal_date": ValidationError(
                    _("Ngày thẩm định không được sau hôm nay."), code="future_date"
                )
            }
        )
    context.row.appraisal_result = result


def appraise(context: StepContext) -> None:
    """A passing appraisal (đạt): the đề án goes on to a leader's decision."""
    _appraisal(context, ProjectTransition.AppraisalResult.PASS)


def appraise_fail(context: StepContext) -> None:
    """A failed appraisal (không đạt): the đề án goes back with what must change (the comment)."""
    _appraisal(context, ProjectTransition.AppraisalResult.FAIL)


def _passing_appraisal(project) -> ProjectTransition:
    """The latest appraisal of the đề án, which must be a pass (a row written before the
    appraise_fail step existed may say fail on an appraised đề án)."""
    row = project.transitions.filter(step__in=("appraise", "appraise_fail")).order_by("-at", "-id").first()
    if row is None or row.appraisal_result != ProjectTransition.AppraisalResult.PASS:
        raise ValidationError(
            _(
                "Đề án chưa được thẩm định đạt nên không thể phê duyệt: trả lại để bổ sung hoặc không phê duyệt."
            ),
            code="appraisal_not_passed",
        )
    return row


def _check_issuer(project, issuer: str) -> None:
    """The decision's issuer is one the lead fund allows (programmes.DecisionIssuer: KCQG by the
    Minister; KCĐP by the provincial chairman or as the provincial rules delegate); the one check
    plans share (programmes.plans_steps.check_issuer)."""
    check_issuer(
        project.lead_fund, issuer, _("Quyết định phê duyệt đề án nguồn %(fund)s do %(allowed)s ban hành.")
    )


def _check_decision_dates(data: dict, appraisal: ProjectTransition) -> None:
    if data["decision_date"] > timezone.localdate():
        raise ValidationError({"decision_date": _("Ngày quyết định không được sau hôm nay.")})
    if appraisal.appraisal_date and data["decision_date"] < appraisal.appraisal_date:
        raise ValidationError(
            {
                "decision_date": ValidationError(
                    _("Ngày quyết định không được trước ngày thẩm định (%(day)s).")
                    % {"day": appraisal.appraisal_date.strftime("%d/%m/%Y")},
                    code="decision_before_appraisal",
                )
            }
        )


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
    """A leader's decision on a passing appraisal, dated between the appraisal and today, by an
    issuer the lead fund allows; each source's approved support stays within its line, each state
    line within its own fund's rule in force on the decision date and the total within the
    stricter (programmes.ceilings.lines_check), with the units a per-facility cap counts known; a
    line with no rule needs the legal basis used. The rule and limit of each line are kept on the
    row's amounts. Less support than proposed needs the counterpart commitment or a smaller scale;
    the decision's budget then becomes current (the proposal stays in history)."""
    project, row, data = context.obj, context.row, context.data
    appraisal = _passing_appraisal(project)
    _check_decision_dates(data, appraisal)
    _check_issuer(project, data["issuer"])
    amounts = step_amounts(context)
    total = sum(amounts.values())
    lines = budget_lines(project)
    _check_within_lines(amounts, lines)
    check_plan_item(context, amounts)  # issue 12: on a plan item, within it (or warned)
    counterpart_takes_cut = reduced_approval(context, state_support(lines) - total)
    check = apply_ceiling(project, lines=amounts, on_date=data["decision_date"])
    require_cap_units(project, check)
    require_legal_basis(check, data.get("legal_basis"), data["decision_date"])
    context.extra["ceiling"] = check
    approved = approved_lines(lines, amounts, counterpart_takes_cut=counterpart_takes_cut)
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


def _step_document_kind(context: StepContext) -> str:
    """The kind of the file the step brings with it (stored once the step's checks pass)."""
    return context.step.document_kind if context.data.get("document") is not None else ""


def accept(context: StepContext) -> None:
    """The accepted support stays within the contract and the accepted cost, within the ceiling of
    the rule applied at approval on the accepted cost (and each facility's share within its cap),
    and is not below what was advanced net of recoveries (every payment stays within the accepted
    support, workflow.md); the acceptance dossier is complete."""
    project, data = context.obj, context.data
    amounts = step_amounts(context)
    total = sum(amounts.values())
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
    rules = check_support_after_approval(project, amounts=amounts, cost=accepted_cost, stage=_("nghiệm thu"))
    check_beneficiary_shares(project, rules=rules, total=total)
    already = net_paid(project)
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
    documents.check_step_documents(project, "accept", given=_step_document_kind(context))
    project.accepted_support = total


def _check_settlement_date(project, settled_on) -> None:
    if settled_on > timezone.localdate():
        raise ValidationError(
            {"settlement_date": ValidationError(_("Ngày quyết toán không được sau hôm nay."), code="future")}
        )
    if project.acceptance_date and settled_on < project.acceptance_date:
        message = _("Ngày quyết toán không được trước ngày nghiệm thu.")
        raise ValidationError({"settlement_date": ValidationError(message, code="before_acceptance")})


def settle(context: StepContext) -> None:
    """The settlement date is the record's (not the day it is entered); the settled support stays
    within the accepted support and the ceiling of the rule applied at approval on the actual cost;
    each fund's payments minus recoveries equal its settled support; the dossier is complete
    (TT 36/2013/TT-BCT Điều 18)."""
    project, data = context.obj, context.data
    _check_settlement_date(project, data["settlement_date"])
    amounts = step_amounts(context)
    total = sum(amounts.values())
    if total > (project.accepted_support or 0):
        raise ValidationError(
            {
                "amounts": _("Kinh phí hỗ trợ quyết toán vượt kinh phí hỗ trợ nghiệm thu (%(value)s).")
                % {"value": format_vnd(project.accepted_support or 0)}
            }
        )
    check_support_after_approval(
        project, amounts=amounts, cost=int(data["actual_cost"]), stage=_("quyết toán")
    )
    already = net_paid(project)
    if already != total:
        raise ValidationError(
            _(
                "Các khoản đã chi trừ số thu hồi (%(paid)s) phải bằng kinh phí hỗ trợ quyết toán (%(support)s)."
            )
            % {"paid": format_vnd(already), "support": format_vnd(total)},
            code="paid_differs",
        )
    check_paid_by_fund(project, amounts)
    documents.check_step_documents(project, "settle", given=_step_document_kind(context))
    project.actual_support = total

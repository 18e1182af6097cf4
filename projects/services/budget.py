"""Budget lines by funding source and the support ceiling they are held to (the ceiling itself is
computed in programmes.ceilings, the one copy of that rule)."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from core.money import format_vnd
from programmes.ceilings import CeilingCheck, lines_check
from programmes.models import CapUnit, FundingSource

from ..models import BudgetLine, BudgetVersion, Project, ProjectTransition, TransitionAmount

Lines = dict[FundingSource, int]


def clean_lines(lines: dict | None, *, lead_fund: FundingSource, total_cost: int | None) -> Lines:
    """`lines`: {funding source code: amount}. One row per source, amounts ≥ 0, adding up to the
    total cost; the lead fund is a state fund that can lead."""
    sources = {s.code: s for s in FundingSource.objects.all()}
    cleaned = {}
    for code, amount in (lines or {}).items():
        if code not in sources:
            raise ValidationError(_("Nguồn kinh phí “%(code)s” không có trong danh mục.") % {"code": code})
        if amount in (None, ""):
            continue
        amount = int(amount)
        if amount < 0:
            raise ValidationError(
                _("Số tiền của nguồn %(source)s không được âm.") % {"source": sources[code].short_name}
            )
        if amount:
            cleaned[sources[code]] = amount
    if total_cost is None or int(total_cost) < 0:
        raise ValidationError({"total_cost": _("Tổng kinh phí phải là số không âm.")})
    if not lead_fund.can_lead:
        raise ValidationError({"lead_fund": _("Nguồn chủ trì phải là KCQG hoặc KCĐP.")})
    check_lines_add_up(cleaned, int(total_cost))
    return cleaned


def check_lines_add_up(lines: Lines, total_cost: int) -> None:
    total = sum(lines.values())
    if total != total_cost:
        raise ValidationError(
            _("Các dòng kinh phí cộng lại %(sum)s, khác tổng kinh phí %(total)s.")
            % {"sum": format_vnd(total), "total": format_vnd(total_cost)}
        )


def state_support(lines: Lines) -> int:
    return sum(amount for source, amount in lines.items() if source.is_state_support)


def next_budget_number(project: Project) -> int:
    return (project.budget_versions.aggregate(n=Max("number"))["n"] or 0) + 1


def write_budget(
    project: Project,
    *,
    lines: Lines,
    number: int,
    user: User,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    reason: str = "",
) -> BudgetVersion:
    budget = BudgetVersion(
        project=project,
        number=number,
        total_cost=project.total_cost,
        eligible_cost=project.eligible_cost,
        decision_number=decision_number,
        decision_date=decision_date,
        reason=reason,
        created_by=user,
    )
    budget.full_clean()
    budget.save()
    BudgetLine.objects.bulk_create(
        [BudgetLine(budget=budget, funding_source=source, amount=amount) for source, amount in lines.items()]
    )
    return budget


def budget_lines(project: Project, budget: BudgetVersion | None = None) -> Lines:
    """{FundingSource: amount} of a budget version (the current one by default)."""
    budget = budget or project.current_budget
    if budget is None:
        return {}
    return {line.funding_source: line.amount for line in budget.lines.select_related("funding_source")}


def approved_lines(lines: Lines, amounts: Lines, *, counterpart_takes_cut: bool = True) -> Lines:
    """The budget lines as approved: each state-support source at its approved amount (a source
    left out is approved at 0). What the State no longer covers moves to the counterpart (the
    beneficiary committed to the larger share), or, for a decision that reduces the scale instead
    (`counterpart_takes_cut` False), leaves the budget: the other lines keep their amounts and the
    total cost shrinks by the cut."""
    approved = {s: a for s, a in lines.items() if not s.is_state_support}
    approved.update({s: a for s, a in amounts.items() if a})
    cut = sum(lines.values()) - sum(approved.values())
    if cut and counterpart_takes_cut:
        counterpart = FundingSource.objects.get(code=FundingSource.COUNTERPART)
        approved[counterpart] = approved.get(counterpart, 0) + cut
    return approved


# Caps that bind each facility: their units are the beneficiaries named (or planned).
PER_BENEFICIARY = (CapUnit.FACILITY, CapUnit.TRADEMARK)


def cap_units(project: Project, rule, *, named: int | None = None) -> int:
    """What a cap is multiplied by, read from the project by what the rule's cap covers
    (programmes.CapUnit; TT 28/2018/TT-BTC Điều 8): the beneficiaries named for a per-facility or
    per-trademark cap (`named`: how many a form or decision names before they are saved; the planned
    number of a group đề án while none is named), the number of models for a per-model cap, one
    for a round or a project. A project with neither names nor a planned number counts one here;
    approval refuses it (require_cap_units)."""
    unit = getattr(rule, "cap_unit", "")
    if unit in PER_BENEFICIARY:
        if named is None:
            named = project.beneficiaries.count() if project.pk else 0
        return named or project.planned_beneficiaries or 1
    if unit == CapUnit.MODEL:
        return project.models_count or 1
    return 1


def apply_ceiling(
    project: Project,
    *,
    lines: Lines,
    on_date: datetime.date,
    communes: list | None = None,
    beneficiaries: list | None = None,
) -> CeilingCheck:
    """Refuse state lines above their ceilings on `on_date`: each line under its own fund's rule,
    the total under the stricter (programmes.ceilings.lines_check), in the project's communes and
    for its beneficiaries (`communes`, `beneficiaries` when given, before they are saved); flag the
    project when a fund carrying money has no rule. Called while drafting (today), at submission
    (today), approval and adjustment (the decision date)."""
    if communes is None:
        communes = list(project.communes.all()) if project.pk else []
    named = None if beneficiaries is None else len(beneficiaries)
    check = lines_check(
        activity=project.activity,
        variant=project.variant,
        lead_fund=project.lead_fund,
        lines=lines,
        eligible_cost=project.eligible_cost,
        units_covered=lambda rule: cap_units(project, rule, named=named),
        on_date=on_date,
        communes=communes,
    )
    if not check.ok:
        raise ValidationError(check.message, code="ceiling")
    project.ceiling_flag = check.flagged
    project.ceiling_note = check.message[:500] if check.flagged else ""
    return check


def checked_amounts(
    row: ProjectTransition, amounts: Lines, check: CeilingCheck | None = None
) -> list[TransitionAmount]:
    """The history row's amounts by source (unsaved), each with the rule its line was checked
    against and the limit that rule set (`check`: the approval's or adjustment's lines_check)."""
    rows = []
    for source, amount in amounts.items():
        fund = check.for_fund(source) if check is not None else None
        rows.append(
            TransitionAmount(
                transition=row,
                funding_source=source,
                amount=amount,
                rule_code=fund.rule.code if fund and fund.rule else "",
                rule_limit=fund.limit if fund else None,
            )
        )
    return rows


def require_cap_units(project: Project, check: CeilingCheck) -> None:
    """At approval and adjustment, a state line under a per-facility or per-trademark cap needs
    the units that cap is multiplied by: the beneficiaries named, or the planned number of a group
    đề án (TT 28/2018/TT-BTC Điều 8; issue 9 A4). Without either the project used to count as one
    unit; now it is refused, naming what the cap covers."""
    if project.planned_beneficiaries or (project.pk and project.beneficiaries.exists()):
        return
    for fund in check.funds:
        rule = fund.rule
        if rule is None or rule.cap_vnd is None or rule.cap_unit not in PER_BENEFICIARY:
            continue
        raise ValidationError(
            _(
                "Mức tối đa của quy định “%(rule)s” (nguồn %(fund)s) tính theo mỗi %(unit)s: ghi danh sách "
                "cơ sở thụ hưởng hoặc số cơ sở thụ hưởng dự kiến (đề án nhóm) trước khi phê duyệt."
            )
            % {
                "rule": rule.label or rule.code,
                "fund": fund.fund.short_name,
                "unit": rule.get_cap_unit_display(),
            },
            code="cap_units_missing",
        )


def require_legal_basis(check: CeilingCheck, legal_basis: str, on_date: datetime.date) -> None:
    """No support rule in force for a state line on the decision date (no HĐND resolution loaded
    for KCĐP): the leader records the legal basis used, kept on the history row and printed on
    the approval summary (NĐ 45/2012/NĐ-CP as amended by NĐ 235/2025/NĐ-CP: local levels are set
    by the provincial People's Council). Approval and adjustment both ask for it."""
    if check.unruled and not (legal_basis or "").strip():
        raise ValidationError(
            {
                "legal_basis": ValidationError(
                    _(
                        "Nguồn %(funds)s chưa có quy định mức hỗ trợ có hiệu lực tại ngày %(day)s: ghi căn cứ "
                        "pháp lý áp dụng (số, ngày nghị quyết hoặc quyết định)."
                    )
                    % {
                        "funds": ", ".join(f.short_name for f in check.unruled),
                        "day": on_date.strftime("%d/%m/%Y"),
                    },
                    code="legal_basis_required",
                )
            }
        )

"""Money after approval: the ceiling re-checked at acceptance and settlement under the rule applied
at approval, the beneficiaries' shares of a group đề án, what was paid net of recoveries by fund,
and the recovery of excess advances (thu hồi tạm ứng)."""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from core.money import format_vnd
from programmes.ceilings import support_limit
from programmes.models import FundingSource, SupportRule
from programmes.selectors import rule_in_force

from ..models import BeneficiaryShare, Project, Status
from .budget import PER_BENEFICIARY, Lines, cap_units
from .common import bump_version, check_version, lock_project, require_staff


def _approval_row(project: Project):
    return project.transitions.filter(step="approve").order_by("-at", "-id").first()


def _recorded_rule(row, fund: FundingSource) -> SupportRule | None:
    """The rule the approval's history row says it was checked against (a code per fund, on the
    row's amount of that fund or on the row), as it stood at that moment (the rule's history:
    a level edited later does not change what was approved)."""
    if row is None:
        return None
    amount = next((a for a in row.amounts.all() if a.funding_source_id == fund.pk), None)
    code = getattr(amount, "rule_code", "") or getattr(row, "rule_code", "")
    rule = SupportRule.objects.filter(code=code).first() if code else None
    if rule is None:
        return None
    try:
        return rule.history.as_of(row.at)
    except ObjectDoesNotExist:
        return rule


def approval_rule(project: Project, fund: FundingSource) -> SupportRule | None:
    """The ceiling rule applied at approval to `fund`'s line: the one the approval recorded when it
    recorded one, else the rule in force on the decision date (TT 28/2018/TT-BTC Điều 8; the
    decision fixes the rule, a later level does not reopen it). None without a decision or rule."""
    row = _approval_row(project)
    rule = _recorded_rule(row, fund)
    if rule is not None:
        return rule
    on_date = project.decision_date or (row.decision_date if row else None)
    if on_date is None:
        return None
    return rule_in_force(
        activity=project.activity, variant=project.variant, funding_source=fund, on_date=on_date
    )


def _limit_message(stage, source, amount, limit, how, rule) -> str:
    return _(
        "Kinh phí hỗ trợ %(stage)s của nguồn %(source)s (%(amount)s) vượt mức tối đa %(limit)s "
        "(%(how)s) theo quy định “%(rule)s” (%(code)s) áp dụng khi phê duyệt, căn cứ %(basis)s."
    ) % {
        "stage": stage,
        "source": source,
        "amount": format_vnd(amount),
        "limit": format_vnd(limit),
        "how": how,
        "rule": rule.label or rule.code,
        "code": rule.code,
        "basis": rule.legal_basis,
    }


def check_support_after_approval(project: Project, *, amounts: Lines, cost: int, stage: str) -> dict:
    """Each state line ≤ min(cap × units, max % × eligible cost) under its fund's rule applied at
    approval, and the total under the stricter, on the accepted (or actual) cost: the cost counts as
    eligible up to the eligible cost approved (TT 28/2018/TT-BTC Điều 8; workflow.md accept/settle).
    Returns {fund: rule} of the rules applied."""
    eligible = min(cost, project.eligible_cost) if project.eligible_cost else cost
    rules, limits = {}, []
    for source, amount in amounts.items():
        rule = approval_rule(project, source)
        if rule is None:
            continue
        rules[source] = rule
        limit, how = support_limit(rule, cost=eligible, units=cap_units(project, rule))
        if limit is None:
            continue
        limits.append((limit, how, rule))
        if amount > limit:
            message = _limit_message(stage, source.short_name, amount, limit, how, rule)
            raise ValidationError({"amounts": ValidationError(message, code="ceiling")})
    total = sum(amounts.values())
    if limits:
        limit, how, rule = min(limits, key=lambda item: item[0])
        if total > limit:
            raise ValidationError(
                {
                    "amounts": ValidationError(
                        _limit_message(stage, _("Nhà nước"), total, limit, how, rule), code="ceiling"
                    )
                }
            )
    return rules


def check_beneficiary_shares(project: Project, *, rules: dict, total: int) -> None:
    """A per-facility or per-trademark cap binds each facility: a group đề án (approved with a
    planned number of facilities) names its beneficiaries before acceptance, and wherever several
    are named each has its share of the support, the shares add up to the support and none exceeds
    the cap (TT 28/2018/TT-BTC Điều 8; NĐ 45/2012/NĐ-CP on group projects)."""
    capped = [r for r in rules.values() if r.cap_unit in PER_BENEFICIARY]
    if not capped:
        return
    named = list(project.beneficiaries.all())
    group = project.planned_beneficiaries is not None
    if group and not named:
        raise ValidationError(
            _(
                "Đề án nhóm phải có danh sách cơ sở thụ hưởng và phần hỗ trợ của từng cơ sở trước khi nghiệm thu."
            ),
            code="beneficiaries_missing",
        )
    if not group and len(named) <= 1:
        return
    shares = {s.applicant_id: s.amount for s in project.beneficiary_shares.all()}
    without = [a.name for a in named if a.pk not in shares]
    if without:
        raise ValidationError(
            _("Chưa ghi phần hỗ trợ của cơ sở: %(names)s.") % {"names": ", ".join(without)},
            code="share_missing",
        )
    shared = sum(shares[a.pk] for a in named)
    if shared != total:
        raise ValidationError(
            _("Phần hỗ trợ của các cơ sở cộng lại %(shared)s, khác kinh phí hỗ trợ %(total)s.")
            % {"shared": format_vnd(shared), "total": format_vnd(total)},
            code="shares_do_not_add_up",
        )
    rule = min((r for r in capped if r.cap_vnd is not None), key=lambda r: r.cap_vnd, default=None)
    for applicant in named:
        if rule is not None and shares[applicant.pk] > rule.cap_vnd:
            raise ValidationError(
                _("Phần hỗ trợ của %(name)s (%(share)s) vượt mức tối đa %(cap)s một %(unit)s (%(basis)s).")
                % {
                    "name": applicant.name,
                    "share": format_vnd(shares[applicant.pk]),
                    "cap": format_vnd(rule.cap_vnd),
                    "unit": rule.get_cap_unit_display(),
                    "basis": rule.legal_basis,
                },
                code="share_above_cap",
            )


def net_paid(project: Project, source: FundingSource | None = None) -> int:
    """Payments minus recoveries (of one fund when given; a payment recorded without a fund counts
    for the lead fund)."""
    payments = project.payments.all()
    recoveries = project.recoveries.all()
    if source is not None:
        if source.pk == project.lead_fund_id:
            payments = payments.filter(funding_source__in=[source]) | payments.filter(
                funding_source__isnull=True
            )
        else:
            payments = payments.filter(funding_source=source)
        recoveries = recoveries.filter(funding_source=source)
    paid = payments.aggregate(t=Sum("amount"))["t"] or 0
    return paid - (recoveries.aggregate(t=Sum("amount"))["t"] or 0)


def check_paid_by_fund(project: Project, amounts: Lines) -> None:
    """At settlement each fund's payments minus recoveries equal its actual support (workflow.md:
    payments minus recoveries add up to actual support; each fund's line is checked on its own)."""
    funds = set(amounts) | set(
        FundingSource.objects.filter(
            pk__in=list(
                project.payments.exclude(funding_source=None).values_list("funding_source", flat=True)
            )
        )
    )
    for source in sorted(funds, key=lambda s: s.sort_order):
        paid = net_paid(project, source)
        if paid != amounts.get(source, 0):
            raise ValidationError(
                _(
                    "Nguồn %(source)s: các khoản đã chi trừ số thu hồi (%(paid)s) phải bằng kinh phí hỗ trợ "
                    "quyết toán (%(support)s)."
                )
                % {
                    "source": source.short_name,
                    "paid": format_vnd(paid),
                    "support": format_vnd(amounts.get(source, 0)),
                },
                code="paid_differs",
            )


@transaction.atomic
def beneficiary_shares_set(
    *, user: User, project: Project, shares: dict[int, int], expected_version: int | str | None = None
) -> list[BeneficiaryShare]:
    """Record each named beneficiary's share of the state support ({applicant id: amount}; an empty
    amount removes that beneficiary's share). All or nothing: shares of applicants that are not
    beneficiaries, a negative share, or shares adding up to more than the support as it stands
    (proposed, approved, then accepted) are refused and nothing changes. Each share is held to the
    per-facility cap at acceptance (check_beneficiary_shares)."""
    require_staff(user)
    project = lock_project(project)
    check_version(project, expected_version)
    if project.status in (Status.SETTLED, Status.REJECTED, Status.CANCELLED):
        raise ValidationError(_("Đề án đã đóng: không sửa phần hỗ trợ của cơ sở."), code="closed")
    named = {a.pk: a for a in project.beneficiaries.all()}
    unknown = [pk for pk in shares if int(pk) not in named]
    if unknown:
        raise ValidationError(_("Chỉ ghi phần hỗ trợ cho cơ sở thụ hưởng của đề án."), code="not_beneficiary")
    given = {int(pk): int(amount) for pk, amount in shares.items() if amount not in (None, "")}
    if any(amount < 0 for amount in given.values()):
        raise ValidationError(_("Phần hỗ trợ của cơ sở không được âm."), code="negative")
    kept = {
        s.applicant_id: s.amount
        for s in project.beneficiary_shares.all()
        if s.applicant_id in named and s.applicant_id not in shares
    }
    total = sum(given.values()) + sum(kept.values())
    if total > project.current_support:
        raise ValidationError(
            _("Phần hỗ trợ của các cơ sở cộng lại %(total)s, vượt kinh phí hỗ trợ của đề án %(support)s.")
            % {"total": format_vnd(total), "support": format_vnd(project.current_support)},
            code="shares_above_support",
        )
    cleared = [int(pk) for pk, amount in shares.items() if amount in (None, "")]
    BeneficiaryShare.objects.filter(project=project, applicant_id__in=cleared).delete()
    rows = []
    for pk, amount in given.items():
        row = BeneficiaryShare.objects.filter(project=project, applicant=named[pk]).first()
        row = row or BeneficiaryShare(project=project, applicant=named[pk])
        row.amount = amount
        row.full_clean()
        row.save()
        rows.append(row)
    bump_version(project)
    return rows


__all__ = [
    "approval_rule",
    "beneficiary_shares_set",
    "check_beneficiary_shares",
    "check_paid_by_fund",
    "check_support_after_approval",
    "net_paid",
]

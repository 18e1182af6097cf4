"""Advances and payments of a project, within the advance share and the accepted support, each
recorded against its funding source."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.money import format_vnd
from core.text import clean_text
from programmes.models import FundingSource, SupportRule
from programmes.selectors import rule_in_force

from ..models import AdvanceCondition, Payment, ProgressEntry, Project, Status
from .common import bump_version, check_version, day, lock_project, require_staff


def advance_rule(project: Project, on_date: datetime.date) -> SupportRule | None:
    """The advance share in force (TT 36/2013/TT-BCT Điều 13). Local funds follow the national
    cycle (workflow.md), so without a rule of the lead fund the KCQG rule applies (the page says
    so: see uses_national_fallback)."""
    rule = rule_in_force(
        activity=project.activity,
        variant=project.variant,
        funding_source=project.lead_fund,
        on_date=on_date,
        kind="advance",
    )
    if rule is None and project.lead_fund.code != FundingSource.KCQG:
        rule = rule_in_force(
            activity=project.activity,
            variant=project.variant,
            funding_source=FundingSource.objects.get(code=FundingSource.KCQG),
            on_date=on_date,
            kind="advance",
        )
    return rule


def uses_national_fallback(project: Project, rule: SupportRule | None) -> bool:
    """Whether a project not led by KCQG takes its advance share from the KCQG rule."""
    return rule is not None and rule.funding_source_id != project.lead_fund_id


def condition_met(project: Project, condition: AdvanceCondition) -> bool:
    """The advance condition of TT 36/2013/TT-BCT Điều 13, on a progress report the Sở confirmed:
    the value of work done (money spent) above the threshold share of the total investment for
    demonstration models, machinery and facility pollution treatment; the progress percentage for
    the others (AdvanceCondition.measure, data)."""
    confirmed = ProgressEntry.objects.filter(project=project, confirmed_at__isnull=False)
    threshold = condition.min_progress_percent
    if condition.measure == AdvanceCondition.Measure.PROGRESS:
        return confirmed.filter(percent__gt=threshold).exists()
    total = project.total_cost
    if not total:
        return False
    return any(spent * 100 > threshold * total for spent in confirmed.values_list("spent", flat=True))


@dataclass
class PaymentPosition:
    ceiling: int = 0  # what may be paid in all at this stage
    paid: int = 0
    advances: int = 0
    advance_limit: int | None = None
    advance_rule: object = None
    condition: object = None
    condition_met: bool = True
    national_fallback: bool = False  # a KCĐP project takes its advance share from the KCQG rule
    recovered: int = 0
    notes: list = field(default_factory=list)

    @property
    def balance(self) -> int:
        return max(0, self.ceiling - self.paid)


def payment_position(project: Project, on_date: datetime.date | None = None) -> PaymentPosition:
    on_date = on_date or timezone.localdate()
    payments = list(project.payments.all())
    recovered = sum(r.amount for r in project.recoveries.all())
    position = PaymentPosition(
        paid=sum(p.amount for p in payments) - recovered,
        advances=sum(p.amount for p in payments if p.kind == Payment.Kind.ADVANCE) - recovered,
        recovered=recovered,
    )
    if project.status in (Status.ACCEPTED, Status.SETTLED):
        position.ceiling = project.accepted_support or 0
    else:
        position.ceiling = project.contract_value or 0
    if project.status in (Status.CONTRACTED, Status.IN_PROGRESS):
        rule = advance_rule(project, on_date)
        position.advance_rule = rule
        position.national_fallback = uses_national_fallback(project, rule)
        if rule is not None and rule.max_percent is not None:
            position.advance_limit = int(rule.max_percent * (project.contract_value or 0) // 100)
        condition = AdvanceCondition.objects.filter(activity=project.activity_id).first()
        position.condition = condition
        if condition is not None and condition.no_advance:
            position.advance_limit = 0
            position.condition_met = False
        elif condition is not None:
            position.condition_met = condition_met(project, condition)
    return position


def _condition_message(condition: AdvanceCondition) -> str:
    values = {"percent": f"{condition.min_progress_percent.normalize():f}", "basis": condition.legal_basis}
    if condition.measure == AdvanceCondition.Measure.PROGRESS:
        return (
            _("Chỉ tạm ứng sau khi có báo cáo tiến độ Sở đã xác nhận trên %(percent)s%% (%(basis)s).")
            % values
        )
    return (
        _(
            "Chỉ tạm ứng sau khi giá trị khối lượng đã thực hiện vượt %(percent)s%% tổng vốn đầu tư, "
            "theo báo cáo tiến độ Sở đã xác nhận (%(basis)s); tỷ lệ tiến độ thôi là chưa đủ."
        )
        % values
    )


def _payment_source(project: Project, funding_source: FundingSource | None) -> FundingSource:
    """The fund a payment is made from: a state fund of the project (the lead fund by default)."""
    source = funding_source or project.lead_fund
    if not source.is_state_support:
        raise ValidationError(
            {
                "funding_source": ValidationError(
                    _("Khoản chi phải từ nguồn kinh phí hỗ trợ của Nhà nước."), code="not_state"
                )
            }
        )
    return source


@transaction.atomic
def payment_record(
    *,
    user: User,
    project: Project,
    kind: str,
    amount: int,
    paid_on: datetime.date,
    reference: str = "",
    funding_source: FundingSource | None = None,
    expected_version: int | str | None = None,
) -> Payment:
    """Advances in contracted/in progress within the advance share and its condition; payments
    after acceptance within the accepted support (net of recoveries); each from its funding
    source (the lead fund by default)."""
    require_staff(user)
    project = lock_project(project)
    check_version(project, expected_version)
    amount = int(amount or 0)
    if amount <= 0:
        raise ValidationError({"amount": _("Số tiền phải lớn hơn 0.")})
    source = _payment_source(project, funding_source)
    position = payment_position(project, paid_on)
    rule_code = ""
    if kind == Payment.Kind.ADVANCE:
        if project.status not in (Status.CONTRACTED, Status.IN_PROGRESS):
            raise ValidationError(_("Chỉ tạm ứng khi đề án đã ký hợp đồng hoặc đang thực hiện."))
        if position.condition is not None and position.condition.no_advance:
            raise ValidationError(
                _("Hoạt động này không được tạm ứng: thanh toán một lần sau nghiệm thu (%(basis)s).")
                % {"basis": position.condition.legal_basis}
            )
        rule = position.advance_rule
        if rule is None or position.advance_limit is None:
            raise ValidationError(
                _("Chưa có quy định tỷ lệ tạm ứng áp dụng cho đề án này vào ngày %(date)s.")
                % {"date": day(paid_on)}
            )
        if not position.condition_met:
            raise ValidationError(_condition_message(position.condition), code="advance_condition")
        if position.advances + amount > position.advance_limit:
            raise ValidationError(
                _(
                    "Tổng tạm ứng %(total)s vượt mức tối đa %(limit)s (%(percent)s%% giá trị hợp đồng, %(basis)s)."
                )
                % {
                    "total": format_vnd(position.advances + amount),
                    "limit": format_vnd(position.advance_limit),
                    "percent": f"{rule.max_percent.normalize():f}",
                    "basis": rule.legal_basis,
                }
            )
        rule_code = rule.code
    elif kind == Payment.Kind.FINAL:
        if project.status != Status.ACCEPTED:
            raise ValidationError(_("Chỉ thanh toán sau khi đề án đã nghiệm thu."))
        if position.paid + amount > (project.accepted_support or 0):
            raise ValidationError(
                _("Tổng các khoản chi %(total)s vượt kinh phí hỗ trợ nghiệm thu %(limit)s.")
                % {
                    "total": format_vnd(position.paid + amount),
                    "limit": format_vnd(project.accepted_support or 0),
                }
            )
    else:
        raise ValidationError({"kind": _("Loại khoản chi không hợp lệ.")})
    if project.contract_date and paid_on < project.contract_date:
        raise ValidationError({"paid_on": _("Ngày chi không được trước ngày ký hợp đồng.")})
    payment = Payment(
        project=project,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        reference=clean_text(reference),
        funding_source=source,
        rule_code=rule_code,
        created_by=user,
    )
    payment.full_clean()
    payment.save()
    bump_version(project)
    return payment

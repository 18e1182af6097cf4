"""Advances and payments of a project, within the advance share and the accepted support."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.money import format_vnd
from core.text import clean_text
from programmes.models import FundingSource, SupportRule
from programmes.selectors import rule_in_force

from ..models import AdvanceCondition, Payment, Project, Status
from .common import bump_version, check_version, day, lock_project, require_staff


def advance_rule(project: Project, on_date: datetime.date) -> SupportRule | None:
    """The advance share in force (TT 36/2013/TT-BCT Điều 13). Local funds follow the national
    cycle (workflow.md), so without a rule of the lead fund the KCQG rule applies."""
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


@dataclass
class PaymentPosition:
    ceiling: int = 0  # what may be paid in all at this stage
    paid: int = 0
    advances: int = 0
    advance_limit: int | None = None
    advance_rule: object = None
    condition: object = None
    condition_met: bool = True
    notes: list = field(default_factory=list)

    @property
    def balance(self) -> int:
        return max(0, self.ceiling - self.paid)


def payment_position(project: Project, on_date: datetime.date | None = None) -> PaymentPosition:
    on_date = on_date or timezone.localdate()
    payments = list(project.payments.all())
    position = PaymentPosition(
        paid=sum(p.amount for p in payments),
        advances=sum(p.amount for p in payments if p.kind == Payment.Kind.ADVANCE),
    )
    if project.status in (Status.ACCEPTED, Status.SETTLED):
        position.ceiling = project.accepted_support or 0
    else:
        position.ceiling = project.contract_value or 0
    if project.status in (Status.CONTRACTED, Status.IN_PROGRESS):
        rule = advance_rule(project, on_date)
        position.advance_rule = rule
        if rule is not None and rule.max_percent is not None:
            position.advance_limit = int(rule.max_percent * (project.contract_value or 0) // 100)
        condition = AdvanceCondition.objects.filter(activity=project.activity_id).first()
        position.condition = condition
        if condition is not None and condition.no_advance:
            position.advance_limit = 0
            position.condition_met = False
        elif condition is not None:
            best = project.progress_entries.aggregate(m=Max("percent"))["m"]
            position.condition_met = best is not None and best > condition.min_progress_percent
    return position


@transaction.atomic
def payment_record(
    *,
    user: User,
    project: Project,
    kind: str,
    amount: int,
    paid_on: datetime.date,
    reference: str = "",
    expected_version: int | str | None = None,
) -> Payment:
    """Advances in contracted/in progress within the advance share and its progress condition;
    payments after acceptance within the accepted support."""
    require_staff(user)
    project = lock_project(project)
    check_version(project, expected_version)
    amount = int(amount or 0)
    if amount <= 0:
        raise ValidationError({"amount": _("Số tiền phải lớn hơn 0.")})
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
            raise ValidationError(
                _("Chỉ tạm ứng sau khi có báo cáo tiến độ trên %(percent)s%% (%(basis)s).")
                % {
                    "percent": f"{position.condition.min_progress_percent.normalize():f}",
                    "basis": position.condition.legal_basis,
                }
            )
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
        rule_code=rule_code,
        created_by=user,
    )
    payment.full_clean()
    payment.save()
    bump_version(project)
    return payment

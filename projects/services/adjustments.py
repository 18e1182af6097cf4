"""Adjusting an approved project by decision: a new budget version, the old one kept."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import Event, notify
from accounts.roles import Role, has_role
from applicants.models import Applicant
from core.text import clean_text
from programmes.models import AdministrativeUnit

from ..models import Project, ProjectTransition, TransitionAmount
from .budget import (
    apply_ceiling,
    checked_amounts,
    clean_lines,
    next_budget_number,
    require_cap_units,
    require_legal_basis,
    state_support,
    write_budget,
)
from .common import beneficiary_users, check_version, lock_project, refresh_search
from .money import net_paid
from .plans import shares_after_adjustment


def _apply_figures(project: Project, *, total_cost, eligible_cost, scale: dict, start_date, end_date) -> None:
    """The adjusted figures, scale (the models, the planned facilities of a group đề án) and dates;
    what the decision leaves out stays as it was (the eligible cost defaults to the total cost)."""
    project.total_cost = int(total_cost)
    project.eligible_cost = project.total_cost if eligible_cost in (None, "") else int(eligible_cost)
    for name, value in scale.items():
        if value not in (None, ""):
            setattr(project, name, int(value))
    if start_date:
        project.start_date = start_date
    if end_date:
        project.end_date = end_date


def _set_people(project: Project, *, beneficiaries, communes) -> None:
    if beneficiaries is not None:
        project.beneficiaries.set(beneficiaries)
    if communes is not None:
        project.communes.set(communes)
    if beneficiaries is not None or communes is not None:
        refresh_search(project)


@transaction.atomic
def project_adjust(
    *,
    user: User,
    project: Project,
    expected_version: int | str,
    decision_number: str,
    decision_date: datetime.date | None,
    lines: dict,
    total_cost: int,
    eligible_cost: int | None = None,
    models_count: int | None = None,
    planned_beneficiaries: int | None = None,
    legal_basis: str = "",
    reason: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    beneficiaries: Iterable[Applicant] | None = None,
    communes: Iterable[AdministrativeUnit] | None = None,
    plan_shares: list | None = None,
) -> Project:
    """Điều chỉnh by decision (TT 36/2013/TT-BCT): after approval the budget is frozen; a leader
    records a decision and the budget becomes a new version, checked again against the ceiling in
    force on the decision date with the beneficiaries, communes and scale it sets (a per-facility
    cap needs the beneficiaries named or planned); a state line with no rule in force needs the
    legal basis used, kept on the row as at approval. The old version stays in history. A
    multi-year đề án's yearly shares (`plan_shares` to replace them) must add up to the adjusted
    lead-fund support (projects.services.plans.shares_after_adjustment)."""
    if not has_role(user, Role.LEADER):
        raise ValidationError(_("Chỉ lãnh đạo Sở được điều chỉnh đề án đã phê duyệt."), code="forbidden")
    project = lock_project(project)
    check_version(project, int(expected_version))
    if not project.is_adjustable:
        raise ValidationError(_("Chỉ điều chỉnh đề án đã phê duyệt, đã ký hợp đồng hoặc đang thực hiện."))
    decision_number = clean_text(decision_number)
    if not decision_number or not decision_date:
        raise ValidationError(_("Điều chỉnh cần số và ngày quyết định."))
    _apply_figures(
        project,
        total_cost=total_cost,
        eligible_cost=eligible_cost,
        scale={"models_count": models_count, "planned_beneficiaries": planned_beneficiaries},
        start_date=start_date,
        end_date=end_date,
    )
    cleaned = clean_lines(lines, lead_fund=project.lead_fund, total_cost=project.total_cost)
    support = state_support(cleaned)
    lead = sum(amount for source, amount in cleaned.items() if source.pk == project.lead_fund_id)
    shares_after_adjustment(project, lead, plan_shares)
    # the people and places first: the cap counts the beneficiaries the decision names
    _set_people(project, beneficiaries=beneficiaries, communes=communes)
    check = apply_ceiling(project, lines=cleaned, on_date=decision_date)
    require_cap_units(project, check)
    legal_basis = clean_text(legal_basis)
    require_legal_basis(check, legal_basis, decision_date)
    if project.contract_value is not None and net_paid(project) > support:
        raise ValidationError(_("Kinh phí hỗ trợ mới thấp hơn số đã chi (đã trừ số thu hồi tạm ứng)."))
    budget = write_budget(
        project,
        lines=cleaned,
        number=next_budget_number(project),
        user=user,
        decision_number=decision_number,
        decision_date=decision_date,
        reason=(reason or "").strip(),
    )
    project.current_budget = budget
    project.state_support = support
    project.approved_support = support
    if project.contract_value is not None:
        project.contract_value = support
    project.version += 1
    project.full_clean()
    project._history_user = user  # the audit trail (core.audit): the decision is its reason
    project._change_reason = _("Điều chỉnh theo quyết định %(number)s") % {"number": decision_number}
    project.save()
    row = ProjectTransition.objects.create(
        project=project,
        step="adjust",
        from_status=project.status,
        to_status=project.status,
        actor=user,
        decision_number=decision_number,
        decision_date=decision_date,
        legal_basis=legal_basis,
        comment=(reason or "").strip(),
        budget=budget,
    )
    # the new support by source, with the rule and limit each line was checked against
    state_lines = {source: amount for source, amount in cleaned.items() if source.is_state_support}
    TransitionAmount.objects.bulk_create(checked_amounts(row, state_lines, check))
    recipients = beneficiary_users(project)
    if recipients:
        notify(
            recipients=recipients,
            event=Event.PROJECT_ADJUSTED,
            title=_("Đề án %(code)s được điều chỉnh") % {"code": project.code},
            body=_("Quyết định số %(number)s") % {"number": decision_number},
            url=reverse("projects:detail", args=[project.pk]),
        )
    return project

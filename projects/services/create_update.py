"""Creating and editing a project before approval (the form, a support request, the import of past
years all go through project_create)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import Event, notify
from applicants.models import Applicant, SupportRequest
from core.text import clean_text
from programmes.models import ActivityType, ActivityVariant, AdministrativeUnit, FundingSource

from ..models import (
    EDITABLE_STATUSES,
    BudgetLine,
    BudgetVersion,
    Project,
    ProjectCodeCounter,
    ProjectOutput,
    ProjectTransition,
    Status,
)
from .budget import apply_ceiling, clean_lines, state_support, write_budget
from .common import check_version, refresh_search, require_staff

# The fields a project's form edits, in the form's order: the form (Meta.fields), project_update
# (update_fields) and apply_fields read this one list.
EDITABLE_FIELDS = (
    "title",
    "year",
    "activity",
    "variant",
    "lead_fund",
    "implementing_unit",
    "start_date",
    "end_date",
    "objectives",
    "content",
    "total_cost",
    "eligible_cost",
    "models_count",
    "planned_beneficiaries",
    "province_wide",
)
# How a text field is cleaned on the way in: one line (spaces collapsed) or paragraphs (trimmed).
_ONE_LINE = {"title", "implementing_unit"}
_PARAGRAPHS = {"objectives", "content"}
# What the ceiling check and the support figures add to the edited fields when a draft is saved.
_DERIVED_FIELDS = ("state_support", "ceiling_flag", "ceiling_note")
# The figures a project imported from past years already carries (its decision and acceptance).
RECORDED_FIELDS = (
    "decision_number",
    "decision_date",
    "approved_support",
    "acceptance_date",
    "accepted_support",
)


def _allocate_code(year: int, lead_fund: FundingSource) -> str:
    """DA-2026-KCDP-007: a counter per year and lead fund, taken under a row lock."""
    fund = {"KCĐP": "KCDP"}.get(lead_fund.short_name, lead_fund.code)
    counter, _created = ProjectCodeCounter.objects.get_or_create(year=year, fund_code=fund)
    counter = ProjectCodeCounter.objects.select_for_update().get(pk=counter.pk)
    while True:
        counter.last_number += 1
        code = f"DA-{year}-{fund}-{counter.last_number:03d}"
        if not Project.objects.filter(code=code).exists():
            break
    counter.save(update_fields=["last_number"])
    return code


def _set_outputs(project: Project, outputs: Iterable[dict] | None) -> None:
    project.outputs.all().delete()
    rows = []
    for row in outputs or []:
        label = clean_text(row.get("label"))
        if not label:
            continue
        output = ProjectOutput(
            project=project, label=label, quantity=row.get("quantity") or 0, unit=clean_text(row.get("unit"))
        )
        output.full_clean()
        rows.append(output)
    ProjectOutput.objects.bulk_create(rows)


def _check_variant(activity: ActivityType, variant: ActivityVariant | None) -> None:
    if variant is not None and variant.activity_id != activity.pk:
        raise ValidationError({"variant": _("Trường hợp không thuộc hoạt động đã chọn.")})
    if variant is None and activity.variants.exists():
        raise ValidationError({"variant": _("Chọn trường hợp của hoạt động.")})


def _cleaned(name: str, value):
    if name in _ONE_LINE:
        return clean_text(value)
    if name in _PARAGRAPHS:
        return (value or "").strip()
    return value


def apply_fields(project: Project, data: dict) -> None:
    """Copy the editable fields `data` gives onto `project`; the eligible cost defaults to the
    total cost."""
    for name in EDITABLE_FIELDS:
        if name in data and name != "eligible_cost":
            setattr(project, name, _cleaned(name, data[name]))
    eligible = data.get("eligible_cost")
    project.eligible_cost = project.total_cost if eligible in (None, "") else eligible


@transaction.atomic
def project_create(
    *,
    user: User,
    data: dict,
    lines: dict,
    outputs: Iterable[dict] = (),
    beneficiaries: Iterable[Applicant] = (),
    communes: Iterable[AdministrativeUnit] = (),
    support_request: SupportRequest | None = None,
    code: str | None = None,
    status: str | None = None,
    recorded: dict | None = None,
    history_step: str = "create",
    history_comment: str = "",
) -> tuple[Project, list[str]]:
    """Create a project with its first budget version and its first history row. Returns
    (project, warnings).

    A draft (the form, a support request) is held to the support ceiling in force today. A project
    imported from past years arrives in a later `status` with its decision and acceptance figures
    (`recorded`, see RECORDED_FIELDS) already made under the rules of their day, so it is not
    re-checked against today's."""
    require_staff(user)
    project = Project(created_by=user, support_request=support_request, status=status or Status.DRAFT)
    apply_fields(project, data)
    for name in RECORDED_FIELDS:
        if name in (recorded or {}):
            setattr(project, name, recorded[name])
    _check_variant(project.activity, project.variant)
    cleaned = clean_lines(lines, lead_fund=project.lead_fund, total_cost=project.total_cost)
    project.state_support = state_support(cleaned)
    warnings = []
    communes, beneficiaries = list(communes), list(beneficiaries)
    if project.status == Status.DRAFT:
        check = apply_ceiling(
            project,
            lines=cleaned,
            on_date=timezone.localdate(),
            communes=communes,
            beneficiaries=beneficiaries,
        )
        warnings = [check.message] if check.flagged else []
    project.code = code or _allocate_code(project.year, project.lead_fund)
    project.full_clean()
    project._history_user = user  # the audit trail (core.audit)
    project.save()
    project.current_budget = write_budget(project, lines=cleaned, number=1, user=user)
    project.save(update_fields=["current_budget"])
    project.beneficiaries.set(beneficiaries)
    project.communes.set(communes)
    _set_outputs(project, outputs)
    refresh_search(project)
    ProjectTransition.objects.create(
        project=project,
        step=history_step,
        from_status="",
        to_status=project.status,
        actor=user,
        comment=history_comment,
        budget=project.current_budget,
    )
    return project, warnings


@transaction.atomic
def project_create_from_request(
    *,
    user: User,
    support_request: SupportRequest,
    lead_fund: FundingSource,
    implementing_unit: str,
    data: dict | None = None,
) -> tuple[Project, list[str]]:
    """A project from an accepted support request: activity, variant, year, title, objectives and
    the money carried over (requested support on the lead fund, counterpart on đối ứng), the
    applicant as beneficiary, its commune as location, the request linked."""
    request = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    if request.status != SupportRequest.Status.ACCEPTED:
        raise ValidationError(_("Chỉ tạo đề án từ đề nghị hỗ trợ đã được chấp nhận."))
    if Project.objects.filter(support_request=request).exists():
        raise ValidationError(_("Đề nghị hỗ trợ này đã có đề án."))
    counterpart = FundingSource.objects.get(code=FundingSource.COUNTERPART)
    other = request.estimated_cost - request.requested_support - request.counterpart
    lines = {lead_fund.code: request.requested_support, counterpart.code: request.counterpart}
    if other > 0:
        lines[FundingSource.OTHER] = other
    values = {
        "title": request.title,
        "year": request.year,
        "activity": request.activity,
        "variant": request.variant,
        "lead_fund": lead_fund,
        "implementing_unit": implementing_unit,
        "objectives": request.description,
        "total_cost": request.estimated_cost,
        "eligible_cost": request.estimated_cost,
    }
    values.update(data or {})
    project, warnings = project_create(
        user=user,
        data=values,
        lines=lines,
        beneficiaries=[request.applicant],
        communes=[request.applicant.commune],
        support_request=request,
    )
    notify(
        recipients=request.applicant.users(),
        event=Event.PROJECT_TRANSITION,
        title=_("Đề nghị %(request)s đã được lập thành đề án %(code)s")
        % {"request": request.code, "code": project.code},
        body=_("Sở Công Thương đã lập đề án từ đề nghị hỗ trợ của cơ sở; theo dõi các bước tại trang đề án."),
        url=reverse("projects:detail", args=[project.pk]),
    )
    return project, warnings


def _check_editable(current: Project, data: dict) -> None:
    if current.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Đề án ở trạng thái “%(status)s” không sửa được; sau phê duyệt chỉ điều chỉnh bằng quyết định.")
            % {"status": current.get_status_display()}
        )
    if current.lead_fund_id != data.get("lead_fund", current.lead_fund).pk or current.year != data.get(
        "year", current.year
    ):
        raise ValidationError(
            _("Năm và nguồn chủ trì là một phần của mã đề án: không đổi được, hãy hủy và lập đề án mới.")
        )


@transaction.atomic
def project_update(
    *,
    user: User,
    project: Project,
    expected_version: int | str,
    data: dict,
    lines: dict,
    outputs: Iterable[dict] | None = None,
    beneficiaries: Iterable[Applicant] | None = None,
    communes: Iterable[AdministrativeUnit] | None = None,
) -> tuple[Project, list[str]]:
    """Edit a draft or returned project. A stale form (another save since it was opened) is refused;
    the budget of version 1 is rewritten (before approval there is no history to keep)."""
    require_staff(user)
    current = Project.objects.select_for_update().get(pk=project.pk)
    check_version(current, expected_version)
    _check_editable(current, data)
    apply_fields(current, data)
    _check_variant(current.activity, current.variant)
    cleaned = clean_lines(lines, lead_fund=current.lead_fund, total_cost=current.total_cost)
    current.state_support = state_support(cleaned)
    communes = None if communes is None else list(communes)
    beneficiaries = None if beneficiaries is None else list(beneficiaries)
    check = apply_ceiling(
        current,
        lines=cleaned,
        on_date=timezone.localdate(),
        communes=communes,
        beneficiaries=beneficiaries,
    )
    current.full_clean()
    current._history_user = user  # the audit trail (core.audit)
    current.save(update_fields=[*EDITABLE_FIELDS, *_DERIVED_FIELDS, "updated_at"])
    Project.objects.filter(pk=current.pk).update(version=current.version + 1)
    current.version += 1
    budget = current.current_budget
    BudgetVersion.objects.filter(pk=budget.pk).update(
        total_cost=current.total_cost,
        eligible_cost=current.eligible_cost,
    )
    budget.lines.all().delete()
    BudgetLine.objects.bulk_create(
        [BudgetLine(budget=budget, funding_source=s, amount=a) for s, a in cleaned.items()]
    )
    if beneficiaries is not None:
        current.beneficiaries.set(beneficiaries)
    if communes is not None:
        current.communes.set(communes)
    if outputs is not None:
        _set_outputs(current, outputs)
    refresh_search(current)
    return current, [check.message] if check.flagged else []

"""Every write on a project that carries a rule. Keyword-only, transactional, Vietnamese errors."""

import contextvars
import functools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.notifications import Event, notify
from accounts.roles import Role, has_role, is_staff_like
from applicants.models import SupportRequest
from core.concurrency import STALE_MESSAGE
from core.money import format_vnd
from core.text import clean_text, search_text, sort_key
from core.uploads import check_upload, safe_storage_name
from programmes.ceilings import ceiling_check
from programmes.models import FundingSource
from programmes.selectors import rule_in_force

from .models import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    AdvanceCondition,
    BudgetLine,
    BudgetVersion,
    DocumentKind,
    Payment,
    ProgressEntry,
    Project,
    ProjectCodeCounter,
    ProjectDocument,
    ProjectOutput,
    ProjectTransition,
    RequiredDocument,
    Status,
    TransitionAmount,
)
from .selectors import is_beneficiary_member
from .workflow import STEP_DOCUMENT_KIND, STEPS_BY_KEY


def _money(value):
    return format_vnd(value)


def _day(value):
    return date_format(value, "d/m/Y")


# --- support ceilings ---------------------------------------------------------------------------


# --- budget -------------------------------------------------------------------------------------


def _clean_lines(lines, *, lead_fund, total_cost):
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
    total = sum(cleaned.values())
    if total != int(total_cost):
        raise ValidationError(
            _("Các dòng kinh phí cộng lại %(sum)s, khác tổng kinh phí %(total)s.")
            % {"sum": _money(total), "total": _money(total_cost)}
        )
    return cleaned


def _state_support(lines):
    return sum(amount for source, amount in lines.items() if source.is_state_support)


def _write_budget(project, *, lines, number, user, decision_number="", decision_date=None, reason=""):
    budget = BudgetVersion(
        project=project,
        number=number,
        total_cost=project.total_cost,
        eligible_cost=project.eligible_cost,
        units_covered=project.units_covered,
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


def budget_lines(project, budget=None):
    """{FundingSource: amount} of a budget version (the current one by default)."""
    budget = budget or project.current_budget
    if budget is None:
        return {}
    return {line.funding_source: line.amount for line in budget.lines.select_related("funding_source")}


# --- creation and editing -----------------------------------------------------------------------


def _allocate_code(year, lead_fund):
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


def _refresh_search(project):
    names = [a.name for a in project.beneficiaries.all()] + [c.full_name for c in project.communes.all()]
    project.search_text = search_text(project.code, project.title, project.implementing_unit, *names)
    project.sort_key = sort_key(project.title)
    Project.objects.filter(pk=project.pk).update(search_text=project.search_text, sort_key=project.sort_key)


def _set_outputs(project, outputs):
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


def _check_variant(activity, variant):
    if variant is not None and variant.activity_id != activity.pk:
        raise ValidationError({"variant": _("Trường hợp không thuộc hoạt động đã chọn.")})
    if variant is None and activity.variants.exists():
        raise ValidationError({"variant": _("Chọn trường hợp của hoạt động.")})


def _apply_fields(project, data):
    text_fields = ("title", "implementing_unit", "objectives", "content")
    for name in text_fields:
        if name in data:
            setattr(
                project,
                name,
                clean_text(data[name])
                if name in ("title", "implementing_unit")
                else (data[name] or "").strip(),
            )
    for name in (
        "year",
        "activity",
        "variant",
        "lead_fund",
        "start_date",
        "end_date",
        "total_cost",
        "units_covered",
    ):
        if name in data:
            setattr(project, name, data[name])
    eligible = data.get("eligible_cost")
    project.eligible_cost = project.total_cost if eligible in (None, "") else eligible


def _apply_ceiling(project, *, support, on_date):
    """Refuse `support` above the project's ceiling on `on_date`; flag it when no rule is set."""
    check = ceiling_check(
        activity=project.activity,
        variant=project.variant,
        lead_fund=project.lead_fund,
        support=support,
        eligible_cost=project.eligible_cost,
        units_covered=project.units_covered,
        on_date=on_date,
    )
    if not check.ok:
        raise ValidationError(check.message, code="ceiling")
    project.ceiling_flag = check.flagged
    project.ceiling_note = check.message if check.flagged else ""
    return check


def _draft_ceiling(project, lines, *, on_date):
    return _apply_ceiling(project, support=_state_support(lines), on_date=on_date)


def _require_staff(user):
    if not is_staff_like(user):
        raise ValidationError(_("Chỉ cán bộ Sở được thực hiện thao tác này."), code="forbidden")


@transaction.atomic
def project_create(
    *,
    user,
    data,
    lines,
    outputs=(),
    beneficiaries=(),
    communes=(),
    support_request=None,
    code=None,
    status=None,
):
    """Create a draft project with its first budget version. Returns (project, warnings)."""
    _require_staff(user)
    project = Project(created_by=user, support_request=support_request, status=status or Status.DRAFT)
    _apply_fields(project, data)
    _check_variant(project.activity, project.variant)
    cleaned = _clean_lines(lines, lead_fund=project.lead_fund, total_cost=project.total_cost)
    project.state_support = _state_support(cleaned)
    check = _draft_ceiling(project, cleaned, on_date=timezone.localdate())
    project.code = code or _allocate_code(project.year, project.lead_fund)
    project.full_clean()
    project.save()
    project.current_budget = _write_budget(project, lines=cleaned, number=1, user=user)
    project.save(update_fields=["current_budget"])
    project.beneficiaries.set(beneficiaries)
    project.communes.set(communes)
    _set_outputs(project, outputs)
    _refresh_search(project)
    ProjectTransition.objects.create(
        project=project,
        step="create",
        from_status="",
        to_status=project.status,
        actor=user,
        budget=project.current_budget,
    )
    return project, [check.message] if check.flagged else []


@transaction.atomic
def project_create_from_request(*, user, support_request, lead_fund, implementing_unit, data=None):
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
        "units_covered": 1,
    }
    values.update(data or {})
    return project_create(
        user=user,
        data=values,
        lines=lines,
        beneficiaries=[request.applicant],
        communes=[request.applicant.commune],
        support_request=request,
    )


UPDATE_FIELDS = (
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
    "units_covered",
    "state_support",
    "ceiling_flag",
    "ceiling_note",
)


@transaction.atomic
def project_update(
    *, user, project, expected_version, data, lines, outputs=None, beneficiaries=None, communes=None
):
    """Edit a draft or returned project. A stale form (another save since it was opened) is refused;
    the budget of version 1 is rewritten (before approval there is no history to keep)."""
    _require_staff(user)
    current = Project.objects.select_for_update().get(pk=project.pk)
    if current.version != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")
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
    _apply_fields(current, data)
    _check_variant(current.activity, current.variant)
    cleaned = _clean_lines(lines, lead_fund=current.lead_fund, total_cost=current.total_cost)
    current.state_support = _state_support(cleaned)
    check = _draft_ceiling(current, cleaned, on_date=timezone.localdate())
    current.full_clean()
    current.save(update_fields=[*UPDATE_FIELDS, "updated_at"])
    Project.objects.filter(pk=current.pk).update(version=current.version + 1)
    current.version += 1
    budget = current.current_budget
    BudgetVersion.objects.filter(pk=budget.pk).update(
        total_cost=current.total_cost,
        eligible_cost=current.eligible_cost,
        units_covered=current.units_covered,
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
    _refresh_search(current)
    return current, [check.message] if check.flagged else []


# --- documents ----------------------------------------------------------------------------------

# The files stored during the outermost service call that is under way (see removes_files_on_error).
_stored_files = contextvars.ContextVar("projects_stored_files", default=None)


def removes_files_on_error(func):
    """A file stored by a service that then fails (a later check, a database constraint) is deleted
    once its transaction has rolled back: no orphan stays on disk. Put it above @transaction.atomic."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if _stored_files.get() is not None:  # an outer call cleans up
            return func(*args, **kwargs)
        stored = []
        token = _stored_files.set(stored)
        try:
            return func(*args, **kwargs)
        except BaseException:
            for file in stored:
                file.storage.delete(file.name)
            raise
        finally:
            _stored_files.reset(token)

    return wrapper


@removes_files_on_error
@transaction.atomic
def project_document_add(*, user, project, kind, uploaded):
    """Store a checked file (type by content, size limit, random storage name)."""
    if not (is_staff_like(user) or is_beneficiary_member(user, project)):
        raise ValidationError(_("Bạn không có quyền tải tài liệu lên đề án này."), code="forbidden")
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Loại tài liệu không hợp lệ.")})
    if has_role(user, Role.APPLICANT) and not is_staff_like(user):
        if project.status in CLOSED_STATUSES:
            raise ValidationError(
                _("Đề án đã “%(status)s”: cơ sở không còn tài liệu phải nộp.")
                % {"status": project.get_status_display()}
            )
        asked = set(
            required_documents(project)
            .filter(provider=RequiredDocument.Provider.APPLICANT)
            .values_list("kind", flat=True)
        )
        if kind not in asked:
            raise ValidationError({"kind": _("Cơ sở chỉ tải lên các tài liệu được yêu cầu.")})
    allowed = None
    if kind == DocumentKind.PHOTO:
        allowed = {"jpg", "jpeg", "png"}
    extension, content_type = check_upload(uploaded, allowed=allowed)
    original = clean_text(uploaded.name)[:255]
    uploaded.name = safe_storage_name(original)
    document = ProjectDocument(
        project=project,
        kind=kind,
        file=uploaded,
        original_name=original,
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=user,
    )
    try:
        document.save()
    finally:
        if document.file.name and document.file.storage.exists(document.file.name):
            files = _stored_files.get()
            if files is not None:
                files.append(document.file)
    return document


def required_documents(project, step=None):
    """The checklist rows of the project's activity (and those for every activity)."""
    from django.db.models import Q

    rows = RequiredDocument.objects.filter(Q(activity=project.activity_id) | Q(activity__isnull=True))
    if step:
        rows = rows.filter(step=step)
    return rows


def missing_documents(project, step):
    have = set(project.documents.values_list("kind", flat=True))
    return [row for row in required_documents(project, step) if row.kind not in have]


# --- the workflow -------------------------------------------------------------------------------


def _missing(value):
    return value is None or value == "" or value == {} or value == []


def _clean_amounts(project, amounts, label):
    """{funding source code: amount} for the state-support sources; the lead fund is required."""
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


def _paid(project):
    return project.payments.aggregate(total=Sum("amount"))["total"] or 0


@removes_files_on_error
@transaction.atomic
def project_transition(*, user, project, step, data=None, expected_version=None):
    """Apply one step of the table (projects.workflow.STEPS): the role must be named, the project
    must be in a from-state, every field the step records must be given; the step's own checks
    run; a history row is written with the typed fields. Refusals change nothing."""
    data = dict(data or {})
    spec = STEPS_BY_KEY.get(step)
    if spec is None:
        raise ValidationError(_("Bước “%(step)s” không có trong quy trình.") % {"step": step})
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("activity", "variant", "lead_fund")
        .get(pk=project.pk)
    )
    if expected_version is not None and project.version != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")
    if not has_role(user, *spec.roles):
        raise ValidationError(
            _("Bạn không có quyền thực hiện bước “%(step)s”.") % {"step": spec.label}, code="forbidden"
        )
    if not spec.allows(project.status):
        raise ValidationError(
            _("Không thể “%(step)s” đề án đang ở trạng thái “%(status)s”.")
            % {"step": spec.label, "status": project.get_status_display()},
            code="not_allowed",
        )
    errors = {}
    for f in spec.fields:
        if _missing(data.get(f.name)):
            errors[f.name] = _("Bước này cần “%(field)s”.") % {"field": f.label}
    if errors:
        raise ValidationError(errors)

    row = ProjectTransition(
        project=project,
        step=step,
        from_status=project.status,
        to_status=spec.target,
        actor=user,
        comment=(data.get("comment") or "").strip(),
        reason=(data.get("reason") or "").strip(),
    )
    amounts = {}
    if "amounts" in {f.name for f in spec.fields}:
        amounts = _clean_amounts(
            project, data["amounts"], spec.fields[[f.name for f in spec.fields].index("amounts")].label
        )
    total_amount = sum(amounts.values())
    lines = budget_lines(project)

    if step == "submit":
        missing = missing_documents(project, "submit")
        if missing:
            raise ValidationError(
                _("Chưa đủ tài liệu để trình: %(docs)s.")
                % {"docs": ", ".join(str(r.get_kind_display()) for r in missing)}
            )
        _check_lines_add_up(project, lines)
        check = _draft_ceiling(project, lines, on_date=timezone.localdate())
        project.save(update_fields=["ceiling_flag", "ceiling_note"])
        if check.flagged:
            row.comment = (row.comment + "\n" + check.message).strip()
    elif step == "appraise":
        if data["appraisal_result"] not in ProjectTransition.AppraisalResult.values:
            raise ValidationError({"appraisal_result": _("Kết quả thẩm định là Đạt hoặc Không đạt.")})
        row.appraisal_result = data["appraisal_result"]
        row.appraisal_date = data["appraisal_date"]
    elif step == "approve":
        if data["decision_date"] > timezone.localdate():
            raise ValidationError({"decision_date": _("Ngày quyết định không được sau hôm nay.")})
        for source, amount in amounts.items():
            if amount > lines.get(source, 0):
                raise ValidationError(
                    {
                        "amounts": _(
                            "Kinh phí duyệt của nguồn %(source)s (%(amount)s) vượt dự toán (%(line)s)."
                        )
                        % {
                            "source": source.short_name,
                            "amount": _money(amount),
                            "line": _money(lines.get(source, 0)),
                        }
                    }
                )
        _apply_ceiling(project, support=total_amount, on_date=data["decision_date"])
        row.decision_number = clean_text(data["decision_number"])
        row.decision_date = data["decision_date"]
        project.decision_number, project.decision_date = row.decision_number, row.decision_date
        approved = _approved_lines(lines, amounts)
        if approved != lines:  # the decision's budget becomes current; the proposal stays in history
            project.current_budget = _write_budget(
                project,
                lines=approved,
                number=(project.budget_versions.aggregate(n=Max("number"))["n"] or 0) + 1,
                user=user,
                decision_number=row.decision_number,
                decision_date=row.decision_date,
                reason=_("Kinh phí hỗ trợ theo quyết định phê duyệt"),
            )
        project.state_support = project.approved_support = total_amount
    elif step == "contract":
        value = int(data["contract_value"])
        if value != project.approved_support:
            raise ValidationError(
                {
                    "contract_value": _(
                        "Giá trị hợp đồng (%(value)s) phải bằng kinh phí hỗ trợ được duyệt (%(approved)s); muốn khác phải điều chỉnh bằng quyết định."
                    )
                    % {"value": _money(value), "approved": _money(project.approved_support or 0)}
                }
            )
        if project.decision_date and data["contract_date"] < project.decision_date:
            raise ValidationError(
                {"contract_date": _("Ngày ký hợp đồng không được trước ngày quyết định phê duyệt.")}
            )
        row.contract_number = clean_text(data["contract_number"])
        row.contract_date = data["contract_date"]
        row.contract_parties = clean_text(data["contract_parties"])
        row.contract_value = value
        project.contract_number, project.contract_date, project.contract_value = (
            row.contract_number,
            row.contract_date,
            value,
        )
    elif step == "start":
        if project.contract_date and data["start_date"] < project.contract_date:
            raise ValidationError({"start_date": _("Ngày bắt đầu không được trước ngày ký hợp đồng.")})
        row.start_date = project.started_on = data["start_date"]
    elif step == "accept":
        accepted_cost = int(data["accepted_cost"])
        if accepted_cost < 0:
            raise ValidationError({"accepted_cost": _("Số tiền không được âm.")})
        if total_amount > (project.contract_value or 0):
            raise ValidationError(
                {
                    "amounts": _("Kinh phí hỗ trợ nghiệm thu vượt giá trị hợp đồng (%(value)s).")
                    % {"value": _money(project.contract_value or 0)}
                }
            )
        if total_amount > accepted_cost:
            raise ValidationError({"amounts": _("Kinh phí hỗ trợ nghiệm thu vượt tổng kinh phí nghiệm thu.")})
        paid = _paid(project)
        if total_amount < paid:  # every payment stays within the accepted support (workflow.md)
            raise ValidationError(
                {
                    "amounts": _(
                        "Kinh phí hỗ trợ nghiệm thu (%(value)s) thấp hơn số đã tạm ứng (%(paid)s): "
                        "thu hồi phần tạm ứng thừa trước khi nghiệm thu."
                    )
                    % {"value": _money(total_amount), "paid": _money(paid)}
                }
            )
        if project.started_on and data["acceptance_date"] < project.started_on:
            raise ValidationError(
                {"acceptance_date": _("Ngày nghiệm thu không được trước ngày bắt đầu thực hiện.")}
            )
        row.acceptance_number = clean_text(data["acceptance_number"])
        row.acceptance_date = data["acceptance_date"]
        row.accepted_cost = accepted_cost
        project.acceptance_number, project.acceptance_date = row.acceptance_number, row.acceptance_date
        project.accepted_cost, project.accepted_support = accepted_cost, total_amount
    elif step == "settle":
        actual_cost = int(data["actual_cost"])
        if total_amount > (project.accepted_support or 0):
            raise ValidationError(
                {
                    "amounts": _("Kinh phí hỗ trợ quyết toán vượt kinh phí hỗ trợ nghiệm thu (%(value)s).")
                    % {"value": _money(project.accepted_support or 0)}
                }
            )
        paid = _paid(project)
        if paid != total_amount:
            raise ValidationError(
                _("Các khoản đã chi (%(paid)s) phải bằng kinh phí hỗ trợ quyết toán (%(support)s).")
                % {"paid": _money(paid), "support": _money(total_amount)}
            )
        row.actual_cost = actual_cost
        row.liquidation_number = clean_text(data["liquidation_number"])
        project.actual_cost, project.actual_support = actual_cost, total_amount
        project.settled_on = timezone.localdate()
    elif step == "stop":
        row.decision_number = clean_text(data["decision_number"])
        row.decision_date = data["decision_date"]

    document = data.get("document")
    if document is not None and "document" in {f.name for f in spec.fields}:
        if not isinstance(document, ProjectDocument):
            document = project_document_add(
                user=user,
                project=project,
                kind=STEP_DOCUMENT_KIND.get(step, DocumentKind.OTHER),
                uploaded=document,
            )
        elif document.project_id != project.pk:
            raise ValidationError({"document": _("Tài liệu không thuộc đề án này.")})
        row.document = document

    row.budget = project.current_budget
    row.full_clean()
    row.save()
    TransitionAmount.objects.bulk_create(
        [TransitionAmount(transition=row, funding_source=s, amount=a) for s, a in amounts.items()]
    )
    project.status = spec.target
    project.version += 1
    project.full_clean()
    project.save()
    _notify_transition(project, spec, user)
    return project


def _approved_lines(lines, amounts):
    """The budget lines as approved: each state-support source at its approved amount (a source
    left out is approved at 0); what the State does not cover moves to the counterpart."""
    approved = {s: a for s, a in lines.items() if not s.is_state_support}
    approved.update({s: a for s, a in amounts.items() if a})
    cut = sum(lines.values()) - sum(approved.values())
    if cut:
        counterpart = FundingSource.objects.get(code=FundingSource.COUNTERPART)
        approved[counterpart] = approved.get(counterpart, 0) + cut
    return approved


def _check_lines_add_up(project, lines):
    if sum(lines.values()) != project.total_cost:
        raise ValidationError(
            _("Các dòng kinh phí cộng lại %(sum)s, khác tổng kinh phí %(total)s.")
            % {"sum": _money(sum(lines.values())), "total": _money(project.total_cost)}
        )


def _beneficiary_users(project):
    users = []
    for applicant in project.beneficiaries.select_related("owner").prefetch_related("members"):
        users.append(applicant.owner)
        users.extend(applicant.members.all())
    return users


def _notify_transition(project, spec, user):
    from django.contrib.auth import get_user_model

    recipients = _beneficiary_users(project)
    if spec.target == Status.APPRAISED:
        recipients += list(get_user_model().objects.filter(groups__name=Role.LEADER, is_active=True))
    recipients = [u for u in recipients if u is not None and u != user]
    if recipients:
        notify(
            recipients=recipients,
            event=Event.PROJECT_TRANSITION,
            title=_("Đề án %(code)s: %(status)s")
            % {"code": project.code, "status": project.get_status_display()},
            body=project.title,
            url=f"/de-an/{project.pk}/",
        )


# --- adjustments --------------------------------------------------------------------------------


@transaction.atomic
def project_adjust(
    *,
    user,
    project,
    expected_version,
    decision_number,
    decision_date,
    lines,
    total_cost,
    eligible_cost=None,
    units_covered=None,
    reason="",
    start_date=None,
    end_date=None,
    beneficiaries=None,
    communes=None,
):
    """Điều chỉnh by decision (TT 36/2013/TT-BCT): after approval the budget is frozen; a leader
    records a decision and the budget becomes a new version, checked again against the ceiling in
    force on the decision date. The old version stays in history."""
    if not has_role(user, Role.LEADER):
        raise ValidationError(_("Chỉ lãnh đạo Sở được điều chỉnh đề án đã phê duyệt."), code="forbidden")
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("activity", "variant", "lead_fund")
        .get(pk=project.pk)
    )
    if project.version != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")
    if not project.is_adjustable:
        raise ValidationError(_("Chỉ điều chỉnh đề án đã phê duyệt, đã ký hợp đồng hoặc đang thực hiện."))
    decision_number = clean_text(decision_number)
    if not decision_number or not decision_date:
        raise ValidationError(_("Điều chỉnh cần số và ngày quyết định."))
    project.total_cost = int(total_cost)
    project.eligible_cost = project.total_cost if eligible_cost in (None, "") else int(eligible_cost)
    if units_covered:
        project.units_covered = int(units_covered)
    if start_date:
        project.start_date = start_date
    if end_date:
        project.end_date = end_date
    cleaned = _clean_lines(lines, lead_fund=project.lead_fund, total_cost=project.total_cost)
    support = _state_support(cleaned)
    _apply_ceiling(project, support=support, on_date=decision_date)
    if project.contract_value is not None and _paid(project) > support:
        raise ValidationError(_("Kinh phí hỗ trợ mới thấp hơn số đã chi."))
    number = (project.budget_versions.aggregate(n=Max("number"))["n"] or 0) + 1
    budget = _write_budget(
        project,
        lines=cleaned,
        number=number,
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
    project.save()
    if beneficiaries is not None:
        project.beneficiaries.set(beneficiaries)
    if communes is not None:
        project.communes.set(communes)
    if beneficiaries is not None or communes is not None:
        _refresh_search(project)
    ProjectTransition.objects.create(
        project=project,
        step="adjust",
        from_status=project.status,
        to_status=project.status,
        actor=user,
        decision_number=decision_number,
        decision_date=decision_date,
        comment=(reason or "").strip(),
        budget=budget,
    )
    recipients = [u for u in _beneficiary_users(project) if u is not None]
    if recipients:
        notify(
            recipients=recipients,
            event=Event.PROJECT_ADJUSTED,
            title=_("Đề án %(code)s được điều chỉnh") % {"code": project.code},
            body=_("Quyết định số %(number)s") % {"number": decision_number},
            url=f"/de-an/{project.pk}/",
        )
    return project


# --- progress and payments ----------------------------------------------------------------------


def _check_version(project, expected_version):
    """Forms on the project page carry the version they were opened at (None: a caller without a
    form, such as demo data); a stale one is refused. Called under the project's row lock."""
    if expected_version is not None and project.version != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")


def _bump_version(project):
    Project.objects.filter(pk=project.pk).update(version=project.version + 1)
    project.version += 1


@removes_files_on_error
@transaction.atomic
def progress_entry_add(
    *, user, project, month, percent, spent=0, notes="", document=None, expected_version=None
):
    """A monthly progress entry while the project is in progress (by the 25th, TT 36/2013)."""
    _require_staff(user)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_version(project, expected_version)
    if project.status != Status.IN_PROGRESS:
        raise ValidationError(_("Chỉ báo cáo tiến độ khi đề án đang thực hiện."))
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": _("Chưa đến tháng %(month)s.") % {"month": month.strftime("%m/%Y")}})
    if project.started_on and month < project.started_on.replace(day=1):
        raise ValidationError(
            {
                "month": _("Tháng %(month)s trước ngày bắt đầu thực hiện (%(start)s).")
                % {"month": month.strftime("%m/%Y"), "start": _day(project.started_on)}
            }
        )
    if ProgressEntry.objects.filter(project=project, month=month).exists():
        raise ValidationError(
            {"month": _("Tháng %(month)s đã có báo cáo tiến độ.") % {"month": month.strftime("%m/%Y")}}
        )
    if document is not None and not isinstance(document, ProjectDocument):
        document = project_document_add(
            user=user, project=project, kind=DocumentKind.PROGRESS_REPORT, uploaded=document
        )
    entry = ProgressEntry(
        project=project,
        month=month,
        percent=percent,
        spent=spent or 0,
        notes=(notes or "").strip(),
        document=document,
        created_by=user,
    )
    entry.full_clean()
    entry.save()
    _bump_version(project)
    return entry


def advance_rule(project, on_date):
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
    def balance(self):
        return max(0, self.ceiling - self.paid)


def payment_position(project, on_date=None):
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
def payment_record(*, user, project, kind, amount, paid_on, reference="", expected_version=None):
    """Advances in contracted/in progress within the advance share and its progress condition;
    payments after acceptance within the accepted support."""
    _require_staff(user)
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("activity", "variant", "lead_fund")
        .get(pk=project.pk)
    )
    _check_version(project, expected_version)
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
                % {"date": _day(paid_on)}
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
                    "total": _money(position.advances + amount),
                    "limit": _money(position.advance_limit),
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
                % {"total": _money(position.paid + amount), "limit": _money(project.accepted_support or 0)}
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
    _bump_version(project)
    return payment

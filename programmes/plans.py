"""Annual plans (issue 12): services and selectors. A plan is drafted by staff with its items,
submitted, and approved by a leader who records the decision (programmes.plans_workflow). An
adjustment after approval is a new version copying the approved items (same line numbers), which
goes through the same steps; every version stays. Refusals raise a ValidationError in Vietnamese
and change nothing."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from accounts.roles import Role, user_roles
from core.concurrency import STALE_MESSAGE
from core.workflow import StepContext, apply_step

from . import plans_workflow
from .models import ActivityType, ActivityVariant, AnnualPlan, FundingSource, PlanItem, Programme

EDITORS = frozenset({Role.STAFF, Role.LEADER})
ITEM_FIELDS = (
    "activity",
    "variant",
    "label",
    "planned_quantity",
    "unit",
    "planned_support",
    "expected_counterpart",
    "beneficiaries_foreseen",
)


def _require_editor(user) -> None:
    if not (user_roles(user) & EDITORS):
        raise ValidationError(_("Bạn không có quyền lập kế hoạch khuyến công."), code="forbidden")


def _lock(plan: AnnualPlan) -> AnnualPlan:
    return (
        AnnualPlan.objects.select_for_update(of=("self",))
        .select_related("funding_source", "previous")
        .get(pk=plan.pk)
    )


def _check_version(plan: AnnualPlan, expected_version) -> None:
    """Under the plan's row lock: a form opened on an older version of the plan is refused (None:
    a caller without a form, such as the demo data)."""
    if expected_version is not None and plan.version != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")


def _bump(plan: AnnualPlan) -> None:
    AnnualPlan.objects.filter(pk=plan.pk).update(version=F("version") + 1)
    plan.version += 1


def _require_draft(plan: AnnualPlan) -> None:
    if plan.status != AnnualPlan.Status.DRAFT:
        raise ValidationError(
            _("Chỉ sửa được kế hoạch ở trạng thái dự thảo (đang: %(status)s).")
            % {"status": plan.get_status_display()},
            code="not_draft",
        )


@transaction.atomic
def plan_create(*, user, year: int, funding_source: FundingSource, note: str = "") -> AnnualPlan:
    """A new plan (version 0) of the current programme for a year within it and a lead fund."""
    _require_editor(user)
    programme = Programme.objects.get(is_current=True)
    if year not in programme.years:
        raise ValidationError(
            {
                "year": _("Năm kế hoạch phải trong giai đoạn %(start)s–%(end)s.")
                % {"start": programme.start_year, "end": programme.end_year}
            }
        )
    if not funding_source.can_lead:
        raise ValidationError({"funding_source": _("Kế hoạch lập cho nguồn KCQG hoặc KCĐP.")})
    if AnnualPlan.objects.filter(year=year, funding_source=funding_source).exists():
        raise ValidationError(
            _("Đã có kế hoạch %(source)s năm %(year)s: điều chỉnh kế hoạch đó thay vì lập mới.")
            % {"source": funding_source.short_name, "year": year},
            code="plan_exists",
        )
    plan = AnnualPlan(
        programme=programme, year=year, funding_source=funding_source, note=note, created_by=user
    )
    plan.full_clean()
    plan._history_user = user  # the audit trail (core.audit)
    plan.save()
    return plan


def _clean_item(plan: AnnualPlan, data: dict) -> dict:
    activity = data.get("activity")
    if not isinstance(activity, ActivityType) or activity.programme_id != plan.programme_id:
        raise ValidationError({"activity": _("Chọn một hoạt động của chương trình.")})
    variant = data.get("variant")
    if variant is not None and (
        not isinstance(variant, ActivityVariant) or variant.activity_id != activity.pk
    ):
        raise ValidationError({"variant": _("Trường hợp không thuộc hoạt động đã chọn.")})
    for name in ("planned_support", "expected_counterpart", "planned_quantity"):
        if int(data.get(name) or 0) < 0:
            raise ValidationError({name: _("Số không được âm.")})
    return {name: data.get(name) for name in ITEM_FIELDS if name in data}


@transaction.atomic
def plan_item_save(
    *,
    user,
    plan: AnnualPlan,
    data: dict,
    item: PlanItem | None = None,
    communes=None,
    expected_version=None,
) -> PlanItem:
    """Add (or change) an item of a draft plan; the item is in the plan's year."""
    _require_editor(user)
    plan = _lock(plan)
    _check_version(plan, expected_version)
    _require_draft(plan)
    values = _clean_item(plan, data)
    if item is None:
        line = (plan.items.aggregate(m=Max("line"))["m"] or 0) + 1
        item = PlanItem(plan=plan, line=line, year=plan.year)
    elif item.plan_id != plan.pk:
        raise ValidationError(_("Mục này không thuộc kế hoạch."))
    for name, value in values.items():
        setattr(item, name, value)
    item.year = plan.year
    item.full_clean()
    item._history_user = user  # the audit trail (core.audit)
    item.save()
    if communes is not None:
        item.communes.set(communes)
    _bump(plan)
    return item


@transaction.atomic
def plan_item_delete(*, user, item: PlanItem, expected_version=None) -> None:
    _require_editor(user)
    plan = _lock(item.plan)
    _check_version(plan, expected_version)
    _require_draft(plan)
    if item.projects.exists():
        raise ValidationError(_("Mục đã có đề án gắn vào nên không xóa được."), code="item_in_use")
    item._history_user = user  # the audit trail (core.audit)
    item.delete()
    _bump(plan)


@transaction.atomic
def plan_transition(
    *, user, plan: AnnualPlan, step: str, data: dict | None = None, expected_version=None
) -> StepContext:
    """Apply one step of programmes.plans_workflow.STEPS (guard, handler, history row)."""
    plan = _lock(plan)
    _check_version(plan, expected_version)
    context = apply_step(
        plans_workflow.WORKFLOW, obj=plan, key=step, user=user, data=data, new_row=plans_workflow.new_event
    )
    _bump(plan)
    return context


@transaction.atomic
def plan_adjustment_start(*, user, plan: AnnualPlan, reason: str, expected_version=None) -> AnnualPlan:
    """A new draft version of the plan in force, with its items (same lines) and the reason; it is
    submitted and approved with its own decision. Only the latest approved version is adjusted,
    one adjustment at a time."""
    _require_editor(user)
    plan = _lock(plan)
    _check_version(plan, expected_version)
    if plan.status != AnnualPlan.Status.APPROVED:
        raise ValidationError(_("Chỉ điều chỉnh kế hoạch đã được phê duyệt."), code="not_approved")
    if AnnualPlan.objects.filter(
        year=plan.year, funding_source=plan.funding_source, revision__gt=plan.revision
    ).exists():
        raise ValidationError(
            _("Kế hoạch này đã có phiên bản điều chỉnh; điều chỉnh phiên bản mới nhất."),
            code="has_adjustment",
        )
    if not (reason or "").strip():
        raise ValidationError({"adjustment_reason": _("Cần ghi lý do điều chỉnh.")})
    new = AnnualPlan(
        programme=plan.programme,
        year=plan.year,
        funding_source=plan.funding_source,
        revision=plan.revision + 1,
        previous=plan,
        adjustment_reason=reason.strip(),
        note=plan.note,
        created_by=user,
    )
    new.full_clean()
    new.save()
    for item in plan.items.prefetch_related("communes"):
        communes = list(item.communes.all())
        item.pk = None
        item._state.adding = True
        # the copy must not read the original's prefetched communes: set() would find them there
        # already and add none
        item._prefetched_objects_cache = {}
        item.plan = new
        item.save()
        item.communes.set(communes)
    return new


def plan_in_force(*, year: int, funding_source) -> AnnualPlan | None:
    """The approved version of the highest revision of the year's plan of that source."""
    return (
        AnnualPlan.objects.filter(year=year, funding_source=funding_source, status=AnnualPlan.Status.APPROVED)
        .order_by("-revision")
        .first()
    )


def plan_versions(plan: AnnualPlan):
    """Every version of the plan's year and source, oldest first."""
    return AnnualPlan.objects.filter(year=plan.year, funding_source=plan.funding_source).order_by("revision")

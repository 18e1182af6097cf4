"""The annual plan's workflow on the one engine (core.workflow; workflow.md, Annual plans):
draft → submitted (staff) → approved (a leader records the decision) or back to draft with what
must change (staff or leader). An adjustment after approval is a new version of the plan
(programmes.plans.plan_adjustment_start), not a state. State keys are ASCII; labels translated."""

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, user_roles
from core.workflow import Field, Step, Workflow

from . import plans_steps as handlers
from .models import AnnualPlan, AnnualPlanEvent, DecisionIssuer

Status = AnnualPlan.Status
STAFF = frozenset({Role.STAFF})
LEADERS = frozenset({Role.LEADER})
STAFF_OR_LEADER = STAFF | LEADERS

STEPS = (
    Step(
        "submit",
        _("Trình kế hoạch"),
        frozenset({Status.DRAFT}),
        Status.SUBMITTED,
        STAFF,
        handler=handlers.submit,
    ),
    Step(
        "return",
        _("Trả lại để sửa"),
        frozenset({Status.SUBMITTED}),
        Status.DRAFT,
        STAFF_OR_LEADER,
        (Field("comment", "note", _("Nội dung cần sửa"), record=False),),
        button="warning",
        handler=handlers.record_comment,
    ),
    Step(
        "approve",
        _("Ghi quyết định phê duyệt"),
        frozenset({Status.SUBMITTED}),
        Status.APPROVED,
        LEADERS,
        (
            Field("decision_number", "text", _("Số quyết định"), copy_to="decision_number"),
            Field("decision_date", "date", _("Ngày quyết định"), copy_to="decision_date"),
            Field("issuer", "choice", _("Cơ quan ban hành quyết định"), copy_to="issuer"),
            Field("comment", "note", _("Ý kiến"), required=False),
        ),
        handler=handlers.approve,
    ),
)
STEPS_BY_KEY = {step.key: step for step in STEPS}

WORKFLOW = Workflow(
    STEPS,
    roles_of=user_roles,
    state_label=lambda plan: plan.get_status_display(),
    not_allowed_message=_("Không thể “%(step)s” khi kế hoạch đang ở trạng thái “%(status)s”."),
)

ISSUER_CHOICES = DecisionIssuer.Issuer.choices


def new_event(*, obj, step, user, data) -> AnnualPlanEvent:
    return AnnualPlanEvent(plan=obj, step=step.key, from_status=obj.status, to_status=step.target, actor=user)

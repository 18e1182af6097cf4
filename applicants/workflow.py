"""The triage of a support request, as a table on core.workflow: staff accept a submitted request
(it may then become a project), decline it with a reason, or return it for more information (the
applicant edits and resubmits). The service `support_request_triage`, the buttons on the staff
request page, the triage form's choices and the tests all read `TRIAGE`. Each step's history row is
a `SupportRequestEvent`."""

from django.utils.translation import gettext_lazy as _

from accounts.notifications import Event
from accounts.roles import Role, user_roles
from core.text import nfc
from core.workflow import Field, Step, StepContext, Workflow

from .models import SupportRequest, SupportRequestEvent

Status = SupportRequest.Status
STAFF_ROLES = frozenset({Role.STAFF, Role.LEADER})  # a leader may do all that staff may


def _record_reason(context: StepContext) -> None:
    """The reason is the event's comment, kept as written (line breaks included)."""
    context.row.comment = nfc(context.data.get("reason") or "").strip()


def _reason(required: bool) -> Field:
    # record=False: the handler writes it, unflattened, as the event's comment.
    return Field("reason", "text", _("Lý do"), required=required, record=False)


# The order is the order of the buttons.
TRIAGE = Workflow(
    [
        Step(
            "accept",
            _("Chấp nhận"),
            frozenset({Status.SUBMITTED}),
            Status.ACCEPTED,
            STAFF_ROLES,
            (_reason(False),),
            button="primary",
            handler=_record_reason,
        ),
        Step(
            "return",
            _("Trả lại để bổ sung"),
            frozenset({Status.SUBMITTED}),
            Status.RETURNED,
            STAFF_ROLES,
            (_reason(True),),
            button="warning",
            handler=_record_reason,
        ),
        Step(
            "decline",
            _("Không chấp nhận"),
            frozenset({Status.SUBMITTED}),
            Status.DECLINED,
            STAFF_ROLES,
            (_reason(True),),
            button="danger",
            handler=_record_reason,
        ),
    ],
    roles_of=user_roles,
    state_label=lambda request: request.get_status_display(),
)

# What the applicant's people are told after each step.
TRIAGE_EVENTS = {
    "accept": Event.REQUEST_ACCEPTED,
    "return": Event.REQUEST_RETURNED,
    "decline": Event.REQUEST_DECLINED,
}


def new_event(*, obj, step, user, data) -> SupportRequestEvent:
    """The unsaved history row of a step (the engine fills and saves it)."""
    return SupportRequestEvent(request=obj, from_status=obj.status, to_status=step.target, actor=user)

"""The unit report's workflow, declared for the one engine (core.workflow): draft → submitted →
accepted, or returned with comments and the day staff want it back → resubmitted. After the period
closes the reports are locked; staff may reopen one report with a reason. The services, the page's
buttons and forms, the timeline and the tests all read `WORKFLOW`. Only Sở officers review (leaders
read the board); a unit's own officials send. State keys are ASCII; only labels are translated."""

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, user_roles
from core.workflow import Field, Step, Workflow

from . import steps as handlers
from .models import UnitReport, UnitReportEvent

Status = UnitReport.Status
REPORTERS = frozenset({Role.UNIT_REPORTER})
REVIEWERS = frozenset({Role.STAFF})

COMMENT = Field("comment", "note", _("Ý kiến"), required=False)
WANTED_BACK_BY = Field("wanted_back_by", "date", _("Hạn đơn vị gửi lại"), copy_to="wanted_back_by")
REASON = Field("reason", "note", _("Lý do mở lại"), record=False)
REOPEN_BY = Field("wanted_back_by", "date", _("Hạn đơn vị gửi lại (nếu có)"), required=False)

STEPS = (
    Step(
        "submit",
        _("Gửi báo cáo"),
        frozenset({Status.DRAFT}),
        Status.SUBMITTED,
        REPORTERS,
        handler=handlers.submit,
    ),
    Step(
        "resubmit",
        _("Gửi lại báo cáo"),
        frozenset({Status.RETURNED}),
        Status.SUBMITTED,
        REPORTERS,
        handler=handlers.submit,
    ),
    Step(
        "accept",
        _("Tiếp nhận báo cáo"),
        frozenset({Status.SUBMITTED}),
        Status.ACCEPTED,
        REVIEWERS,
        (COMMENT,),
        button="primary",
    ),
    Step(
        "return",
        _("Trả lại để bổ sung"),
        frozenset({Status.SUBMITTED}),
        Status.RETURNED,
        REVIEWERS,
        (Field("comment", "note", _("Nội dung cần bổ sung")), WANTED_BACK_BY),
        button="warning",
        handler=handlers.return_to_unit,
    ),
    # One label, two rows (a step has one target): a report already sent goes back to the unit as
    # returned; a draft never sent stays a draft, unlocked.
    Step(
        "reopen",
        _("Mở lại cho đơn vị"),
        frozenset({Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED}),
        Status.RETURNED,
        REVIEWERS,
        (REASON, REOPEN_BY),
        button="outline-danger",
        handler=handlers.reopen,
    ),
    Step(
        "reopen_draft",
        _("Mở lại cho đơn vị"),
        frozenset({Status.DRAFT}),
        Status.DRAFT,
        REVIEWERS,
        (REASON, REOPEN_BY),
        button="outline-danger",
        handler=handlers.reopen,
    ),
)

WORKFLOW = Workflow(
    STEPS,
    roles_of=user_roles,
    state_label=lambda report: report.get_status_display(),
    not_allowed_message=_("Không thể “%(step)s” khi báo cáo đang ở trạng thái “%(status)s”."),
)
SEND_STEPS = frozenset({"submit", "resubmit"})


def new_event(*, obj, step, user, data) -> UnitReportEvent:
    """The unsaved history row of a step (the engine fills and saves it)."""
    return UnitReportEvent(
        report=obj, step=step.key, from_status=obj.status, to_status=step.target, actor=user
    )

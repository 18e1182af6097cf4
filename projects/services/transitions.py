"""Moving a project along its transition table (projects.workflow.WORKFLOW) with the one engine."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import Event, notify
from accounts.selectors import leaders
from core.workflow import Step, StepContext, apply_step

from .. import workflow
from ..models import DocumentKind, Project, ProjectDocument, ProjectTransition, Status, TransitionAmount
from .budget import checked_amounts
from .common import beneficiary_users, check_version, lock_project
from .documents import project_document_add, removes_files_on_error
from .steps import step_amounts


def _new_row(*, obj: Project, step: Step, user: User, data: dict) -> ProjectTransition:
    return ProjectTransition(
        project=obj, step=step.key, from_status=obj.status, to_status=step.target, actor=user
    )


def _attach_document(context: StepContext) -> None:
    """The step's file (an upload, stored as the step's document kind, or a document of this
    project already uploaded) becomes the row's document."""
    document = context.data.get("document")
    if document is None or context.step.field("document") is None:
        return
    project = context.obj
    if not isinstance(document, ProjectDocument):
        document = project_document_add(
            user=context.user,
            project=project,
            kind=context.step.document_kind or DocumentKind.OTHER,
            uploaded=document,
        )
    elif document.project_id != project.pk:
        raise ValidationError({"document": _("Tài liệu không thuộc đề án này.")})
    context.row.document = document


def _before_save(context: StepContext) -> None:
    """What every step shares once its handler has run: the amounts it records, its file and the
    budget version it was taken on."""
    step_amounts(context)
    _attach_document(context)
    context.row.budget = context.obj.current_budget


def _notify_transition(project: Project, step: Step, user: User) -> None:
    recipients = beneficiary_users(project)
    if step.target == Status.APPRAISED:
        recipients += list(leaders())
    recipients = [u for u in recipients if u != user]
    if recipients:
        notify(
            recipients=recipients,
            event=Event.PROJECT_TRANSITION,
            title=_("Đề án %(code)s: %(status)s")
            % {"code": project.code, "status": project.get_status_display()},
            body=project.title,
            url=reverse("projects:detail", args=[project.pk]),
        )


@removes_files_on_error
@transaction.atomic
def project_transition(
    *,
    user: User,
    project: Project,
    step: str,
    data: dict | None = None,
    expected_version: int | str | None = None,
) -> Project:
    """Apply one step of the table (projects.workflow.STEPS): the role must be named, the project
    must be in a from-state, every field the step requires must be given; the step's handler
    runs; one immutable history row is written with the typed fields. Refusals change nothing."""
    project = lock_project(project)
    check_version(project, expected_version)
    context = apply_step(
        workflow.WORKFLOW,
        obj=project,
        key=step,
        user=user,
        data=data,
        new_row=_new_row,
        before_save=_before_save,
    )
    TransitionAmount.objects.bulk_create(
        checked_amounts(context.row, context.extra["amounts"], context.extra.get("ceiling"))
    )
    _notify_transition(project, context.step, user)
    return project

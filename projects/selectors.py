"""Reads of projects, always scoped to the requesting user (a row outside the scope answers 404)."""

import datetime

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, When
from django.http import Http404
from django.utils import timezone

from accounts.roles import Role, user_roles
from applicants.models import Applicant
from programmes.selectors import communes_of

from .models import (
    APPROVED_STATUSES,
    CLOSED_STATUSES,
    COMPLETED_STATUSES,
    DocumentKind,
    ProgressEntry,
    Project,
    ProjectDocument,
    ProjectRules,
    RequiredDocument,
    Status,
)


def projects_visible_to(user):
    """Staff and leaders: every project. A commune official: projects located in, or benefiting a
    facility of, its commune(s). An applicant: projects of which it is a beneficiary. An observer:
    projects whose figures are approved. Scopes of several roles add up."""
    roles = user_roles(user)
    if not roles:
        return Project.objects.none()
    if roles & {Role.STAFF, Role.LEADER}:
        return Project.objects.all()
    scope = Q(pk__in=[])
    if Role.UNIT_REPORTER in roles:
        communes = communes_of(user).values("pk")
        scope |= Q(
            pk__in=Project.communes.through.objects.filter(administrativeunit__in=communes).values("project")
        )
        scope |= Q(
            pk__in=Project.beneficiaries.through.objects.filter(applicant__commune__in=communes).values(
                "project"
            )
        )
    if Role.APPLICANT in roles:
        mine = Applicant.objects.filter(Q(owner=user) | Q(members=user)).values("pk")
        scope |= Q(pk__in=Project.beneficiaries.through.objects.filter(applicant__in=mine).values("project"))
    if Role.OBSERVER in roles:
        scope |= Q(status__in=APPROVED_STATUSES)
    return Project.objects.filter(scope)


def project_for(user, pk):
    project = (
        projects_visible_to(user)
        .select_related("activity__content_area", "variant", "lead_fund", "support_request", "current_budget")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    return project


def may_see_personal_data(user):
    """Beneficiaries' contacts are for staff only (observers and commune officials never)."""
    return bool(user_roles(user) & {Role.STAFF, Role.LEADER})


def is_beneficiary_member(user, project):
    """An applicant account that owns or belongs to one of the project's beneficiaries."""
    return Role.APPLICANT in user_roles(user) and (
        project.beneficiaries.filter(Q(owner=user) | Q(members=user)).exists()
    )


def may_download_documents(user, project):
    """The dossier's files: staff and the project's own beneficiaries. A commune official sees the
    list (names, kinds, dates) but not the files, which may carry personal ID numbers of household
    businesses (design: commune officials read projects without them); observers neither."""
    return bool(user_roles(user) & {Role.STAFF, Role.LEADER}) or is_beneficiary_member(user, project)


def may_upload_documents(user, project):
    """Staff always; the project's own beneficiaries while it is still open."""
    if user_roles(user) & {Role.STAFF, Role.LEADER}:
        return True
    return project.status not in CLOSED_STATUSES and is_beneficiary_member(user, project)


def documents_missing_from_applicants(projects):
    """Set `missing` on each project: the labels of the documents asked of its beneficiary that
    are not uploaded yet (none once the project is closed). Two queries whatever the rows."""
    asked = list(
        RequiredDocument.objects.filter(provider=RequiredDocument.Provider.APPLICANT).values_list(
            "activity_id", "kind"
        )
    )
    have = set(ProjectDocument.objects.filter(project__in=projects).values_list("project_id", "kind"))
    labels = dict(DocumentKind.choices)
    for project in projects:
        project.missing = sorted(
            {
                str(labels[kind])
                for activity_id, kind in asked
                if activity_id in (None, project.activity_id)
                and (project.pk, kind) not in have
                and project.status not in CLOSED_STATUSES
            }
        )
    return projects


def report_due_month(today, started_on=None):
    """The latest month whose progress report is overdue (its 25th has passed), or None when the
    project started after that deadline. A month stays due until its entry is filed: on 03/07 a
    project without a June entry is still late."""
    first = today.replace(day=1)
    due = first if today.day > 25 else (first - datetime.timedelta(days=1)).replace(day=1)
    if started_on is not None and started_on > due.replace(day=25):
        return None
    return due


def approved_figures_only(user):
    """An observer (without a role that sees more) reads what was decided: the approval and what
    followed, not the dossier's preparation (drafts, appraisal, returns and their comments)."""
    roles = user_roles(user)
    return Role.OBSERVER in roles and not roles & {
        Role.STAFF,
        Role.LEADER,
        Role.UNIT_REPORTER,
        Role.APPLICANT,
    }


# The history rows of the preparation, before a decision.
PREPARATION_STEPS = ("create", "submit", "return", "appraise", "cancel")


def project_history(user, project):
    rows = project.transitions.select_related("actor", "document").prefetch_related("amounts__funding_source")
    if approved_figures_only(user):
        rows = rows.exclude(step__in=PREPARATION_STEPS)
    return rows


def step_initial(project, step):
    """What a step's form starts with: its version and the figure the step is checked against
    (approval: the budget's state-support lines; contract: the approved support)."""
    initial = {"version": project.version}
    if step == "approve" and project.current_budget_id:
        for line in project.current_budget.lines.select_related("funding_source"):
            if line.funding_source.is_state_support:
                initial[f"amount_{line.funding_source.code}"] = line.amount
    elif step == "contract":
        initial["contract_value"] = project.approved_support
    return initial


def with_late_flag(queryset, today=None):
    """Annotate `late`: in progress and no entry for the latest month whose 25th has passed (in
    Asia/Ho_Chi_Minh), unless the project started after that 25th."""
    today = today or timezone.localdate()
    due = report_due_month(today)
    has_entry = Exists(ProgressEntry.objects.filter(project=OuterRef("pk"), month=due))
    return queryset.annotate(
        late=Case(
            When(
                Q(status=Status.IN_PROGRESS)
                & (Q(started_on__isnull=True) | Q(started_on__lte=due.replace(day=25)))
                & ~has_entry,
                then=True,
            ),
            default=False,
            output_field=BooleanField(),
        )
    )


def late_to_report(project, today=None):
    """The `late` flag of one project (see with_late_flag)."""
    if project.status != Status.IN_PROGRESS:
        return False
    due = report_due_month(today or timezone.localdate(), project.started_on)
    return due is not None and not project.progress_entries.filter(month=due).exists()


def settlement_cutoff_year(today=None, rules=None):
    """The latest plan year whose settlement deadline (ProjectRules, 22/01 of the next year by
    default) has passed by the end of that day in Asia/Ho_Chi_Minh."""
    today = today or timezone.localdate()
    rules = rules or ProjectRules.current()
    passed = (today.month, today.day) > (rules.settlement_deadline_month, rules.settlement_deadline_day)
    return today.year - 1 if passed else today.year - 2


def with_settlement_overdue(queryset, today=None):
    """Annotate `settlement_overdue`: accepted, not settled, past its settlement deadline."""
    cutoff = settlement_cutoff_year(today)
    return queryset.annotate(
        settlement_overdue=Case(
            When(Q(status=Status.ACCEPTED) & Q(year__lte=cutoff), then=True),
            default=False,
            output_field=BooleanField(),
        )
    )


def settlement_overdue(project, today=None):
    """The `settlement_overdue` flag of one project (see with_settlement_overdue)."""
    return project.status == Status.ACCEPTED and project.year <= settlement_cutoff_year(today)


# --- targets ------------------------------------------------------------------------------------


def _completed_in(programme):
    """Accepted or settled, acceptance inside the programme's years (design.md: never draft,
    rejected, cancelled or earlier years)."""
    return Project.objects.filter(
        status__in=COMPLETED_STATUSES,
        acceptance_date__gte=datetime.date(programme.start_year, 1, 1),
        acceptance_date__lte=datetime.date(programme.end_year, 12, 31),
        activity__programme=programme,
    )


def target_achieved(programme, measure):
    """What a programme target has achieved, counted from projects (design.md, Target)."""
    projects = _completed_in(programme)
    if measure == "demo_models":
        return projects.filter(activity__code="2a").count()
    if measure == "machinery_facilities":
        return Applicant.objects.filter(projects__in=projects.filter(activity__code="2b")).aggregate(
            n=Count("pk", distinct=True)
        )["n"]
    if measure == "selection_rounds":
        return projects.filter(activity__code="3a", variant__key="provincial_round").count()
    if measure == "trademarks":
        return Applicant.objects.filter(
            projects__in=projects.filter(activity__code="3c", variant__key="trademark")
        ).aggregate(n=Count("pk", distinct=True))["n"]
    return 0

"""Reads of projects, always scoped to the requesting user (a row outside the scope answers 404)."""

import calendar
import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, has_role, user_roles
from applicants.models import Applicant
from applicants.selectors import applicants_of
from core.deadlines import days_left, is_late, local_zone
from core.kept import kept
from core.listing import Listing, int_filter, options_html
from core.money import format_vnd
from core.workflow import Step, form_initial, timeline
from programmes.models import (
    ActivityType,
    AdministrativeUnit,
    ApprovalRules,
    ContentArea,
    DecisionIssuer,
    FundingSource,
)
from programmes.selectors import communes_named, communes_of

# Module references: services and the workflow read selectors too, so names are looked up on call.
from . import services, workflow
from .list_rows import rows_html
from .models import (
    APPROVED_STATUSES,
    CLOSED_STATUSES,
    COMPLETED_STATUSES,
    CURRENT_SUPPORT,
    AdvanceRecovery,
    BudgetLine,
    BudgetVersion,
    DocumentKind,
    Payment,
    ProgressEntry,
    Project,
    ProjectDocument,
    ProjectRules,
    ProjectTransition,
    RequiredDocument,
    Status,
    TransitionAmount,
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
        mine = applicants_of(user).values("pk")
        scope |= Q(pk__in=Project.beneficiaries.through.objects.filter(applicant__in=mine).values("project"))
    if Role.OBSERVER in roles:
        scope |= Q(status__in=APPROVED_STATUSES)
    return Project.objects.filter(scope)


# What the project's pages read with it (the forms, the steps, the PDF summary).
PROJECT_RELATED = (
    "activity__content_area",
    "variant",
    "lead_fund",
    "support_request",
    "current_budget",
    "plan_item__plan__funding_source",
)
# The project page joins only what it always shows: PostgreSQL spent 2 ms planning the ten-table
# join of PROJECT_RELATED for 0.4 ms of execution (0.4 ms with these four tables, issue 14). The
# page finds the current budget among its budget versions, reads the support request's code only
# when there is one, and the plan item apart (plan_pages.project_plan_context).
PROJECT_PAGE_RELATED = ("activity__content_area", "variant", "lead_fund")


def project_for(user, pk, related=PROJECT_RELATED):
    project = projects_visible_to(user).select_related(*related).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def may_see_personal_data(user):
    """Beneficiaries' contacts are for staff only (observers and commune officials never)."""
    return bool(user_roles(user) & {Role.STAFF, Role.LEADER})


def is_beneficiary_member(user, project):
    """An applicant account that owns or belongs to one of the project's beneficiaries."""
    return Role.APPLICANT in user_roles(user) and (
        project.beneficiaries.filter(pk__in=applicants_of(user).values("pk")).exists()
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


# The steps an appraiser takes: neither may be taken by who prepared the đề án while
# programmes.ApprovalRules says so (the service refuses them: projects.services.steps).
APPRAISAL_STEPS = frozenset({"appraise", "appraise_fail"})


def appraisal_kept_from(user, project) -> ApprovalRules | None:
    """The rules that keep `user` from appraising `project`, when `user` prepared it (created it
    or last submitted it) and the rules keep the appraiser apart from the preparer; else None."""
    if project.status not in workflow.STEPS_BY_KEY["appraise"].sources:
        return None
    rules = ApprovalRules.current()
    if rules.appraiser_not_preparer and user.pk in services.steps.preparers(project):
        return rules
    return None


def _project_steps(user, project) -> tuple[list[Step], ApprovalRules | None]:
    steps = workflow.steps_for(user, project.status)
    rules = appraisal_kept_from(user, project) if any(s.key in APPRAISAL_STEPS for s in steps) else None
    if rules is not None:
        steps = [s for s in steps if s.key not in APPRAISAL_STEPS]
    return steps, rules


def project_steps(user, project) -> list[Step]:
    """The steps the page offers `user` on `project`: the table's (workflow.steps_for) without the
    appraisal for its preparer (see appraisal_kept_from)."""
    return _project_steps(user, project)[0]


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
PREPARATION_STEPS = ("create", "submit", "return", "appraise", "appraise_fail", "cancel")


def project_history(user, project):
    # the amounts of one transition in the sources' order (the model's ordering would join the
    # transitions again to sort by them: the prefetch groups the rows by transition anyway)
    amounts = TransitionAmount.objects.select_related("funding_source").order_by(
        "transition_id", "funding_source__sort_order"
    )
    rows = project.transitions.select_related("actor", "document").prefetch_related(
        Prefetch("amounts", queryset=amounts)
    )
    if approved_figures_only(user):
        rows = rows.exclude(step__in=PREPARATION_STEPS)
    return rows


def project_timeline(user, project) -> list[dict]:
    """The page's timeline: each history row the user may see with the fields its step declares
    (core.workflow.timeline over projects.workflow), a choice shown by its label."""
    entries = timeline(workflow.STEPS + workflow.HISTORY_STEPS, project_history(user, project))
    statuses = choice_labels(ProjectTransition, "to_status")
    for entry in entries:
        row = entry["row"]
        row.to_status_label = statuses.get(row.to_status, row.to_status)
        entry["values"] = [
            (f, choice_labels(type(row), f.name).get(value, value) if f.kind == "choice" else value)
            for f, value in entry["values"]
        ]
    return entries


def step_initial(project, step: Step) -> dict:
    """What a step's form starts with: its version and the figures its fields declare as their
    `initial` (approval: the budget's state-support lines; contract: the approved support)."""
    defaults = {"approved_support": project.approved_support}
    if project.current_budget_id and any(f.initial == "state_lines" for f in step.fields):
        defaults["state_lines"] = {
            line.funding_source.code: line.amount
            for line in project.current_budget.lines.select_related("funding_source")
            if line.funding_source.is_state_support
        }
    if any(f.initial == "lead_issuer" for f in step.fields):
        defaults["lead_issuer"] = (
            DecisionIssuer.objects.filter(funding_source_id=project.lead_fund_id)
            .values_list("issuer", flat=True)
            .first()
        )
    return {"version": project.version, **form_initial(step, defaults)}


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


def end_year(project) -> int:
    """The year a project ends: its (planned or adjusted) end date's, the plan year without one."""
    return project.end_date.year if project.end_date else project.year


# end_year as an expression, for the lists.
END_YEAR = Coalesce(ExtractYear("end_date"), "year", output_field=IntegerField())


def settlement_deadline(year: int, rules: ProjectRules) -> datetime.date:
    """The day by which a project that ends in `year` is settled: ProjectRules' day and month of
    the next year (22/01 by default, TT 36/2013/TT-BCT), the month's last day when it is shorter;
    an extension into the next year moves it (see end_year)."""
    month = rules.settlement_deadline_month
    last = calendar.monthrange(year + 1, month)[1]
    return datetime.date(year + 1, month, min(rules.settlement_deadline_day, last))


def settlement_cutoff_year(now: datetime.datetime | None = None, rules: ProjectRules | None = None) -> int:
    """The latest end year whose settlement deadline has passed: late once the end of that day
    in Asia/Ho_Chi_Minh is over (core.deadlines)."""
    now = now or timezone.now()
    rules = rules or ProjectRules.current()
    last_year = timezone.localtime(now, local_zone()).year - 1
    return last_year if is_late(now, settlement_deadline(last_year, rules)) else last_year - 1


def with_settlement_overdue(queryset, now=None, rules=None):
    """Annotate `settlement_overdue`: accepted, not settled, past its settlement deadline."""
    cutoff = settlement_cutoff_year(now, rules)
    return queryset.alias(settlement_end_year=END_YEAR).annotate(
        settlement_overdue=Case(
            When(Q(status=Status.ACCEPTED) & Q(settlement_end_year__lte=cutoff), then=True),
            default=False,
            output_field=BooleanField(),
        )
    )


def settlement_overdue(project, now=None):
    """The `settlement_overdue` flag of one project (see with_settlement_overdue)."""
    return project.status == Status.ACCEPTED and end_year(project) <= settlement_cutoff_year(now)


def dossier_deadline(project, rules: ProjectRules | None = None) -> datetime.date | None:
    """The day the settlement dossier is due: ProjectRules' days (15 by default) after the last
    acceptance (TT 36/2013/TT-BCT Điều 18.1). None before acceptance."""
    if project.acceptance_date is None:
        return None
    rules = rules or ProjectRules.current()
    return project.acceptance_date + datetime.timedelta(days=rules.dossier_deadline_days)


def dossier_status(project, now=None) -> dict | None:
    """What the page says of the settlement dossier of an accepted, not yet settled project: its
    due day, the days left and whether it is overdue (after the end of that day)."""
    if project.status != Status.ACCEPTED:
        return None
    due = dossier_deadline(project)
    if due is None:
        return None
    return {"due": due, "days_left": days_left(due, now), "overdue": is_late(now, due)}


def dossier_cutoff(now=None, rules: ProjectRules | None = None) -> datetime.date:
    """The earliest acceptance date whose settlement dossier is still in time at `now`: a dossier
    is late once the end of its due day (acceptance + ProjectRules' days) in Asia/Ho_Chi_Minh is
    over, i.e. when the project was accepted before this day (see dossier_status)."""
    rules = rules or ProjectRules.current()
    today = timezone.localtime(now or timezone.now(), local_zone()).date()
    return today - datetime.timedelta(days=rules.dossier_deadline_days)


def dossier_filters(now=None, rules: ProjectRules | None = None) -> tuple[Q, Q]:
    """(due, overdue): the accepted, not yet settled projects whose settlement dossier is still in
    time, and those whose dossier is late (TT 36/2013/TT-BCT Điều 18.1), as conditions a list or an
    aggregate applies without reading rows."""
    cutoff = dossier_cutoff(now, rules)
    accepted = Q(status=Status.ACCEPTED, acceptance_date__isnull=False)
    return accepted & Q(acceptance_date__gte=cutoff), accepted & Q(acceptance_date__lt=cutoff)


def projects_with_dossier_due(user, now=None) -> list[Project]:
    """The staff worklist's settlement dossiers: the accepted projects `user` sees that are not
    settled, each with `dossier_due` and `dossier_overdue`, the most urgent first. Empty for anyone
    but staff and leaders."""
    if not (user_roles(user) & {Role.STAFF, Role.LEADER}):
        return []
    rules = ProjectRules.current()
    rows = list(
        projects_visible_to(user)
        .filter(status=Status.ACCEPTED, acceptance_date__isnull=False)
        .order_by("acceptance_date", "code")
    )
    for project in rows:
        project.dossier_due = dossier_deadline(project, rules)
        project.dossier_overdue = is_late(now, project.dossier_due)
    return rows


# --- the list ------------------------------------------------------------------------------------


def _source_filter(queryset, value):
    """Projects whose current budget has a line of that funding source."""
    return queryset.filter(
        pk__in=BudgetLine.objects.filter(
            funding_source__code=value, budget__project__current_budget=F("budget")
        ).values("budget__project")
    )


def _commune_filter(queryset, value):
    """Projects located in, or benefiting a facility of, the commune named by its code or by its
    name as the searchable list offers it ("Xã Đức Hợp", "Đức Hợp", "duc hop": case and
    diacritics ignored, programmes.selectors.communes_named)."""
    communes = [u.pk for u in communes_named(value)]
    through_c = Project.communes.through.objects.filter(administrativeunit__in=communes).values("project")
    through_b = Project.beneficiaries.through.objects.filter(applicant__commune__in=communes).values(
        "project"
    )
    return queryset.filter(Q(pk__in=through_c) | Q(pk__in=through_b))


def applicant_uploads_since_last_step(projects):
    """Documents that a beneficiary's people (not staff or leaders) uploaded after the project's
    latest step. The portal keeps no "looked at" marker: taking the next step is what tells that
    staff have read the dossier, so what came after it is still unread."""
    last_step = ProjectTransition.objects.filter(project=OuterRef("project")).order_by("-at").values("at")[:1]
    return (
        ProjectDocument.objects.filter(project__in=projects, uploaded_by__isnull=False)
        .exclude(uploaded_by__groups__name__in=[Role.STAFF, Role.LEADER])
        .annotate(last_step_at=Subquery(last_step))
        .filter(Q(last_step_at__isnull=True) | Q(uploaded_at__gt=F("last_step_at")))
    )


def _flag_filter(queryset, value):
    """The staff worklist's flags as a list filter: `late` (monthly progress report late),
    `overdue` (settlement past its deadline), `due` (accepted, settlement still in time),
    `dossier_due` and `dossier_overdue` (the settlement dossier within or past its days after
    acceptance), `uploads` (beneficiary uploads since the last step). The list's queryset carries
    the late and settlement annotations (project_listing)."""
    if value in ("dossier_due", "dossier_overdue"):
        due, overdue = dossier_filters()
        return queryset.filter(due if value == "dossier_due" else overdue)
    if value == "late":
        return queryset.filter(late=True)
    if value == "overdue":
        return queryset.filter(settlement_overdue=True)
    if value == "due":
        return queryset.filter(status=Status.ACCEPTED, settlement_overdue=False)
    if value == "uploads":
        return queryset.filter(
            pk__in=applicant_uploads_since_last_step(Project.objects.all()).values("project")
        )
    return queryset


# What the list says it is filtered by, for each flag of the staff worklist.
FLAG_LABELS = {
    "late": _("Đề án chậm báo cáo tiến độ tháng"),
    "due": _("Đề án đến hạn quyết toán"),
    "overdue": _("Đề án quá hạn quyết toán"),
    "dossier_due": _("Hồ sơ quyết toán đến hạn nộp"),
    "dossier_overdue": _("Hồ sơ quyết toán quá hạn nộp"),
    "uploads": _("Tài liệu cơ sở mới nộp"),
}


def _beneficiary_filter(queryset, value):
    """Projects of one beneficiary; a value that is not an id filters nothing (it was a 500)."""
    try:
        applicant_id = int(value)
    except (TypeError, ValueError):
        return queryset
    return queryset.filter(
        pk__in=Project.beneficiaries.through.objects.filter(applicant_id=applicant_id).values("project")
    )


LIST_FILTERS = {
    "year": int_filter("year"),
    "status": "status",
    "activity": "activity__code",
    "area": int_filter("activity__content_area__number"),
    "fund": _source_filter,
    "commune": _commune_filter,
    "beneficiary": _beneficiary_filter,
    "flag": _flag_filter,
}
LIST_SORTS = {
    "code": ("code", "id"),
    "title": ("sort_key", "id"),
    "year": ("year", "code"),
    "status": ("status", "code"),
    "total": ("total_cost", "id"),
    "support": ("support_shown", "id"),
}
# The money columns the list totals over its filtered rows.
LIST_TOTALS = {
    "total_cost": Sum("total_cost"),
    "state_support": Sum("support_shown"),
    "accepted_support": Sum("accepted_support"),
}


def project_listing(user, request) -> Listing:
    """The project list the user may see, searched, filtered and sorted from `request.GET`, with
    its late and settlement flags and the support shown; the totals are counted with the rows in
    one query (none for an export, which streams the rows)."""
    queryset = (
        with_settlement_overdue(with_late_flag(projects_visible_to(user)), rules=ProjectRules.cached())
        .annotate(support_shown=CURRENT_SUPPORT)
        .select_related("activity", "variant", "lead_fund")
    )
    exporting = request.GET.get("format") == "xlsx"
    # internal flags (late, overdue, uploads) are for staff and leaders: ignored for anyone else
    staff = bool(user_roles(user) & {Role.STAFF, Role.LEADER})
    filters = LIST_FILTERS if staff else {k: v for k, v in LIST_FILTERS.items() if k != "flag"}
    return Listing(
        request,
        queryset,
        filters=filters,
        sorts=LIST_SORTS,
        default_sort="-year",
        totals=None if exporting else LIST_TOTALS,
    )


def _short(label: str, width: int = 40) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


LIST_CHOICES_SECONDS = 300


def list_filter_choices() -> dict:
    """The list filters' choices as (value, label) pairs (activities, content areas, funds) and the
    active communes' options: reference data, the same for everybody, kept five minutes instead of
    four queries per list request (issue 14)."""

    def compute():
        current = {"programme__is_current": True}
        return {
            "activities": [
                (code, f"{code}. {_short(label)}")
                for code, label in ActivityType.objects.filter(**current).values_list("code", "short_label")
            ],
            "areas": [
                (str(number), str(number))
                for number in ContentArea.objects.filter(**current).values_list("number", flat=True)
            ],
            "funds": list(FundingSource.objects.values_list("code", "short_name")),
            # the searchable list's 104 options, rendered once here rather than by the template
            # on every list request (issue 14)
            "communes_options": format_html_join(
                "",
                '<option value="{}"></option>',
                (
                    (name,)
                    for name in AdministrativeUnit.objects.filter(is_active=True).values_list(
                        "full_name", flat=True
                    )
                ),
            ),
        }

    return kept(f"project-list-choices:v3:{get_language()}", compute, LIST_CHOICES_SECONDS)


def list_filter_options(values: dict, statuses: dict) -> dict:
    """The four filter <select>s' options, the chosen value of each (`values`: Listing.values)
    marked, and the communes' datalist. `statuses`: {status: label}."""
    choices = list_filter_choices()
    return {
        "status_options": options_html(statuses.items(), values.get("status")),
        "activity_options": options_html(choices["activities"], values.get("activity")),
        "area_options": options_html(choices["areas"], values.get("area")),
        "fund_options": options_html(choices["funds"], values.get("fund")),
        "communes_options": choices["communes_options"],
    }


# The columns a row of the list shows: a whole project with its activity, variant and fund is
# about 90 columns made into four model instances per row, for eleven (issue 14). The export
# reads its own columns (resources.export_rows).
LIST_ROW_FIELDS = (
    "code",
    "title",
    "year",
    "status",
    "ceiling_flag",
    "ceiling_note",
    "total_cost",
    "activity__code",
    "variant__key",
    "variant__label",
    "lead_fund__short_name",
)


def _people_of(projects) -> dict:
    """{project id: "name; name"}: the beneficiaries of each project (by their sort key), else
    the communes where it takes place, as the list shows them. One query of names instead of two
    prefetches of whole applicant and commune rows."""
    through = Project.beneficiaries.through.objects.filter(project__in=projects)
    places = Project.communes.through.objects.filter(project__in=projects)
    rows = through.values_list(
        "project_id", Value(0), "applicant__name", "applicant__sort_key", "applicant_id", Value("")
    ).union(
        places.values_list(
            "project_id",
            Value(1),
            "administrativeunit__full_name",
            "administrativeunit__sort_key",
            Value(0),
            "administrativeunit__code",
        ),
        all=True,
    )
    # the models' orderings (Applicant: sort_key, id; AdministrativeUnit: sort_key, code); the
    # sort keys are fixed-width digits, so Python orders them as the database does
    names = {}
    for project_id, kind, name, *_order in sorted(rows, key=lambda r: (r[0], r[1], r[3], r[4], r[5])):
        # a project's beneficiaries (kind 0) come first: its communes only when it has none
        if names.setdefault(project_id, (kind, []))[0] == kind:
            names[project_id][1].append(name)
    return {project_id: "; ".join(found) for project_id, (_kind, found) in names.items()}


def project_list_page(user, listing: Listing) -> dict:
    """What the list page shows beside its rows: the status labels and the filters' choices."""
    labels = {key: str(label) for key, label in Status.choices}
    staff = bool(user_roles(user) & {Role.STAFF, Role.LEADER})
    rows = list(listing.page.object_list.only(*LIST_ROW_FIELDS))
    listing.page.object_list = rows
    people = _people_of([p.pk for p in rows]) if rows else {}
    # What each row shows, computed here once instead of by template tags per row (rendering was
    # 29% of a list request, issue 14): the link, the people or places, the money texts.
    link = reverse("projects:detail", args=[0]).removesuffix("0/")
    for project in rows:
        project.status_label = labels[project.status]
        project.url = f"{link}{project.pk}/"
        project.people = people.get(project.pk, "")
        project.total_text = format_vnd(project.total_cost)
        project.support_text = format_vnd(project.support_shown)
    return {
        "listing": listing,
        "rows": rows,
        "totals": listing.totals,
        **list_filter_options(listing.values, labels),
        "rows_html": rows_html(rows, show_flags=staff, can_create=staff),
        "personal": may_see_personal_data(user),
        "can_create": staff,
        # internal flags (late report, missing provincial ceiling) are for staff and leaders
        "show_flags": staff,
        "flag_label": FLAG_LABELS.get(listing.values.get("flag")),
    }


def projects_of_applicant(user) -> list[Project]:
    """An applicant's own projects, newest first, each with the documents still asked of it."""
    rows = list(
        projects_visible_to(user)
        .select_related("activity", "lead_fund")
        .prefetch_related("beneficiaries")
        .order_by("-year", "code")
    )
    return documents_missing_from_applicants(rows)


# --- the project page ---------------------------------------------------------------------------


def choice_labels(model, field_name) -> dict:
    """{value: label} of a model field's choices, built once per call instead of per row:
    `get_<field>_display()` rebuilds and hashes every (lazily translated) choice on each call,
    which was about a tenth of the project page (issue 14)."""
    return dict(model._meta.get_field(field_name).flatchoices)


def _checklist(project, documents) -> list[dict]:
    by_key = workflow.STEPS_BY_KEY
    have = {d.kind for d in documents}
    kinds = choice_labels(RequiredDocument, "kind")
    providers = choice_labels(RequiredDocument, "provider")
    return [
        {
            "row": row,
            "done": row.kind in have,
            "step": by_key[row.step].label if row.step in by_key else row.step,
            "kind_label": kinds.get(row.kind, row.kind),
            "provider_label": providers.get(row.provider, row.provider),
        }
        for row in services.required_documents(project).select_related("activity")
    ]


def payment_kind_open(project) -> str | None:
    """The kind of payment the project's status allows (advances before acceptance, the payment
    after it), or None when no payment may be recorded."""
    if project.status == Status.ACCEPTED:
        return Payment.Kind.FINAL
    if project.status in (Status.CONTRACTED, Status.IN_PROGRESS):
        return Payment.Kind.ADVANCE
    return None


def project_milestones(project, transitions) -> list[dict]:
    """The dated milestones of the cycle, planned beside recorded: the dates each step recorded
    (appraisal, decision, contract, start, acceptance, settlement), not the moment someone clicked,
    next to the planned start and end. `transitions`: the page's timeline (nothing more is read)."""
    appraised = [t["row"].appraisal_date for t in transitions if t["row"].appraisal_date]
    rows = [
        (_("Thẩm định"), None, appraised[-1] if appraised else None),
        (_("Phê duyệt"), None, project.decision_date),
        (_("Ký hợp đồng"), None, project.contract_date),
        (_("Bắt đầu thực hiện"), project.start_date, project.started_on),
        (_("Kết thúc, nghiệm thu"), project.end_date, project.acceptance_date),
        (_("Quyết toán"), None, project.settled_on),
    ]
    return [{"label": label, "planned": planned, "recorded": recorded} for label, planned, recorded in rows]


def project_page(user, project) -> dict:
    """Everything the project page reads for `user`: budget and its versions, the timeline, the
    documents and their checklist, the steps the user may take, payments and progress, and the
    flags that say what the user may see or do."""
    staff = bool(user_roles(user) & {Role.STAFF, Role.LEADER})
    # each list below is ordered inside the project explicitly: the models' orderings start with
    # the project, which joined projects_project again in every query only to sort by its year
    # and code (issue 14)
    documents = list(project.documents.select_related("uploaded_by").order_by("uploaded_at", "id"))
    kinds = choice_labels(ProjectDocument, "kind")
    for document in documents:
        document.kind_label = kinds.get(document.kind, document.kind)
    checklist = _checklist(project, documents)
    transitions = project_timeline(user, project)
    steps, kept_from_appraisal = _project_steps(user, project)
    # read once: the payment position and the page's tables share these rows
    prefetch_related_objects(
        [project],
        Prefetch(
            "payments", queryset=Payment.objects.select_related("funding_source").order_by("paid_on", "id")
        ),
        Prefetch(
            "recoveries",
            queryset=AdvanceRecovery.objects.select_related("funding_source").order_by("recovered_on", "id"),
        ),
    )
    payment_kinds = choice_labels(Payment, "kind")
    for payment in project.payments.all():
        payment.kind_label = payment_kinds.get(payment.kind, payment.kind)
    budgets = list(
        BudgetVersion.objects.filter(project=project)
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=BudgetLine.objects.select_related("funding_source").order_by(
                    "budget_id", "funding_source__sort_order"
                ),
            )
        )
        .order_by("number")
    )
    current = next((b for b in budgets if b.pk == project.current_budget_id), None)
    return {
        "project": project,
        "status_label": choice_labels(Project, "status")[project.status],
        "budgets": budgets,
        "current_lines": {line.funding_source: line.amount for line in current.lines.all()}
        if current
        else {},
        "transitions": transitions,
        "milestones": project_milestones(project, transitions),
        "documents": documents,
        "checklist": checklist,
        "asked_kinds": [
            c["row"].kind for c in checklist if c["row"].provider == RequiredDocument.Provider.APPLICANT
        ],
        "steps": steps,
        # the preparer is told why the appraisal buttons are not there
        "appraisal_kept_from": kept_from_appraisal,
        "payments": project.payments.all(),
        "recoveries": project.recoveries.all(),
        "shares": project.beneficiary_shares.select_related("applicant").order_by("id"),
        "dossier": dossier_status(project) if staff else None,
        "position": services.payment_position(project),
        "progress": project.progress_entries.order_by("month"),
        # internal flags (a late report, a missing provincial ceiling) are for staff and leaders
        "late": staff and late_to_report(project),
        "ceiling_flag": staff and project.ceiling_flag,
        "settlement_overdue": staff and settlement_overdue(project),
        "outputs": project.outputs.order_by("id"),
        "beneficiaries": project.beneficiaries.select_related("commune"),
        "communes": project.communes.all(),
        "personal": may_see_personal_data(user),
        "show_documents": staff or has_role(user, Role.APPLICANT, Role.UNIT_REPORTER),
        "may_download": may_download_documents(user, project),
        "may_upload": may_upload_documents(user, project),
        "is_staff": staff,
        "is_leader": has_role(user, Role.LEADER),
        "progress_open": staff and project.status == Status.IN_PROGRESS,
        "payment_kind": payment_kind_open(project) if staff else None,
        "recovery_open": staff and project.status in (Status.IN_PROGRESS, Status.ACCEPTED),
    }


def adjust_initial(project) -> dict:
    """What the adjustment form starts with: the project's current figures and people."""
    initial = {
        "version": project.version,
        "total_cost": project.total_cost,
        "eligible_cost": project.eligible_cost,
        "beneficiaries": list(project.beneficiaries.all()),
        "communes": list(project.communes.all()),
    }
    for source, amount in services.budget_lines(project).items():
        initial[f"amount_{source.code}"] = amount
    return initial


def project_document(user, project, pk) -> ProjectDocument:
    """A document of the project the user may download (404 otherwise: observers and commune
    officials get no files, which may carry personal ID numbers)."""
    if not may_download_documents(user, project):
        raise Http404
    document = project.documents.filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


# --- targets ------------------------------------------------------------------------------------


def _completed_in(programme):
    """Accepted or settled projects whose plan year and acceptance date both lie inside the
    programme's years (design.md, Target: never draft, rejected, cancelled, nor a project of an
    earlier plan accepted in this programme's first year)."""
    return Project.objects.filter(
        status__in=COMPLETED_STATUSES,
        year__gte=programme.start_year,
        year__lte=programme.end_year,
        acceptance_date__gte=datetime.date(programme.start_year, 1, 1),
        acceptance_date__lte=datetime.date(programme.end_year, 12, 31),
        activity__programme=programme,
    )


# The projects each facility-counting target reads: (activity code, variant key or None).
FACILITY_TARGETS = {
    "machinery_facilities": ("2b", None),
    "trademarks": ("3c", "trademark"),
}


def _facility_projects(programme, measure):
    code, variant = FACILITY_TARGETS[measure]
    projects = _completed_in(programme).filter(activity__code=code)
    return projects.filter(variant__key=variant) if variant else projects


def _selection_rounds(programme):
    """Distinct provincial rounds (year + recognition decision) of the round register, held and
    recognised inside the programme's years: a round paid by two projects counts once, and a
    project that only prints the logo of recognised products is no round (TT 26/2014/TT-BCT)."""
    return (
        programme.selection_rounds.filter(
            level="provincial",
            year__gte=programme.start_year,
            year__lte=programme.end_year,
            recognition_date__gte=datetime.date(programme.start_year, 1, 1),
            recognition_date__lte=datetime.date(programme.end_year, 12, 31),
        )
        .values("year", "recognition_decision")
        .distinct()
        .count()
    )


def target_achieved(programme, measure):
    """What a programme target has achieved, counted from real data (design.md, Target):
    demo_models the models of the 2a projects (the units their per-model cap covers; a group đề
    án may build several), machinery_facilities and trademarks the distinct beneficiaries,
    selection_rounds the distinct provincial rounds."""
    if measure == "demo_models":
        models_built = _completed_in(programme).filter(activity__code="2a").aggregate(n=Sum("models_count"))
        return models_built["n"] or 0
    if measure in FACILITY_TARGETS:
        return Applicant.objects.filter(projects__in=_facility_projects(programme, measure)).aggregate(
            n=Count("pk", distinct=True)
        )["n"]
    if measure == "selection_rounds":
        return _selection_rounds(programme)
    return 0


def target_visits(programme, measure) -> int | None:
    """How many times facilities were supported (lượt: one per beneficiary per project), shown
    beside the distinct facilities; None for a target that does not count facilities."""
    if measure not in FACILITY_TARGETS:
        return None
    return Project.beneficiaries.through.objects.filter(
        project__in=_facility_projects(programme, measure)
    ).count()

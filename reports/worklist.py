"""What needs me now: each role's first page ("Trang làm việc") as its list of waiting work.

Every line is derived from the state of the rows (nothing is typed in or ticked off by hand), has a
count and a link to the page where the work is done. The queries do not grow with the data: each
line is one aggregate (or one list of the user's own projects), whatever the number of rows; the
annual plans' lines a fixed few (one plan's figures per lead fund, see below)."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import Role, user_roles
from applicants.models import SupportRequest
from applicants.selectors import member_invitations_for, requests_visible_to, verification_queue
from applicants.services.members import may_join
from core.kept import kept
from core.money import format_vnd
from programmes.models import AnnualPlan, FundingSource, PlanCalendar
from programmes.selectors import current_programme
from projects import workflow
from projects.figures import figures_version
from projects.models import APPROVED_STATUSES, CLOSED_STATUSES, ProjectRules, Status
from projects.selectors import (
    applicant_uploads_since_last_step,
    documents_missing_from_applicants,
    dossier_filters,
    projects_visible_to,
    with_late_flag,
    with_settlement_overdue,
)
from projects.selectors_plans import plan_item_figures

from .unit_selectors import open_unit_reports, report_state

# Steps that turn a project aside (send back, refuse, cancel, stop) are not "its next step".
ASIDE = frozenset({"warning", "danger", "outline-danger"})
# Where a commune official's projects are "in progress": approved and not yet accepted.
UNDER_WAY = (Status.APPROVED, Status.CONTRACTED, Status.IN_PROGRESS)
Plan = AnnualPlan.Status


@dataclass(frozen=True)
class WorkLine:
    label: str
    url: str
    count: int | None = None  # None: a plain link (the admin)
    note: str = ""
    tone: str = "secondary"  # the count's badge: "danger" for what is overdue
    key: str = ""  # a stable name for tests and the browser


@dataclass
class WorkSection:
    title: str
    lines: list[WorkLine] = field(default_factory=list)
    empty: str = ""


def _url(name, *args, **query):
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def next_step(status: str):
    """The step that moves a project in `status` forward (the table's first that is not a return,
    a refusal or a cancellation), or None in a final state."""
    return next((s for s in workflow.steps_from(status) if s.button not in ASIDE), None)


def _status_counts(user) -> dict:
    """{status: number} of the projects `user` sees: one query, read once per request (a
    leader's page asks for it in the staff's section and in its own; 13 ms at 20,000 projects)."""
    counts = getattr(user, "_worklist_status_counts", None)
    if counts is None:
        projects = projects_visible_to(user)
        counts = dict(projects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        user._worklist_status_counts = counts
    return counts


def _waiting_by_step(user, *, leader_only: bool) -> list[WorkLine]:
    """Projects grouped by the state they wait in, for the steps staff take (`leader_only`: the
    steps only a leader takes)."""
    counts = _status_counts(user)
    lines = []
    for status, label in Status.choices:
        step = next_step(status)
        if not counts.get(status) or step is None or (Role.STAFF not in step.roles) != leader_only:
            continue
        lines.append(
            WorkLine(
                label=str(step.label),
                note=_("đề án “%(status)s”") % {"status": label},
                count=counts[status],
                url=_url("projects:list", status=status),
                key=f"step-{step.key}",
            )
        )
    return lines


def _staff_section(user) -> WorkSection:
    today = timezone.localdate()
    projects = projects_visible_to(user)
    rules = ProjectRules.current()
    dossier_due, dossier_overdue = dossier_filters(rules=rules)
    # the settlement and its dossier in one aggregate over the accepted projects
    settlement = with_settlement_overdue(projects.filter(status=Status.ACCEPTED), rules=rules).aggregate(
        due=Count("pk", filter=Q(settlement_overdue=False)),
        overdue=Count("pk", filter=Q(settlement_overdue=True)),
        dossier_due=Count("pk", filter=dossier_due),
        dossier_overdue=Count("pk", filter=dossier_overdue),
    )
    dossier_note = _("nộp trong %(days)s ngày sau nghiệm thu (%(basis)s)") % {
        "days": rules.dossier_deadline_days,
        "basis": rules.dossier_legal_basis,
    }
    late = with_late_flag(projects.filter(status=Status.IN_PROGRESS)).filter(late=True).count()
    uploads = applicant_uploads_since_last_step(projects).count()
    requests = requests_visible_to(user).filter(status=SupportRequest.Status.SUBMITTED).count()
    lines = [
        WorkLine(
            _("Hồ sơ cơ sở chờ xác minh"),
            _url("applicants:verification_queue"),
            verification_queue(user).count(),
            key="verify",
        ),
        WorkLine(
            _("Đề nghị hỗ trợ chờ xử lý"),
            _url("applicants:request_list", status=SupportRequest.Status.SUBMITTED),
            requests,
            key="triage",
        ),
        *_waiting_by_step(user, leader_only=False),
        WorkLine(
            _("Tài liệu cơ sở mới nộp"),
            _url("projects:list", flag="uploads"),
            uploads,
            note=_("nộp sau bước xử lý gần nhất của đề án"),
            key="uploads",
        ),
        WorkLine(
            _("Hồ sơ quyết toán đến hạn nộp"),
            _url("projects:list", flag="dossier_due"),
            settlement["dossier_due"],
            note=dossier_note,
            key="dossier-due",
        ),
        WorkLine(
            _("Hồ sơ quyết toán quá hạn nộp"),
            _url("projects:list", flag="dossier_overdue"),
            settlement["dossier_overdue"],
            note=dossier_note,
            tone="danger",
            key="dossier-overdue",
        ),
        WorkLine(
            _("Đề án đến hạn quyết toán"),
            _url("projects:list", flag="due"),
            settlement["due"],
            key="settle-due",
        ),
        WorkLine(
            _("Đề án quá hạn quyết toán"),
            _url("projects:list", flag="overdue"),
            settlement["overdue"],
            tone="danger",
            key="settle-overdue",
        ),
        WorkLine(
            _("Đề án chậm báo cáo tiến độ tháng"),
            _url("projects:list", flag="late"),
            late,
            tone="danger",
            key="late",
        ),
        prepare_line(today),
        *commitment_lines(today),
    ]
    return WorkSection(_("Việc của cán bộ Sở"), [line for line in lines if line and line.count])


# --- Annual plans (issue 12, item 6) ---------------------------------------------------------
# Staff: the plans to prepare (this year's and next year's within the programme, of each lead fund
# whose plan does not exist yet or is still a draft, with the KCQG calendar's deadlines) and the
# items of this year's plans in force committed over or under what they plan; leaders: the plans
# submitted. Fixed queries: three for the plans to prepare (the programme, the lead funds with their
# plans counted by year, the calendar), one for the plans in force plus
# projects.selectors_plans.plan_item_figures for each (two lead funds at most), one for the plans
# waiting for a leader.


def _plan_url(pk: int | None = None) -> str:
    """The plan's page, or the plans' list when the line names several or one not yet created."""
    return reverse("programmes:plan_detail", args=[pk]) if pk is not None else reverse("programmes:plan_list")


def plan_years(programme, today: datetime.date) -> list[int]:
    """The plan years staff prepare: this year's and next year's, inside the programme's years."""
    return [y for y in (today.year, today.year + 1) if y in programme.years]


def plans_to_prepare(today: datetime.date) -> list[dict]:
    """Per plan year and lead fund whose plan is neither submitted nor approved: {"year", "source",
    "draft" (the pk of its latest draft, or None when none exists)}. Two queries."""
    programme = current_programme()
    if programme is None:
        return []
    years = plan_years(programme, today)
    counts = {}
    for year in years:
        of_year = Q(annual_plans__year=year)
        counts[f"sent_{year}"] = Count("annual_plans", filter=of_year & ~Q(annual_plans__status=Plan.DRAFT))
        counts[f"draft_{year}"] = Max("annual_plans__pk", filter=of_year & Q(annual_plans__status=Plan.DRAFT))
    sources = FundingSource.objects.filter(can_lead=True).order_by("sort_order").annotate(**counts)
    return [
        {"year": year, "source": source, "draft": getattr(source, f"draft_{year}")}
        for year in years
        for source in sources
        if not getattr(source, f"sent_{year}")
    ]


def _prepare_note(row: dict, calendar: PlanCalendar, today: datetime.date) -> tuple[str, bool]:
    """The note of one plan to prepare and whether its KCQG deadline has passed."""
    values = {"source": row["source"].short_name, "year": row["year"]}
    if row["draft"]:
        note = _("%(source)s năm %(year)s: đang dự thảo") % values
    else:
        note = _("%(source)s năm %(year)s: chưa lập") % values
    if row["source"].code != FundingSource.KCQG:
        return note, False
    deadlines = calendar.kcqg_deadlines(row["year"])
    late = today > deadlines["province"]
    note += " " + _("(hạn gửi Sở %(province)s, gửi Bộ %(ministry)s%(late)s)") % {
        "province": deadlines["province"].strftime("%d/%m/%Y"),
        "ministry": deadlines["ministry"].strftime("%d/%m/%Y"),
        "late": (", " + _("đã quá hạn")) if late else "",
    }
    return note, late


def prepare_line(today: datetime.date):
    """ "Kế hoạch cần lập": one line counting the plans to prepare (None when there is none)."""
    rows = plans_to_prepare(today)
    if not rows:
        return None
    calendar = PlanCalendar.current()
    notes, late = [], False
    for row in rows:
        note, past = _prepare_note(row, calendar, today)
        notes.append(note)
        late = late or past
    only = rows[0]["draft"] if len(rows) == 1 else None
    return WorkLine(
        _("Kế hoạch cần lập"),
        _plan_url(only),
        len(rows),
        note="; ".join(notes),
        tone="danger" if late else "warning",
        key="plans-to-prepare",
    )


def plans_in_force(year: int) -> list[AnnualPlan]:
    """The plan in force of `year` of each lead fund (its approved version of the highest
    revision): one query."""
    plans = {}
    for plan in (
        AnnualPlan.objects.filter(year=year, status=Plan.APPROVED)
        .select_related("funding_source")
        .order_by("funding_source__sort_order", "-revision")
    ):
        plans.setdefault(plan.funding_source_id, plan)
    return list(plans.values())


COMMITMENT_SECONDS = 300


def commitment_lines(today: datetime.date) -> list:
    """Per plan in force of this year: its items committed over what they plan, and those not yet
    fully committed, each with the amount over or left. The same for every officer: kept until the
    programme's data changes (projects.figures), five minutes at most (the plans' figures are
    most of the page's time at 20,000 đề án)."""
    version = figures_version()
    key = f"worklist-commitments:{version}:{today.isoformat()}:{get_language()}" if version else None
    return kept(key, lambda: _commitment_lines(today), COMMITMENT_SECONDS)


def _commitment_lines(today: datetime.date) -> list:
    lines = []
    for plan in plans_in_force(today.year):
        rows = [f for f in plan_item_figures(plan) if f.item is not None]
        over = [f for f in rows if f.committed > f.planned]
        under = [f for f in rows if f.committed < f.planned]
        code = plan.funding_source.code.lower()
        if over:
            lines.append(
                WorkLine(
                    _("Mục kế hoạch vượt kinh phí dự kiến"),
                    _plan_url(plan.pk),
                    len(over),
                    note=_("%(plan)s: đã cam kết vượt %(amount)s")
                    % {"plan": plan, "amount": format_vnd(sum(-f.remaining for f in over))},
                    tone="danger",
                    key=f"plan-over-{code}",
                )
            )
        if under:
            lines.append(
                WorkLine(
                    _("Mục kế hoạch chưa cam kết hết"),
                    _plan_url(plan.pk),
                    len(under),
                    note=_("%(plan)s: còn %(amount)s chưa cam kết")
                    % {"plan": plan, "amount": format_vnd(sum(f.remaining for f in under))},
                    key=f"plan-under-{code}",
                )
            )
    return lines


def approval_line():
    """ "Kế hoạch chờ phê duyệt": the plans submitted, for a leader (None when there is none)."""
    plans = list(
        AnnualPlan.objects.filter(status=Plan.SUBMITTED)
        .select_related("funding_source")
        .order_by("year", "funding_source__sort_order", "revision")
    )
    if not plans:
        return None
    return WorkLine(
        _("Kế hoạch chờ phê duyệt"),
        _plan_url(plans[0].pk if len(plans) == 1 else None),
        len(plans),
        note="; ".join(str(p) for p in plans),
        key="plans-approve",
    )


def _leader_section(user) -> WorkSection:
    # A stop (dừng thực hiện) is the leader's own initiative: no state waits for it, so only the
    # steps the table gives a leader alone (approval) wait here.
    lines = _waiting_by_step(user, leader_only=True)
    if plans := approval_line():
        lines.append(plans)
    return WorkSection(
        _("Chờ lãnh đạo quyết định"),
        lines,
        empty=_("Không có đề án hay kế hoạch chờ phê duyệt."),
    )


def _applicant_project_line(project) -> WorkLine:
    step = next_step(project.status)
    if project.missing:
        note = _("Cần nộp: %(documents)s") % {"documents": "; ".join(project.missing)}
    elif step is not None:
        note = _("Bước tiếp theo: %(step)s (Sở thực hiện)") % {"step": step.label}
    else:
        note = ""
    return WorkLine(
        label=f"{project.code} · {project.title}",
        url=_url("projects:detail", project.pk),
        count=len(project.missing) or None,  # the documents asked; no badge when none is
        note=f"{project.get_status_display()}. {note}".strip(),
        tone="warning" if project.missing else "secondary",
        key=f"project-{project.pk}",
    )


def _applicant_section(user) -> WorkSection:
    projects = list(projects_visible_to(user).exclude(status__in=CLOSED_STATUSES).order_by("-year", "code"))
    documents_missing_from_applicants(projects)
    returned = requests_visible_to(user).filter(status=SupportRequest.Status.RETURNED).count()
    lines = []
    if returned:
        lines.append(
            WorkLine(
                _("Đề nghị hỗ trợ cần bổ sung"),
                _url("applicants:my_requests"),
                returned,
                tone="warning",
                key="returned",
            )
        )
    lines += [_applicant_project_line(p) for p in projects]
    return WorkSection(_("Việc của cơ sở"), lines, empty=_("Không có việc nào đang chờ cơ sở."))


def _unit_report_lines(user) -> list[WorkLine]:
    """The official's report of each open period (or reopened one): its status and time left."""
    lines = []
    for report in open_unit_reports(user):
        state = report_state(report)
        note = " · ".join(
            str(part) for part in (state["status"], state["timeliness_label"], state["deadline_note"]) if part
        )
        lines.append(
            WorkLine(
                _("Báo cáo kết quả khuyến công năm %(year)s — %(unit)s")
                % {"year": report.period.year, "unit": report.unit.name},
                _url("reports:unit_report", report.pk),
                note=note,
                key=f"unit-report-{report.pk}",
            )
        )
    return lines


def _commune_section(user) -> WorkSection:
    counts = dict(
        projects_visible_to(user)
        .filter(status__in=UNDER_WAY)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    labels = dict(Status.choices)
    lines = _unit_report_lines(user) + [
        WorkLine(str(labels[s]), _url("projects:list", status=s), counts[s], key=f"commune-{s}")
        for s in UNDER_WAY
        if counts.get(s)
    ]
    return WorkSection(
        _("Báo cáo của đơn vị và đề án trên địa bàn"), lines, empty=_("Địa bàn chưa có đề án đang thực hiện.")
    )


def _observer_section(user) -> WorkSection:
    figures = (
        projects_visible_to(user)
        .filter(status__in=APPROVED_STATUSES)
        .aggregate(n=Count("pk"), support=Sum("state_support"), latest=Max("decision_date"))
    )
    lines = []
    if figures["n"]:
        note = _("Tổng hỗ trợ được duyệt: %(support)s") % {"support": format_vnd(figures["support"] or 0)}
        if figures["latest"]:
            note += "; " + _("quyết định gần nhất ngày %(date)s") % {
                "date": figures["latest"].strftime("%d/%m/%Y")
            }
        lines.append(
            WorkLine(_("Đề án đã phê duyệt"), _url("projects:list"), figures["n"], note=note, key="approved")
        )
    lines.append(WorkLine(_("Tiến độ chỉ tiêu của Chương trình"), _url("home"), key="targets"))
    return WorkSection(_("Số liệu đã phê duyệt"), lines)


def _invitation_section(user) -> WorkSection:
    """Invitations to join a facility wait for the answer of whoever may join one (an applicant's
    account or one with no role yet): one query."""
    count = member_invitations_for(user).count()
    lines = [
        WorkLine(
            _("Lời mời tham gia cơ sở chờ trả lời"), _url("applicants:invitations"), count, key="invitations"
        )
    ]
    return WorkSection(_("Lời mời"), [line for line in lines if line.count])


SECTIONS = (
    (Role.STAFF, _staff_section),
    (Role.LEADER, _leader_section),
    (Role.APPLICANT, _applicant_section),
    (Role.UNIT_REPORTER, _commune_section),
    (Role.OBSERVER, _observer_section),
)


def worklist_for(user) -> list[WorkSection]:
    """The sections of waiting work of every role `user` holds (a leader also sees the staff's
    work, which a leader may do), then the admin for a superuser."""
    roles = user_roles(user)
    if Role.LEADER in roles:
        roles = roles | {Role.STAFF}
    sections = [build(user) for role, build in SECTIONS if role in roles]
    if may_join(user) and (invitations := _invitation_section(user)).lines:
        sections.insert(0, invitations)
    if user.is_superuser:
        sections.append(
            WorkSection(
                _("Quản trị hệ thống"), [WorkLine(_("Trang quản trị"), reverse("admin:index"), key="admin")]
            )
        )
    return sections

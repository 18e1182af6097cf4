"""The programme dashboard (issue 12 item 4): where the programme stands, on one page for staff,
leaders and observers. Each section is a selector returning plain dataclasses; together they read
in a constant number of queries whatever the data (grouped aggregates, never a query per row).

Filters: the year (sections 2-4), the funding source (section 2), the content area and the commune
(sections 2-4 and 7; a đề án is in a commune by its communes or its beneficiaries' communes). The
targets, the collaborators and the reporting completeness are programme-wide.

Year attribution of money (section 2): a đề án's money counts in its plan year (Project.year). A
multi-year đề án (with PlanShare rows) counts its lead-fund approved money by share year, its
payments and recoveries by their date's year clamped to its share years (before the first: the
first; after the last: the last), its settled money in its last share's year, and its other lines
in Project.year. KCQG and KCĐP are never added together; the counterpart is counted with the đề
án's lead fund."""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role, user_roles
from applicants.models import Applicant
from core.charts import Chart, bar_chart, stacked_bar_chart
from programmes.models import AdministrativeUnit, AnnualPlan, FundingSource, PlanItem
from programmes.selectors import active_collaborators_on, communes_named
from projects.models import (
    APPROVED_STATUSES,
    AdvanceRecovery,
    BudgetLine,
    Payment,
    PlanShare,
    Project,
    ProjectRules,
    Status,
    TransitionAmount,
)
from projects.selectors import (
    end_year,
    projects_visible_to,
    report_due_month,
    settlement_deadline,
    with_late_flag,
    with_settlement_overdue,
)

from .completeness import SUMMARY, reporting_completeness
from .models import ReportingPeriod
from .selectors import elapsed_share, programme_progress, target_progress_chart, target_rule

LEAD_SOURCES = (FundingSource.KCQG, FundingSource.KCDP)
# Approved and not yet accepted: a đề án past its end date in one of these is late to finish.
UNDER_WAY = (Status.APPROVED, Status.CONTRACTED, Status.IN_PROGRESS)
TOP_COMMUNES = 10
FIRST_ROWS = 10
MILLION = 1_000_000

MONEY_MEASURES = (
    ("planned", gettext_lazy("Kế hoạch")),
    ("approved", gettext_lazy("Đã phê duyệt")),
    ("disbursed", gettext_lazy("Đã giải ngân")),
    ("settled", gettext_lazy("Đã quyết toán")),
    ("counterpart", gettext_lazy("Vốn đối ứng huy động")),
)


def money_rule() -> str:
    return _(
        "Kế hoạch: các mục của kế hoạch đang có hiệu lực (bản được phê duyệt mới nhất) của từng năm "
        "và nguồn. Đã phê duyệt: dòng kinh phí của dự toán hiện hành các đề án đã phê duyệt trở đi. "
        "Đã giải ngân: các khoản chi trừ số thu hồi tạm ứng. Đã quyết toán: kinh phí hỗ trợ quyết "
        "toán của đề án đã quyết toán. Vốn đối ứng: dòng đối ứng của đề án đã phê duyệt, tính theo "
        "nguồn chủ trì của đề án. Năm: kinh phí của đề án tính vào năm kế hoạch của đề án; đề án "
        "nhiều năm tính phần kinh phí nguồn chủ trì theo năm của từng phần, các khoản chi và thu hồi "
        "theo năm của ngày chi (trước năm đầu tính năm đầu, sau năm cuối tính năm cuối), kinh phí "
        "quyết toán vào năm cuối, các dòng khác vào năm kế hoạch. KCQG và KCĐP không cộng chung."
    )


# --- filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    year: int
    source: str = ""  # "", KCQG or KCDP
    area: int | None = None
    commune: AdministrativeUnit | None = None
    commune_text: str = ""  # what was typed, shown back in the field
    commune_unknown: bool = False

    @property
    def is_filtered(self) -> bool:
        return bool(self.source or self.area or self.commune)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def dashboard_filters(programme, params, *, areas, communes) -> Filters:
    """The filters from the query string; a value that is not a choice falls back to its default
    (the year: the current one, within the programme's years)."""
    years = list(programme.years)
    default_year = min(max(timezone.localdate().year, years[0]), years[-1])
    year = _int(params.get("year"))
    area = _int(params.get("area"))
    source = params.get("fund", "")
    text = (params.get("commune") or "").strip()[:120]
    matches = communes_named(text, communes) if text else []
    return Filters(
        year=year if year in years else default_year,
        source=source if source in LEAD_SOURCES else "",
        area=area if area in {a.number for a in areas} else None,
        commune=matches[0] if len(matches) == 1 else None,
        commune_text=text,
        commune_unknown=bool(text) and len(matches) != 1,
    )


def _place(filters: Filters, prefix: str = "") -> Q:
    """The content area and commune filters as a condition on Project (through `prefix`)."""
    condition = Q()
    if filters.area:
        condition &= Q(**{f"{prefix}activity__content_area__number": filters.area})
    if filters.commune is not None:
        located = Project.communes.through.objects.filter(administrativeunit=filters.commune)
        benefiting = Project.beneficiaries.through.objects.filter(applicant__commune=filters.commune)
        condition &= Q(**{f"{prefix}pk__in": located.values("project")}) | Q(
            **{f"{prefix}pk__in": benefiting.values("project")}
        )
    return condition


def _in_year(year: int) -> Q:
    """A đề án of `year`: its plan year, or one of its share years (a multi-year đề án)."""
    return Q(year=year) | Q(pk__in=PlanShare.objects.filter(year=year).values("project"))


# --- 1. the targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    code: str
    name: str
    unit: str
    goal: int
    achieved: int
    percent: int
    rule: str
    behind: bool
    visits: int | None = None


@dataclass(frozen=True)
class TargetsSection:
    rows: list[TargetRow]
    elapsed: int  # percent of the programme's days elapsed
    chart: Chart


def targets_section(programme, on_date) -> TargetsSection:
    progress = programme_progress(programme, on_date)
    elapsed = elapsed_share(programme, on_date)
    rows = [
        TargetRow(
            code=row.target.code,
            name=row.target.name,
            unit=row.target.unit,
            goal=row.goal,
            achieved=row.achieved,
            percent=row.percent,
            rule=target_rule(row.target.measure),
            behind=row.percent < elapsed,
            visits=row.visits if row.shows_visits else None,
        )
        for row in progress
    ]
    return TargetsSection(rows=rows, elapsed=elapsed, chart=target_progress_chart(progress))


# --- 2. money -------------------------------------------------------------------------------------


@dataclass
class MoneyRow:
    year: int
    source: str  # code
    label: str  # short name
    planned: int = 0
    approved: int = 0
    disbursed: int = 0
    settled: int = 0
    counterpart: int = 0

    @property
    def values(self):
        return [getattr(self, key) for key, _label in MONEY_MEASURES]


@dataclass(frozen=True)
class MoneySection:
    year: int
    rows: list[MoneyRow]  # the filtered year, one row per source
    by_year: list[MoneyRow]  # every year of the programme, one row per year and source
    chart: Chart
    measures: list = field(default_factory=lambda: [str(label) for _key, label in MONEY_MEASURES])


def _planned(programme, filters: Filters) -> dict:
    """(year, source) → the planned support of the items of the plan in force (two queries)."""
    in_force = {}
    plans = AnnualPlan.objects.filter(
        programme=programme, status=AnnualPlan.Status.APPROVED, funding_source__code__in=LEAD_SOURCES
    ).values_list("pk", "year", "funding_source__code", "revision")
    for pk, year, code, revision in plans:
        if (year, code) not in in_force or revision > in_force[(year, code)][1]:
            in_force[(year, code)] = (pk, revision)
    items = PlanItem.objects.filter(plan__in=[pk for pk, _revision in in_force.values()])
    if filters.area:
        items = items.filter(activity__content_area__number=filters.area)
    if filters.commune is not None:
        items = items.filter(communes=filters.commune)
    sums = items.values("plan__year", "plan__funding_source__code").annotate(t=Sum("planned_support"))
    return {(r["plan__year"], r["plan__funding_source__code"]): r["t"] or 0 for r in sums.order_by()}


def _shares_of(outer: str):
    shares = PlanShare.objects.filter(project=OuterRef(outer))
    return (
        Exists(shares),
        Subquery(shares.order_by("year").values("year")[:1]),
        Subquery(shares.order_by("-year").values("year")[:1]),
    )


def _lines(filters: Filters, cells: dict) -> None:
    """Approved lines (state sources, by source) and counterpart lines (by lead fund) of the current
    budgets of approved đề án in Project.year, except the lead line of a multi-year đề án, which
    counts by share (one query), and the shares (one query)."""
    shared, _first, _last = _shares_of("budget__project")
    lines = (
        BudgetLine.objects.filter(
            _place(filters, "budget__project__"),
            budget=F("budget__project__current_budget"),
            budget__project__status__in=APPROVED_STATUSES,
        )
        .alias(shared=shared)
        .exclude(Q(shared=True) & Q(funding_source=F("budget__project__lead_fund")))
        .values("budget__project__year", "budget__project__lead_fund__code", "funding_source__code")
        .annotate(t=Sum("amount"))
        .order_by()
    )
    for r in lines:
        year, code = r["budget__project__year"], r["funding_source__code"]
        if code in LEAD_SOURCES:
            cells[(year, code, "approved")] = cells.get((year, code, "approved"), 0) + r["t"]
        elif code == FundingSource.COUNTERPART:
            key = (year, r["budget__project__lead_fund__code"], "counterpart")
            cells[key] = cells.get(key, 0) + r["t"]
    shares = (
        PlanShare.objects.filter(_place(filters, "project__"), project__status__in=APPROVED_STATUSES)
        .values("year", "project__lead_fund__code")
        .annotate(t=Sum("amount"))
        .order_by()
    )
    for r in shares:
        key = (r["year"], r["project__lead_fund__code"], "approved")
        cells[key] = cells.get(key, 0) + r["t"]


def _money_year(date_field: str):
    """The year a payment or recovery counts in: its project's plan year; for a multi-year đề án
    the year of its date clamped to the share years."""
    shared, first, last = _shares_of("project")
    return Case(
        When(
            shared,
            then=Greatest(
                Least(ExtractYear(date_field), last, output_field=IntegerField()),
                first,
                output_field=IntegerField(),
            ),
        ),
        default=F("project__year"),
        output_field=IntegerField(),
    )


def _disbursed(filters: Filters, cells: dict) -> None:
    """Payments minus recoveries by year and source (a payment without a fund counts for the lead
    fund, as projects.services.money.net_paid does): two queries."""
    for model, date_field, sign in ((Payment, "paid_on", 1), (AdvanceRecovery, "recovered_on", -1)):
        rows = (
            model.objects.filter(_place(filters, "project__"))
            .annotate(
                money_year=_money_year(date_field),
                source_code=Coalesce("funding_source__code", "project__lead_fund__code"),
            )
            .values("money_year", "source_code")
            .annotate(t=Sum("amount"))
            .order_by()
        )
        for r in rows:
            key = (r["money_year"], r["source_code"], "disbursed")
            cells[key] = cells.get(key, 0) + sign * r["t"]


def _settled(filters: Filters, cells: dict) -> None:
    """The settled support by source, as the settlement recorded it, in the plan year or, for a
    multi-year đề án, its last share's year (one query)."""
    _shared, _first, last = _shares_of("transition__project")
    rows = (
        TransitionAmount.objects.filter(
            _place(filters, "transition__project__"),
            transition__step="settle",
            transition__project__status=Status.SETTLED,
        )
        .annotate(money_year=Coalesce(last, "transition__project__year", output_field=IntegerField()))
        .values("money_year", "funding_source__code")
        .annotate(t=Sum("amount"))
        .order_by()
    )
    for r in rows:
        key = (r["money_year"], r["funding_source__code"], "settled")
        cells[key] = cells.get(key, 0) + r["t"]


def money_cells(programme, filters: Filters) -> dict:
    """(year, source code, measure) → đồng, for every year (the year filter is not applied)."""
    cells = {(year, code, "planned"): t for (year, code), t in _planned(programme, filters).items()}
    _lines(filters, cells)
    _disbursed(filters, cells)
    _settled(filters, cells)
    return cells


def _millions(value: int) -> float:
    return round(value / MILLION, 3)


def money_section(programme, filters: Filters, sources) -> MoneySection:
    cells = money_cells(programme, filters)
    shown = [s for s in sources if not filters.source or s.code == filters.source]

    def row(year, source):
        values = {key: cells.get((year, source.code, key), 0) for key, _label in MONEY_MEASURES}
        return MoneyRow(year=year, source=source.code, label=source.short_name, **values)

    by_year = [row(year, source) for year in programme.years for source in shown]
    rows = [r for r in by_year if r.year == filters.year]
    chart = bar_chart(
        _("Kinh phí năm %(year)s theo nguồn (triệu đồng)") % {"year": filters.year},
        [r.label for r in rows],
        [(str(label), [_millions(getattr(r, key)) for r in rows]) for key, label in MONEY_MEASURES],
        label_title=_("Nguồn kinh phí"),
    )
    return MoneySection(year=filters.year, rows=rows, by_year=by_year, chart=chart)


# --- 3. đề án by content area and status -----------------------------------------------------------


@dataclass(frozen=True)
class AreaRow:
    number: int
    name: str
    counts: list[int]  # in the order of StatusSection.statuses

    @property
    def total(self):
        return sum(self.counts)


@dataclass(frozen=True)
class StatusSection:
    statuses: list[tuple[str, str]]  # (key, label) of the statuses with a đề án
    rows: list[AreaRow]
    chart: Chart

    @property
    def column_totals(self):
        return [sum(r.counts[i] for r in self.rows) for i in range(len(self.statuses))]

    @property
    def total(self):
        return sum(r.total for r in self.rows)


def _projects(user, filters: Filters):
    return projects_visible_to(user).filter(_in_year(filters.year), _place(filters))


def status_section(user, filters: Filters, areas) -> StatusSection:
    counts = {
        (r["activity__content_area__number"], r["status"]): r["n"]
        for r in _projects(user, filters)
        .values("activity__content_area__number", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    present = {status for _area, status in counts}
    statuses = [(key, str(label)) for key, label in Status.choices if key in present]
    shown = [a for a in areas if not filters.area or a.number == filters.area]
    rows = [
        AreaRow(a.number, a.name, [counts.get((a.number, key), 0) for key, _label in statuses]) for a in shown
    ]
    chart = stacked_bar_chart(
        _("Đề án năm %(year)s theo nội dung và trạng thái") % {"year": filters.year},
        [f"{r.number}. {r.name}" for r in rows],
        [(label, [r.counts[i] for r in rows]) for i, (_key, label) in enumerate(statuses)],
        label_title=_("Nội dung"),
    )
    return StatusSection(statuses=statuses, rows=rows, chart=chart)


# --- 4. beneficiaries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BeneficiarySection:
    by_kind: list[tuple[str, int]]  # (label, count)
    by_commune: list[tuple[str, int]]  # the top communes, then the rest
    total: int
    chart: Chart


def beneficiary_section(user, filters: Filters) -> BeneficiarySection:
    """Distinct applicants benefiting from approved-and-on đề án of the filters, by kind and by
    their commune (two queries)."""
    projects = _projects(user, filters).filter(status__in=APPROVED_STATUSES)
    applicants = Applicant.objects.filter(
        pk__in=Project.beneficiaries.through.objects.filter(project__in=projects).values("applicant")
    )
    kinds = dict(Applicant.Kind.choices)
    counted = dict(applicants.values_list("kind").annotate(n=Count("pk")).order_by())
    by_kind = [(str(label), counted[key]) for key, label in kinds.items() if counted.get(key)]
    communes = list(
        applicants.values_list("commune__full_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "commune__sort_key")
    )
    by_commune = [(name or _("Chưa rõ xã, phường"), n) for name, n in communes[:TOP_COMMUNES]]
    rest = communes[TOP_COMMUNES:]
    if rest:
        label = _("%(n)s xã, phường khác") % {"n": len(rest)}
        by_commune.append((label, sum(n for _name, n in rest)))
    chart = bar_chart(
        _("Cơ sở thụ hưởng năm %(year)s theo loại hình") % {"year": filters.year},
        [label for label, _n in by_kind],
        [(_("Số cơ sở"), [n for _label, n in by_kind])],
        label_title=_("Loại hình"),
    )
    return BeneficiarySection(
        by_kind=by_kind, by_commune=by_commune, total=sum(n for _l, n in by_kind), chart=chart
    )


# --- 5. communes without a collaborator ------------------------------------------------------------


@dataclass(frozen=True)
class CollaboratorSection:
    active_communes: int
    without: list[str]  # the communes' full names (communes are not personal data)


def collaborator_section(communes, on_date) -> CollaboratorSection:
    """Active communes with no collaborator in office on `on_date` (one query; `communes`: the
    active communes, already read)."""
    covered = set(active_collaborators_on(on_date).values_list("commune_id", flat=True))
    return CollaboratorSection(
        active_communes=len(communes), without=[c.full_name for c in communes if c.pk not in covered]
    )


# --- 6. reporting completeness ------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletenessSection:
    period: ReportingPeriod | None
    figures: list[tuple[str, str, int]]  # (key, label, count)


def current_period() -> ReportingPeriod | None:
    """The latest open period, else the most recent one."""
    return ReportingPeriod.objects.order_by("is_closed", "-year").first()


def completeness_section() -> CompletenessSection:
    period = current_period()
    if period is None:
        return CompletenessSection(period=None, figures=[])
    summary = reporting_completeness(period).summary
    keys = ("expected", "submitted", "on_time", "late", "missing", "accepted")
    labels = dict(SUMMARY)
    return CompletenessSection(period=period, figures=[(k, str(labels[k]), summary[k]) for k in keys])


# --- 7. overdue steps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueRow:
    pk: int
    code: str
    title: str
    when: datetime.date | None
    beneficiaries: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OverdueList:
    key: str
    label: str
    when_label: str
    count: int
    rows: list[OverdueRow]
    flag: str = ""  # the project list's filter showing them all


def _first_rows(queryset, when) -> list[OverdueRow]:
    return [
        OverdueRow(pk=p.pk, code=p.code, title=p.title, when=when(p))
        for p in queryset.only("pk", "code", "title", "year", "end_date", "acceptance_date")[:FIRST_ROWS]
    ]


def _name_beneficiaries(lists: list[OverdueList]) -> None:
    """The beneficiaries' names of every row shown (one query)."""
    rows = [row for lst in lists for row in lst.rows]
    # (with no row at all the query still runs: the page reads the same queries whatever the data)
    through = Project.beneficiaries.through.objects.filter(project_id__in=[r.pk for r in rows] or [0])
    names = {}
    for project_id, name in through.values_list("project_id", "applicant__name").order_by("applicant__name"):
        names.setdefault(project_id, []).append(name)
    for row in rows:
        row.beneficiaries.extend(names.get(row.pk, []))


def overdue_section(user, filters: Filters, today, *, personal: bool) -> list[OverdueList]:
    projects = projects_visible_to(user).filter(_place(filters))
    rules = ProjectRules.current()
    past_end = Q(status__in=UNDER_WAY, end_date__lt=today)
    accepted = with_settlement_overdue(projects.filter(status=Status.ACCEPTED), rules=rules)
    late = with_late_flag(projects.filter(status=Status.IN_PROGRESS), today).filter(late=True)
    # (an aggregate's filter on the late flag, whose condition holds a subquery, reads a column
    # that is not there on SQLite: each flag is counted by a filter instead)
    settlement = dict(accepted.values_list("settlement_overdue").annotate(n=Count("pk")).order_by())
    counts = {
        "past_end": projects.filter(past_end).count(),
        "settle_due": settlement.get(False, 0),
        "settle_overdue": settlement.get(True, 0),
        "late": late.count(),
    }
    due_month = report_due_month(today)

    def deadline(project):
        return settlement_deadline(end_year(project), rules)

    lists = [
        OverdueList(
            "past_end",
            _("Đề án quá ngày kết thúc chưa nghiệm thu"),
            _("Ngày kết thúc"),
            counts["past_end"],
            _first_rows(projects.filter(past_end).order_by("end_date", "code"), lambda p: p.end_date),
        ),
        OverdueList(
            "settle_overdue",
            _("Đề án quá hạn quyết toán"),
            _("Hạn quyết toán"),
            counts["settle_overdue"],
            _first_rows(
                accepted.filter(settlement_overdue=True).order_by("acceptance_date", "code"), deadline
            ),
            flag="overdue",
        ),
        OverdueList(
            "settle_due",
            _("Đề án đến hạn quyết toán"),
            _("Hạn quyết toán"),
            counts["settle_due"],
            _first_rows(
                accepted.filter(settlement_overdue=False).order_by("acceptance_date", "code"), deadline
            ),
            flag="due",
        ),
        OverdueList(
            "late",
            _("Đề án chậm báo cáo tiến độ tháng"),
            _("Tháng phải báo cáo"),
            counts["late"],
            _first_rows(late.order_by("code"), lambda p: due_month),
            flag="late",
        ),
    ]
    if personal:
        _name_beneficiaries(lists)
    return lists


# --- the page -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    programme: object
    filters: Filters
    on_date: datetime.date
    years: list[int]
    areas: list
    sources: list
    communes: list
    targets: TargetsSection
    money: MoneySection
    statuses: StatusSection
    beneficiaries: BeneficiarySection
    collaborators: CollaboratorSection
    completeness: CompletenessSection
    overdue: list[OverdueList]
    personal: bool  # beneficiaries' names (staff and leaders)
    is_staff: bool  # links to the staff pages


def programme_dashboard(user, programme, params, on_date=None) -> Dashboard:
    """Everything the dashboard shows for `user` with the filters of `params` (a QueryDict)."""
    on_date = on_date or timezone.localdate()
    staff = bool(user_roles(user) & {Role.STAFF, Role.LEADER})
    areas = list(programme.content_areas.order_by("number"))
    communes = list(AdministrativeUnit.objects.filter(is_active=True).order_by("sort_key"))
    sources = list(FundingSource.objects.filter(code__in=LEAD_SOURCES).order_by("sort_order"))
    filters = dashboard_filters(programme, params, areas=areas, communes=communes)
    return Dashboard(
        programme=programme,
        filters=filters,
        on_date=on_date,
        years=list(programme.years),
        areas=areas,
        sources=sources,
        communes=communes,
        targets=targets_section(programme, on_date),
        money=money_section(programme, filters, sources),
        statuses=status_section(user, filters, areas),
        beneficiaries=beneficiary_section(user, filters),
        collaborators=collaborator_section(communes, on_date),
        completeness=completeness_section(),
        overdue=overdue_section(user, filters, on_date, personal=staff),
        personal=staff,
        is_staff=staff,
    )

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
import hashlib
from dataclasses import dataclass, field, replace
from functools import partial

from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, Sum, When
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.roles import Role, user_roles
from applicants.models import Applicant
from core.charts import Chart, bar_chart, stacked_bar_chart
from core.kept import kept
from programmes.models import AdministrativeUnit, AnnualPlan, FundingSource, PlanItem
from programmes.selectors import active_collaborators_on, communes_named
from projects.figures import REPORTING_VERSION_KEY, figures_version
from projects.models import (
    APPROVED_STATUSES,
    AdvanceRecovery,
    Payment,
    PlanShare,
    Project,
    ProjectRules,
    Status,
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
    area: int | None = None  # the content area's number
    area_id: int | None = None
    commune: AdministrativeUnit | None = None
    commune_text: str = ""  # what was typed, shown back in the field
    commune_unknown: bool = False
    period: tuple[int, int] = (0, 9999)  # the programme's first and last year
    # the đề án in the commune (read once: a list of ids is cheaper than the same subqueries in
    # every aggregate); [0] when none, so that every query still runs
    in_commune: tuple[int, ...] = ()
    # the multi-year đề án with a share in the year but another plan year (read once, a handful)
    shared_in_year: tuple[int, ...] = ()

    @property
    def is_filtered(self) -> bool:
        return bool(self.source or self.area or self.commune)


CHART_SECONDS = 3600


def cached_chart(build, *args, key=None, **kwargs) -> Chart:
    """`build(*args, **kwargs)` (a chart builder), kept in the cache under a digest of its
    arguments (or of `key`, the figures it draws, when the arguments are rows whose text does not
    show them) and the language: drawing an SVG costs more than most of the page's queries, and
    the same figures draw the same chart for everyone (nothing per user is kept)."""
    data = (build.__name__, args if key is None else key, kwargs, get_language())
    digest = hashlib.sha256(repr(data).encode()).hexdigest()
    return kept(f"dashboard-chart:{digest}", lambda: build(*args, **kwargs), CHART_SECONDS)


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
    numbers = {a.number: a.pk for a in areas}
    matches = communes_named(text, communes) if text else []
    return Filters(
        year=year if year in years else default_year,
        source=source if source in LEAD_SOURCES else "",
        area=area if area in numbers else None,
        area_id=numbers.get(area),
        commune=matches[0] if len(matches) == 1 else None,
        commune_text=text,
        commune_unknown=bool(text) and len(matches) != 1,
        period=(years[0], years[-1]),
    )


def _place(filters: Filters, prefix: str = "") -> Q:
    """The content area and commune filters as a condition on Project (through `prefix`)."""
    condition = Q()
    if filters.area:
        condition &= Q(**{f"{prefix}activity__content_area": filters.area_id})
    if filters.commune is not None:
        condition &= Q(**{f"{prefix}pk__in": filters.in_commune})
    return condition


def projects_in_commune(commune) -> tuple[int, ...]:
    """The đề án located in the commune or benefiting a facility of it (one query)."""
    located = Project.communes.through.objects.filter(administrativeunit=commune).values_list("project_id")
    benefiting = Project.beneficiaries.through.objects.filter(applicant__commune=commune).values_list(
        "project_id"
    )
    return tuple(sorted({pk for (pk,) in located.union(benefiting)})) or (0,)


def _money_scope(filters: Filters, prefix: str) -> Q:
    """The place filters and the programme's plan years (a multi-year đề án's plan year is its
    first share's), on the đề án reached through `prefix`."""
    first, last = filters.period
    return _place(filters, prefix) & Q(**{f"{prefix}year__gte": first, f"{prefix}year__lte": last})


def shared_in_year(year: int) -> tuple[int, ...]:
    """The đề án of another plan year with a share in `year` (one query)."""
    shares = PlanShare.objects.filter(year=year).exclude(project__year=year)
    return tuple(sorted(set(shares.values_list("project_id", flat=True))))


def _in_year(filters: Filters) -> Q:
    """A đề án of the year: its plan year, or one of its share years (a multi-year đề án)."""
    if filters.shared_in_year:
        return Q(year=filters.year) | Q(pk__in=filters.shared_in_year)
    return Q(year=filters.year)


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
    chart = cached_chart(
        target_progress_chart, progress, key=[(r.code, r.name, r.unit, r.achieved, r.goal) for r in rows]
    )
    return TargetsSection(rows=rows, elapsed=elapsed, chart=chart)


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
        items = items.filter(activity__content_area=filters.area_id)
    if filters.commune is not None:
        items = items.filter(communes=filters.commune)
    sums = items.values("plan__year", "plan__funding_source__code").annotate(t=Sum("planned_support"))
    return {(r["plan__year"], r["plan__funding_source__code"]): r["t"] or 0 for r in sums.order_by()}


class _Money:
    """The money cells, (year, source code, measure) → đồng, from grouped sums on ids: the codes
    come from `codes` (funding source id → code), the share years of the multi-year đề án from one
    query. A multi-year đề án's rows are grouped by đề án (a handful) and given their year here."""

    def __init__(self, filters: Filters, codes: dict):
        self.filters, self.codes, self.cells = filters, codes, {}
        self.shared = PlanShare.objects.values("project")
        self.bounds = {
            r["project"]: (r["first"], r["last"])
            for r in PlanShare.objects.filter(_money_scope(filters, "project__"))
            .values("project")
            .annotate(first=Min("year"), last=Max("year"))
            .order_by()
        }

    def add(self, year, source_id, measure, amount):
        code = self.codes.get(source_id)
        if code is not None and amount:
            key = (year, code, measure)
            self.cells[key] = self.cells.get(key, 0) + amount

    def multi(self, project_field: str):
        """The đề án's id when it is multi-year (has shares), else NULL: a grouping key."""
        return Case(
            When(**{f"{project_field}__in": self.shared}, then=F(project_field)),
            default=None,
            output_field=IntegerField(),
        )

    def lines(self) -> None:
        """Approved lines (state sources, by source) and counterpart lines (by lead fund) of the
        current budgets of approved đề án in their plan year, but the lead line of a multi-year đề
        án, which counts by share (one query); the shares by year (one query)."""
        rows = (
            Project.objects.filter(_money_scope(self.filters, ""), status__in=APPROVED_STATUSES)
            .annotate(multi=self.multi("pk"))
            .values("year", "lead_fund_id", "multi", source=F("current_budget__lines__funding_source_id"))
            .annotate(t=Sum("current_budget__lines__amount"))
            .order_by()
        )
        counterpart = next((pk for pk, code in self.codes.items() if code == FundingSource.COUNTERPART), None)
        for r in rows:
            if r["source"] == counterpart:
                self.add(r["year"], r["lead_fund_id"], "counterpart", r["t"])
            elif r["multi"] is None or r["source"] != r["lead_fund_id"]:
                self.add(r["year"], r["source"], "approved", r["t"])
        shares = (
            PlanShare.objects.filter(
                _money_scope(self.filters, "project__"), project__status__in=APPROVED_STATUSES
            )
            .values("year", "project__lead_fund")
            .annotate(t=Sum("amount"))
            .order_by()
        )
        for r in shares:
            self.add(r["year"], r["project__lead_fund"], "approved", r["t"])

    def disbursed(self) -> None:
        """Payments minus recoveries by year and source (a payment without a fund counts for the
        lead fund, as projects.services.money.net_paid does); a multi-year đề án's by the year of
        their date clamped to its share years: two queries."""
        for model, date_field, sign in ((Payment, "paid_on", 1), (AdvanceRecovery, "recovered_on", -1)):
            on = Case(
                When(project__in=self.shared, then=ExtractYear(date_field)),
                default=None,
                output_field=IntegerField(),
            )
            rows = (
                model.objects.filter(_money_scope(self.filters, "project__"))
                .values(
                    "project__year",
                    "project__lead_fund",
                    "funding_source",
                    multi=self.multi("project"),
                    on=on,
                )
                .annotate(t=Sum("amount"))
                .order_by()
            )
            for r in rows:
                year = r["project__year"]
                if r["multi"] in self.bounds:
                    first, last = self.bounds[r["multi"]]
                    year = min(max(r["on"], first), last)
                source = r["funding_source"] or r["project__lead_fund"]
                self.add(year, source, "disbursed", sign * r["t"])

    def settled(self) -> None:
        """The settled support by source, as the settlement recorded it, in the plan year or, for
        a multi-year đề án, its last share's year (one query)."""
        rows = (
            Project.objects.filter(
                _money_scope(self.filters, ""), status=Status.SETTLED, transitions__step="settle"
            )
            .annotate(multi=self.multi("pk"))
            .values("year", "multi", source=F("transitions__amounts__funding_source_id"))
            .annotate(t=Sum("transitions__amounts__amount"))
            .order_by()
        )
        for r in rows:
            year = self.bounds[r["multi"]][1] if r["multi"] in self.bounds else r["year"]
            self.add(year, r["source"], "settled", r["t"])


def money_cells(programme, filters: Filters, codes: dict) -> dict:
    """(year, source code, measure) → đồng, for every year (the year filter is not applied);
    `codes`: funding source id → code, of every source."""
    money = _Money(filters, codes)
    money.cells.update(
        {(year, code, "planned"): t for (year, code), t in _planned(programme, filters).items()}
    )
    money.lines()
    money.disbursed()
    money.settled()
    return money.cells


def _millions(value: int) -> float:
    return round(value / MILLION, 3)


def money_chart(title: str, rows: list[tuple[str, dict]]) -> Chart:
    """The money of each source (`[(label, {measure: đồng})]`) as grouped bars in triệu đồng: the
    dashboard's chart, which the yearly report draws from its snapshot too."""
    return cached_chart(
        bar_chart,
        title,
        [label for label, _values in rows],
        [(str(name), [_millions(values.get(key, 0)) for _l, values in rows]) for key, name in MONEY_MEASURES],
        label_title=_("Nguồn kinh phí"),
    )


def money_section(programme, filters: Filters, sources, codes) -> MoneySection:
    cells = money_cells(programme, filters, codes)
    shown = [s for s in sources if not filters.source or s.code == filters.source]

    def row(year, source):
        values = {key: cells.get((year, source.code, key), 0) for key, _label in MONEY_MEASURES}
        return MoneyRow(year=year, source=source.code, label=source.short_name, **values)

    by_year = [row(year, source) for year in programme.years for source in shown]
    rows = [r for r in by_year if r.year == filters.year]
    chart = money_chart(
        _("Kinh phí năm %(year)s theo nguồn (triệu đồng)") % {"year": filters.year},
        [(r.label, {key: getattr(r, key) for key, _label in MONEY_MEASURES}) for r in rows],
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
    return projects_visible_to(user).filter(_in_year(filters), _place(filters))


def status_section(user, filters: Filters, areas) -> StatusSection:
    numbers = {a.pk: a.number for a in areas}
    counts = {
        (numbers.get(r["activity__content_area"]), r["status"]): r["n"]
        for r in _projects(user, filters)
        .values("activity__content_area", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    present = {status for _area, status in counts}
    statuses = [(key, str(label)) for key, label in Status.choices if key in present]
    shown = [a for a in areas if not filters.area or a.number == filters.area]
    rows = [
        AreaRow(a.number, a.name, [counts.get((a.number, key), 0) for key, _label in statuses]) for a in shown
    ]
    chart = cached_chart(
        stacked_bar_chart,
        _("Đề án năm %(year)s theo nội dung và trạng thái") % {"year": filters.year},
        [_("Nội dung %(n)s") % {"n": r.number} for r in rows],  # named in full in the table above
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


def beneficiary_section(user, filters: Filters, communes) -> BeneficiarySection:
    """Distinct applicants benefiting from approved-and-on đề án of the filters, by kind and by
    their commune (one query; `communes`: every commune, already read)."""
    projects = _projects(user, filters).filter(status__in=APPROVED_STATUSES)
    applicants = Applicant.objects.filter(
        pk__in=Project.beneficiaries.through.objects.filter(project__in=projects).values("applicant")
    )
    per_kind, per_commune = {}, {}
    for kind, commune_id, n in (
        applicants.values_list("kind", "commune_id").annotate(n=Count("pk")).order_by()
    ):
        per_kind[kind] = per_kind.get(kind, 0) + n
        per_commune[commune_id] = per_commune.get(commune_id, 0) + n
    by_kind = [(str(label), per_kind[key]) for key, label in Applicant.Kind.choices if per_kind.get(key)]
    known = {c.pk: c for c in communes}
    ranked = sorted(
        per_commune.items(),
        key=lambda item: (-item[1], known[item[0]].sort_key if item[0] in known else "\uffff"),
    )
    by_commune = [
        (known[pk].full_name if pk in known else _("Chưa rõ xã, phường"), n)
        for pk, n in ranked[:TOP_COMMUNES]
    ]
    rest = ranked[TOP_COMMUNES:]
    if rest:
        label = _("%(n)s xã, phường khác") % {"n": len(rest)}
        by_commune.append((label, sum(n for _pk, n in rest)))
    chart = cached_chart(
        bar_chart,
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
            # (not by code alone: the code's index would walk every đề án to find ten late ones)
            _first_rows(late.order_by("started_on", "code"), lambda p: due_month),
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
    computed_at: datetime.datetime  # when these figures were read (the page may be kept a while)


DASHBOARD_SECONDS = 300
FILTER_PARAMS = ("year", "fund", "area", "commune")  # what dashboard_filters reads


def _cache_scope(user) -> str | None:
    """Whose dashboard a kept one may serve: staff and leaders read every đề án with names; an
    observer (and nothing else) the approved ones without. Other mixes are computed each time."""
    roles = user_roles(user)
    if roles & {Role.STAFF, Role.LEADER}:
        return "staff"
    if roles == {Role.OBSERVER}:
        return "observer"
    return None


def _dashboard_key(user, programme, params, on_date) -> str | None:
    """The cache key of what `user` reads on the dashboard with the filters of `params` on
    `on_date`: the programme's figures versions, the filters, the day, the language and who reads
    it; None when it is not to be kept (another mix of roles, or the cache is down)."""
    scope = _cache_scope(user)
    version, reporting = figures_version(), figures_version(REPORTING_VERSION_KEY)
    if scope is None or version is None or reporting is None:
        return None
    wanted = tuple((name, params.get(name, "")) for name in FILTER_PARAMS)
    digest = hashlib.sha256(repr(wanted).encode()).hexdigest()[:32]
    return f"dashboard:{programme.pk}:{version}.{reporting}:{scope}:{on_date.isoformat()}:{get_language()}:{digest}"


def programme_dashboard(user, programme, params, on_date=None) -> Dashboard:
    """Everything the dashboard shows for `user` with the filters of `params` (a QueryDict),
    kept in the cache for `DASHBOARD_SECONDS` under the programme's figures version
    (projects.figures: any write to what it reads computes it again, reports.figures_watch) with the
    filters, the day, the language and who reads it (issue 15: its 41 aggregates over every đề
    án made it the slowest staff page under load)."""
    on_date = on_date or timezone.localdate()
    key = _dashboard_key(user, programme, params, on_date)
    compute = partial(_programme_dashboard, user, programme, params, on_date)
    return compute() if key is None else kept(key, compute, DASHBOARD_SECONDS)


def programme_dashboard_html(user, programme, params, render, on_date=None) -> str:
    """The dashboard as `render(page)` gives it (its HTML), kept beside its figures under the same
    key: the page of 104 communes' rows and five charts took 40-90 ms to render from kept figures
    (issue 14); read from the cache it is one get."""
    on_date = on_date or timezone.localdate()
    key = _dashboard_key(user, programme, params, on_date)
    if key is None:
        return render(_programme_dashboard(user, programme, params, on_date))
    return kept(
        f"{key}:html",
        lambda: render(programme_dashboard(user, programme, params, on_date)),
        DASHBOARD_SECONDS,
    )


def _programme_dashboard(user, programme, params, on_date) -> Dashboard:
    staff = bool(user_roles(user) & {Role.STAFF, Role.LEADER})
    areas = list(programme.content_areas.order_by("number"))
    every_commune = list(AdministrativeUnit.objects.order_by("sort_key"))
    communes = [c for c in every_commune if c.is_active]
    every_source = list(FundingSource.objects.order_by("sort_order"))
    codes = {s.pk: s.code for s in every_source}
    sources = [s for s in every_source if s.code in LEAD_SOURCES]
    filters = dashboard_filters(programme, params, areas=areas, communes=communes)
    filters = replace(filters, shared_in_year=shared_in_year(filters.year))
    if filters.commune is not None:
        filters = replace(filters, in_commune=projects_in_commune(filters.commune))
    return Dashboard(
        programme=programme,
        filters=filters,
        on_date=on_date,
        years=list(programme.years),
        areas=areas,
        sources=sources,
        communes=communes,
        targets=targets_section(programme, on_date),
        money=money_section(programme, filters, sources, codes),
        statuses=status_section(user, filters, areas),
        beneficiaries=beneficiary_section(user, filters, every_commune),
        collaborators=collaborator_section(communes, on_date),
        completeness=completeness_section(),
        overdue=overdue_section(user, filters, on_date, personal=staff),
        personal=staff,
        is_staff=staff,
        computed_at=timezone.now(),
    )

"""Plan items against their đề án (issue 12): per line of a plan, what is committed, contracted,
disbursed and settled, and the quantity achieved, in a constant number of queries whatever the
number of items or projects (PLAN_FIGURES_QUERIES). A line is the same across a plan's versions
(programmes.PlanItem.line), so đề án attached to an item of an earlier version count on the line
of the version in force.

A one-year đề án counts on its Project.plan_item; a multi-year đề án (projects.PlanShare) counts
on the line of each year's share:

- committed: the plan source's line of the current budget of each approved đề án (approved and
  on: contracted, in progress, accepted, settled); a multi-year đề án its share of the year;
- contracted: the contract value of each đề án from contract on; a multi-year đề án its share;
- disbursed: payments minus recoveries of the plan's source (a payment without a fund counts for
  the lead fund, as projects.services.money.net_paid does; the đề án's lead fund is the plan's);
  a multi-year đề án's on the share of the payment's year (share_year: before the first share's
  year in the first, after the last in the last; the dashboard reads the same rule);
- settled: the plan source's actual support as each settled đề án's settlement recorded it; a multi-year đề án's on its last year;
- achieved: the units of the accepted or settled đề án (what the cap of the lead fund's rule
  counts: projects.services.budget.cap_units), a multi-year đề án's on its last year;
- other sources: the approved budget lines of the other sources (counterpart, the other fund)
  of the đề án on the line, a multi-year đề án's on its first year's line."""

import bisect
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import ExtractYear

from programmes.models import AnnualPlan, FundingSource, PlanItem, SupportRule

from .models import (
    APPROVED_STATUSES,
    COMPLETED_STATUSES,
    AdvanceRecovery,
    BudgetLine,
    Payment,
    PlanShare,
    Project,
    Status,
    TransitionAmount,
)
from .services.budget import cap_units

CONTRACTED_STATUSES = (Status.CONTRACTED, Status.IN_PROGRESS, Status.ACCEPTED, Status.SETTLED)
MONEY = ("committed", "contracted", "disbursed", "settled")
# items and their communes, one-year projects, budget lines, payments, recoveries, shares and their
# years, multi-year payments and recoveries, the projects achieved and the rules of their units
PLAN_FIGURES_QUERIES = 12


@dataclass
class ItemFigures:
    item: PlanItem | None
    line: int
    projects: int = 0
    committed: int = 0
    contracted: int = 0
    disbursed: int = 0
    settled: int = 0
    achieved: int = 0
    other: dict = field(default_factory=dict)  # {funding source code: approved amount}
    other_cells: list = field(default_factory=list)  # the amounts of Reality.other_sources, in order
    over: list = field(default_factory=list)

    @property
    def money_cells(self) -> list[tuple[str, int]]:
        return [(name, getattr(self, name)) for name in MONEY]

    @property
    def planned(self) -> int:
        return self.item.planned_support if self.item is not None else 0

    @property
    def planned_quantity(self) -> int:
        return self.item.planned_quantity if self.item is not None else 0

    @property
    def remaining(self) -> int:
        return self.planned - self.committed


def share_year(years: list[int], year: int) -> int:
    """The year of a multi-year đề án's shares (sorted) that money dated in `year` counts in: its
    own, the last share year before it, the first for money before the first year."""
    index = bisect.bisect_right(years, year) - 1
    return years[max(index, 0)]


def _on_plan(plan: AnnualPlan, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}plan_item__plan__year": plan.year,
            f"{prefix}plan_item__plan__funding_source": plan.funding_source_id,
        }
    )


def _one_year(prefix: str = "") -> Q:
    """Đề án without shares (`prefix` leads from the row to the project)."""
    return ~Q(**{f"{prefix}pk__in": PlanShare.objects.values("project")})


def committed_on_line(plan: AnnualPlan, line: int, *, exclude=None) -> int:
    """The plan source's approved support already committed on `line` (two queries): the lead
    line of the one-year đề án on it and the shares on it of the multi-year ones."""
    lines = BudgetLine.objects.filter(
        _on_plan(plan, "budget__project__"),
        _one_year("budget__project__"),
        budget__project__plan_item__line=line,
        budget__project__status__in=APPROVED_STATUSES,
        budget=F("budget__project__current_budget"),
        funding_source=plan.funding_source_id,
    )
    shares = PlanShare.objects.filter(
        _on_plan(plan), plan_item__line=line, project__status__in=APPROVED_STATUSES
    )
    if exclude is not None:
        lines = lines.exclude(budget__project=exclude)
        shares = shares.exclude(project=exclude)
    return (lines.aggregate(t=Sum("amount"))["t"] or 0) + (shares.aggregate(t=Sum("amount"))["t"] or 0)


class _Rows(dict):
    def at(self, line) -> ItemFigures:
        if line not in self:
            self[line] = ItemFigures(item=None, line=line)
        return self[line]


def _one_year_figures(plan: AnnualPlan, rows: _Rows) -> None:
    projects = (
        Project.objects.filter(_on_plan(plan), _one_year())
        .values("plan_item__line")
        .annotate(
            n=Count("id"),
            contracted=Sum("contract_value", filter=Q(status__in=CONTRACTED_STATUSES)),
        )
    )
    for r in projects:
        figures = rows.at(r["plan_item__line"])
        figures.projects += r["n"]
        figures.contracted += r["contracted"] or 0
    settled = (
        _settled_amounts(plan)
        .filter(_on_plan(plan, "transition__project__"), _one_year("transition__project__"))
        .values("transition__project__plan_item__line")
        .annotate(t=Sum("amount"))
    )
    for r in settled:
        rows.at(r["transition__project__plan_item__line"]).settled += r["t"] or 0
    # every approved line of the đề án on the plan: the plan's source for one-year đề án, the
    # other sources for all (a multi-year đề án's on its first year)
    approved = (
        BudgetLine.objects.filter(
            _on_plan(plan, "budget__project__"),
            budget__project__status__in=APPROVED_STATUSES,
            budget=F("budget__project__current_budget"),
        )
        .annotate(multi=Exists(PlanShare.objects.filter(project=OuterRef("budget__project"))))
        .values("budget__project__plan_item__line", "funding_source__code", "funding_source", "multi")
        .annotate(t=Sum("amount"))
    )
    for r in approved:
        figures = rows.at(r["budget__project__plan_item__line"])
        if r["funding_source"] != plan.funding_source_id:
            code = r["funding_source__code"]
            figures.other[code] = figures.other.get(code, 0) + (r["t"] or 0)
        elif not r["multi"]:
            figures.committed += r["t"] or 0
    source = Q(funding_source=plan.funding_source_id)
    paid = (
        Payment.objects.filter(_on_plan(plan, "project__"), _one_year("project__"))
        .filter(source | Q(funding_source__isnull=True))
        .values("project__plan_item__line")
        .annotate(t=Sum("amount"))
    )
    for r in paid:
        rows.at(r["project__plan_item__line"]).disbursed += r["t"] or 0
    recovered = (
        AdvanceRecovery.objects.filter(_on_plan(plan, "project__"), _one_year("project__"))
        .filter(source)
        .values("project__plan_item__line")
        .annotate(t=Sum("amount"))
    )
    for r in recovered:
        rows.at(r["project__plan_item__line"]).disbursed -= r["t"] or 0


def _settled_amounts(plan: AnnualPlan):
    """The plan source's actual support as the settlement step recorded it (workflow.md: actual
    support per source), of settled đề án: a co-financed đề án's other fund is not this plan's."""
    return TransitionAmount.objects.filter(
        transition__step="settle",
        transition__project__status=Status.SETTLED,
        funding_source=plan.funding_source_id,
    )


def _shares_on(plan: AnnualPlan) -> dict:
    """{project id: (line of its share in the plan's year, share row values)} of the multi-year
    đề án with a share in the plan's year and source, with every share year of each."""
    years = PlanShare.objects.filter(project=OuterRef("project")).order_by()
    rows = PlanShare.objects.filter(_on_plan(plan)).values(
        "project",
        "amount",
        "plan_item__line",
        "project__status",
        settled=Subquery(
            _settled_amounts(plan).filter(transition__project=OuterRef("project")).values("amount")[:1]
        ),
        first=Subquery(years.values("project").annotate(m=Min("year")).values("m")[:1]),
        last=Subquery(years.values("project").annotate(m=Max("year")).values("m")[:1]),
    )
    return {r["project"]: r for r in rows}


def _share_figures(plan: AnnualPlan, rows: _Rows) -> dict:
    shares = _shares_on(plan)
    for r in shares.values():
        figures = rows.at(r["plan_item__line"])
        figures.projects += 1
        status = r["project__status"]
        if status in APPROVED_STATUSES:
            figures.committed += r["amount"]
        if status in CONTRACTED_STATUSES:
            figures.contracted += r["amount"]
        if status == Status.SETTLED and r["last"] == plan.year:
            figures.settled += r["settled"] or 0
    if not shares:
        return shares
    years = defaultdict(list)
    for project, year in PlanShare.objects.filter(project__in=shares).values_list("project", "year"):
        years[project].append(year)
    source = Q(funding_source=plan.funding_source_id)
    money = (
        (Payment.objects.filter(source | Q(funding_source__isnull=True)), "paid_on", 1),
        (AdvanceRecovery.objects.filter(source), "recovered_on", -1),
    )
    for queryset, day, sign in money:
        by_year = (
            queryset.filter(project__in=shares)
            .values("project", y=ExtractYear(day))
            .annotate(t=Sum("amount"))
            .order_by()
        )
        for r in by_year:
            if share_year(sorted(years[r["project"]]), r["y"]) == plan.year:
                rows.at(shares[r["project"]]["plan_item__line"]).disbursed += sign * (r["t"] or 0)
    return shares


def _cap_unit_rules(plan: AnnualPlan, activities) -> dict:
    """{(activity id, variant id or None): a ceiling rule of the plan's source}: what one unit of
    the cap covers (the newest applicable rule; a variant's own before the activity's)."""
    rules = (
        SupportRule.objects.filter(
            activity__in=activities,
            funding_source=plan.funding_source_id,
            kind=SupportRule.Kind.CEILING,
            status__in=SupportRule.APPLICABLE_STATUSES,
        )
        .exclude(cap_unit="")
        .order_by("valid_from", "pk")
    )
    found = {}
    for rule in rules:
        found[(rule.activity_id, rule.variant_id)] = rule
    return found


def _achieved(plan: AnnualPlan, rows: _Rows, shares: dict) -> None:
    """The units of the accepted or settled đề án: a one-year đề án on its line, a multi-year đề
    án on its last year's line (the year it is accepted in)."""
    last_year = [p for p, r in shares.items() if r["last"] == plan.year]
    projects = list(
        Project.objects.filter(status__in=COMPLETED_STATUSES)
        .filter((_on_plan(plan) & _one_year()) | Q(pk__in=last_year))
        .annotate(named=Count("beneficiaries"))
        .values(
            "pk", "activity", "variant", "models_count", "planned_beneficiaries", "named", "plan_item__line"
        )
    )
    if not projects:
        return
    rules = _cap_unit_rules(plan, {p["activity"] for p in projects})
    for p in projects:
        rule = rules.get((p["activity"], p["variant"])) or rules.get((p["activity"], None))
        stub = Project(models_count=p["models_count"], planned_beneficiaries=p["planned_beneficiaries"])
        line = shares[p["pk"]]["plan_item__line"] if p["pk"] in shares else p["plan_item__line"]
        rows.at(line).achieved += cap_units(stub, rule, named=p["named"])


def plan_item_figures(plan: AnnualPlan) -> list[ItemFigures]:
    """Every line of `plan` (the version given, normally the one in force) with its figures, in
    line order; a line that đề án use but this version no longer has comes last, without item.
    At most PLAN_FIGURES_QUERIES queries."""
    rows = _Rows(
        (i.line, ItemFigures(item=i, line=i.line))
        for i in plan.items.select_related("activity", "variant").prefetch_related("communes")
    )
    _one_year_figures(plan, rows)
    shares = _share_figures(plan, rows)
    _achieved(plan, rows, shares)
    for figures in rows.values():
        figures.over = [name for name in MONEY if getattr(figures, name) > figures.planned]
        if figures.item is not None and figures.achieved > figures.planned_quantity:
            figures.over.append("achieved")
    return sorted(rows.values(), key=lambda f: (f.item is None, f.line))


def plan_totals(rows: list[ItemFigures]) -> ItemFigures:
    """The plan's total row: the sums of its lines (over when the total exceeds the plan)."""
    planned = PlanItem(
        planned_support=sum(r.planned for r in rows), planned_quantity=sum(r.planned_quantity for r in rows)
    )
    total = ItemFigures(item=planned, line=0)
    for r in rows:
        total.projects += r.projects
        for name in (*MONEY, "achieved"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        for code, amount in r.other.items():
            total.other[code] = total.other.get(code, 0) + amount
    total.over = [name for name in MONEY if getattr(total, name) > total.planned]
    if total.achieved > total.planned_quantity:
        total.over.append("achieved")
    return total


def plan_items_for(project: Project, *, from_year: int | None = None) -> dict[int, list[PlanItem]]:
    """{year: items} a đề án may be put on: the items of the latest version of each year's plan of
    its lead fund (from its year on, or `from_year` alone), of its activity (and variant, when the
    item names one). Two queries."""
    plans = AnnualPlan.objects.filter(funding_source=project.lead_fund_id, year__gte=project.year)
    if from_year is not None:
        plans = plans.filter(year=from_year)
    latest = {}
    for plan in plans.order_by("year", "revision"):
        latest[plan.year] = plan.pk
    items = (
        PlanItem.objects.filter(plan__in=latest.values(), activity=project.activity_id)
        .filter(Q(variant__isnull=True) | Q(variant=project.variant_id))
        .select_related("plan", "activity", "variant")
        .order_by("plan__year", "line")
    )
    found = {year: [] for year in latest}
    for item in items:
        found[item.plan.year].append(item)
    return {year: rows for year, rows in found.items() if rows}


@dataclass
class Reality:
    """The plan against reality: its lines, the total, and the other sources shown as columns
    (those with an approved amount on the plan)."""

    plan: AnnualPlan
    rows: list
    total: ItemFigures
    other_sources: list


def plan_reality(plan: AnnualPlan) -> Reality:
    """The figures of the plan's page and of its XLSX (one source for both)."""
    rows = plan_item_figures(plan)
    total = plan_totals(rows)
    others = [s for s in FundingSource.objects.exclude(pk=plan.funding_source_id) if total.other.get(s.code)]
    for r in (*rows, total):
        r.other_cells = [r.other.get(s.code, 0) for s in others]
    return Reality(plan=plan, rows=rows, total=total, other_sources=others)

"""Plan items against their đề án (issue 12): per line of a plan, what is committed, contracted,
disbursed and settled, in a bounded number of queries (five: the items, the đề án, their budget lines, payments and
recoveries, whatever the number of items or
projects). A line is the same across a plan's versions (programmes.PlanItem.line), so đề án
attached to an item of an earlier version count on the line of the version in force.

- committed: the plan source's line of the current budget of each approved đề án (approved and
  on: contracted, in progress, accepted, settled);
- contracted: the contract value of each đề án from contract on;
- disbursed: payments minus recoveries of the plan's source (a payment without a fund counts for
  the lead fund, as projects.services.money.net_paid does; the đề án's lead fund is the plan's);
- settled: the settled support of each settled đề án."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from programmes.models import AnnualPlan, PlanItem

from .models import APPROVED_STATUSES, AdvanceRecovery, BudgetLine, Payment, Project, Status

CONTRACTED_STATUSES = (Status.CONTRACTED, Status.IN_PROGRESS, Status.ACCEPTED, Status.SETTLED)


@dataclass
class ItemFigures:
    item: PlanItem | None
    line: int
    projects: int = 0
    committed: int = 0
    contracted: int = 0
    disbursed: int = 0
    settled: int = 0
    over: list = field(default_factory=list)

    @property
    def planned(self) -> int:
        return self.item.planned_support if self.item is not None else 0

    @property
    def remaining(self) -> int:
        return self.planned - self.committed


def _on_plan(plan: AnnualPlan, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}plan_item__plan__year": plan.year,
            f"{prefix}plan_item__plan__funding_source": plan.funding_source_id,
        }
    )


def committed_on_line(plan: AnnualPlan, line: int, *, exclude=None) -> int:
    """The plan source's approved support already committed on `line` (one query)."""
    lines = BudgetLine.objects.filter(
        _on_plan(plan, "budget__project__"),
        budget__project__plan_item__line=line,
        budget__project__status__in=APPROVED_STATUSES,
        budget=F("budget__project__current_budget"),
        funding_source=plan.funding_source_id,
    )
    if exclude is not None:
        lines = lines.exclude(budget__project=exclude)
    return lines.aggregate(t=Sum("amount"))["t"] or 0


def plan_item_figures(plan: AnnualPlan) -> list[ItemFigures]:
    """Every line of `plan` (the version given, normally the one in force) with its figures, in
    line order; a line that đề án use but this version no longer has comes last, without item."""
    rows = {
        i.line: ItemFigures(item=i, line=i.line) for i in plan.items.select_related("activity", "variant")
    }

    def row(line):
        return rows.setdefault(line, ItemFigures(item=None, line=line))

    projects = (
        Project.objects.filter(_on_plan(plan))
        .values("plan_item__line")
        .annotate(
            n=Count("id"),
            contracted=Sum("contract_value", filter=Q(status__in=CONTRACTED_STATUSES)),
            settled=Sum("actual_support", filter=Q(status=Status.SETTLED)),
        )
    )
    for r in projects:
        figures = row(r["plan_item__line"])
        figures.projects, figures.contracted, figures.settled = (
            r["n"],
            r["contracted"] or 0,
            r["settled"] or 0,
        )
    committed = (
        BudgetLine.objects.filter(
            _on_plan(plan, "budget__project__"),
            budget__project__status__in=APPROVED_STATUSES,
            budget=F("budget__project__current_budget"),
            funding_source=plan.funding_source_id,
        )
        .values("budget__project__plan_item__line")
        .annotate(t=Sum("amount"))
    )
    for r in committed:
        row(r["budget__project__plan_item__line"]).committed = r["t"] or 0
    source = Q(funding_source=plan.funding_source_id)
    paid = (
        Payment.objects.filter(_on_plan(plan, "project__"))
        .filter(source | Q(funding_source__isnull=True))
        .values("project__plan_item__line")
        .annotate(t=Sum("amount"))
    )
    for r in paid:
        row(r["project__plan_item__line"]).disbursed += r["t"] or 0
    recovered = (
        AdvanceRecovery.objects.filter(_on_plan(plan, "project__"))
        .filter(source)
        .values("project__plan_item__line")
        .annotate(t=Sum("amount"))
    )
    for r in recovered:
        row(r["project__plan_item__line"]).disbursed -= r["t"] or 0
    for figures in rows.values():
        figures.over = [
            name
            for name in ("committed", "contracted", "disbursed", "settled")
            if getattr(figures, name) > figures.planned
        ]
    return sorted(rows.values(), key=lambda f: (f.item is None, f.line))

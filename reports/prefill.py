"""The figures the portal proposes for a unit's report, from its own projects (issue 11, item 3).
Pure reads: nothing here writes.

Which projects count (`Basis`): a project's results in the data window that holds its acceptance
date (accepted or settled), approvals by their decision date (the approved budget's counterpart and
other sources), state money by its payment date (payments net of the recoveries of the window, per
funding source; a payment recorded without a source is the lead fund's).

Where a figure goes (`weights`): a project's figure is split among its beneficiaries' communes by
each beneficiary's share of the support (BeneficiaryShare; equal shares when none is recorded); a
project without beneficiaries goes to its location commune(s); a project staff mark as province-wide
goes to the "province level" bucket (`PROVINCE`), which is never added into a commune. A count of
facilities puts each beneficiary in its own commune. Splits are whole numbers (largest remainder),
so the communes plus the province bucket add up to the province total exactly.

Departments and organisations have nothing to pre-fill from: they fill the form themselves."""

import datetime
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from fractions import Fraction
from math import floor

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q
from django.utils.translation import gettext as _

from applicants.models import Applicant
from core.kept import kept
from programmes.models import AdministrativeUnit, Collaborator, FundingSource, Indicator, ReportingUnit
from projects.figures import figures_version
from projects.models import (
    APPROVED_STATUSES,
    COMPLETED_STATUSES,
    AdvanceRecovery,
    BudgetLine,
    Payment,
    Project,
    ProjectOutput,
)

PREFILL_SECONDS = 300
PROVINCE = "province"  # the bucket of province-wide activities
Prefill = Indicator.Prefill


@dataclass(frozen=True)
class Window:
    """The days a period's figures cover, both included (15/12 of the previous year to 14/12)."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def of(cls, period) -> "Window":
        return cls(period.data_from, period.data_to)

    @property
    def range(self):
        return (self.start, self.end)


class Basis:
    ACCEPTED = "accepted"  # results: the acceptance date
    APPROVED = "approved"  # approvals: the decision date
    PAID = "paid"  # state money: the payment (and recovery) date
    REGISTER = "register"  # the collaborator register on the window's last day


class Measure:
    OUTPUTS = "outputs"  # the typed outputs (ProjectOutput.number) counting towards the indicator
    PROJECTS = "projects"  # one per project
    MODELS = "models"  # the project's demonstration models
    FACILITIES = "facilities"  # the beneficiaries, each in its own commune
    LINE = "line"  # the current budget's line of a funding source
    PAID = "paid"  # payments minus recoveries of a funding source
    COLLABORATORS = "collaborators"  # active collaborators of the commune


@dataclass(frozen=True)
class Rule:
    measure: str
    basis: str
    activities: tuple = ()
    variant: str = ""
    source: str = ""

    def covers(self, project) -> bool:
        if self.activities and project.activity.code not in self.activities:
            return False
        return not self.variant or (project.variant is not None and project.variant.key == self.variant)


M, B = Measure, Basis
# The computation behind each `Indicator.prefill` key (fixtures/unit-report-indicators.csv says the
# same in words, in its prefill_from column).
RULES = {
    Prefill.TRAINING_CLASSES: Rule(M.OUTPUTS, B.ACCEPTED),
    Prefill.TRAINEES: Rule(M.OUTPUTS, B.ACCEPTED),
    Prefill.DEMO_MODELS: Rule(M.MODELS, B.ACCEPTED, ("2a",)),
    Prefill.MACHINERY_FACILITIES: Rule(M.FACILITIES, B.ACCEPTED, ("2b",)),
    Prefill.DIGITAL_FACILITIES: Rule(M.FACILITIES, B.ACCEPTED, ("2c",)),
    Prefill.TREATMENT_FACILITIES: Rule(M.FACILITIES, B.ACCEPTED, ("2d",)),
    Prefill.CLEANER_PRODUCTION: Rule(M.FACILITIES, B.ACCEPTED, ("2đ",)),
    Prefill.PRODUCTS_ENTERED: Rule(M.OUTPUTS, B.ACCEPTED),
    Prefill.PRODUCTS_RECOGNISED: Rule(M.OUTPUTS, B.ACCEPTED),
    Prefill.FAIRS: Rule(M.PROJECTS, B.ACCEPTED, ("3b",)),
    Prefill.FAIR_PARTICIPANTS: Rule(M.OUTPUTS, B.ACCEPTED),
    Prefill.TRADEMARKS: Rule(M.FACILITIES, B.ACCEPTED, ("3c",), variant="trademark"),
    Prefill.SHOWROOMS: Rule(M.PROJECTS, B.ACCEPTED, ("3c",), variant="showroom"),
    Prefill.DIGITAL_STORES: Rule(M.FACILITIES, B.ACCEPTED, ("3d",)),
    Prefill.ARTISANS: Rule(M.OUTPUTS, B.ACCEPTED),
    Prefill.CLUSTER_PROMOTION: Rule(M.PROJECTS, B.ACCEPTED, ("4a",)),
    Prefill.CLUSTER_TREATMENT: Rule(M.PROJECTS, B.ACCEPTED, ("4b",)),
    Prefill.MEDIA: Rule(M.OUTPUTS, B.ACCEPTED),
    Prefill.CONSULTATIONS: Rule(M.OUTPUTS, B.ACCEPTED),
    Prefill.COLLABORATORS: Rule(M.COLLABORATORS, B.REGISTER),
    Prefill.KCQG_SUPPORT: Rule(M.PAID, B.PAID, source=FundingSource.KCQG),
    Prefill.KCDP_SUPPORT: Rule(M.PAID, B.PAID, source=FundingSource.KCDP),
    Prefill.COUNTERPART: Rule(M.LINE, B.APPROVED, source=FundingSource.COUNTERPART),
    Prefill.OTHER_SOURCES: Rule(M.LINE, B.APPROVED, source=FundingSource.OTHER),
}


def rule_of(indicator) -> Rule | None:
    return RULES.get(indicator.prefill)


def source_label(indicator) -> str:
    """Where the portal's figure comes from, in the unit's words (empty: the unit types it)."""
    rule = rule_of(indicator)
    if rule is None:
        return ""
    basis = {
        Basis.ACCEPTED: _("đề án nghiệm thu trong thời gian lấy số liệu"),
        Basis.APPROVED: _("đề án phê duyệt trong thời gian lấy số liệu"),
        Basis.PAID: _("các khoản chi trong thời gian lấy số liệu"),
        Basis.REGISTER: _("ngày cuối của thời gian lấy số liệu"),
    }[rule.basis]
    return f"{indicator.get_prefill_display()} ({basis})"


# --- which projects ------------------------------------------------------------------------------


def _accepted_in(window: Window) -> Q:
    return Q(status__in=COMPLETED_STATUSES, acceptance_date__range=window.range)


def _approved_in(window: Window) -> Q:
    return Q(status__in=APPROVED_STATUSES, decision_date__range=window.range)


def _money_in(window: Window) -> Q:
    return Q(pk__in=Payment.objects.filter(paid_on__range=window.range).values("project")) | Q(
        pk__in=AdvanceRecovery.objects.filter(recovered_on__range=window.range).values("project")
    )


def _touching(commune) -> list[int]:
    """The projects whose figures may reach `commune` (a superset: the split decides), as ids
    read first: inside the window's query the planner guessed thousands of rows for a few dozen
    and scanned every project (65 ms at 20,000 projects; 5 ms this way, issue 15's load run)."""
    named = Project.beneficiaries.through.objects.filter(applicant__commune=commune).values_list(
        "project_id", flat=True
    )
    located = Project.communes.through.objects.filter(administrativeunit=commune).values_list(
        "project_id", flat=True
    )
    return list(named.union(located))


def window_projects(window: Window, *, commune=None):
    """The projects with a figure in `window` (results, approvals or money), with what the split
    reads: a fixed number of queries whatever the number of projects."""
    projects = Project.objects.filter(_accepted_in(window) | _approved_in(window) | _money_in(window))
    if commune is not None:
        projects = projects.filter(province_wide=False, pk__in=_touching(commune))
    return (
        projects.annotate(
            in_accepted=ExpressionWrapper(_accepted_in(window), output_field=BooleanField()),
            in_approved=ExpressionWrapper(_approved_in(window), output_field=BooleanField()),
        )
        .select_related("activity", "variant", "lead_fund", "current_budget")
        .prefetch_related(
            Prefetch("beneficiaries", queryset=Applicant.objects.only("id", "commune_id")),
            "beneficiary_shares",
            Prefetch("communes", queryset=AdministrativeUnit.objects.only("id")),
            Prefetch("outputs", queryset=ProjectOutput.objects.filter(indicator__isnull=False)),
            Prefetch("current_budget__lines", queryset=BudgetLine.objects.select_related("funding_source")),
            Prefetch(
                "payments",
                queryset=Payment.objects.filter(paid_on__range=window.range).select_related("funding_source"),
            ),
            Prefetch(
                "recoveries",
                queryset=AdvanceRecovery.objects.filter(recovered_on__range=window.range).select_related(
                    "funding_source"
                ),
            ),
        )
        .order_by("pk")
    )


# --- where a figure goes ---------------------------------------------------------------------------


def weights(project) -> dict:
    """{commune id or PROVINCE: fraction} adding up to 1 (see the module's docstring)."""
    if project.province_wide:
        return {PROVINCE: Fraction(1)}
    beneficiaries = list(project.beneficiaries.all())
    if beneficiaries:
        named = {b.pk for b in beneficiaries}
        shares = {
            s.applicant_id: s.amount for s in project.beneficiary_shares.all() if s.applicant_id in named
        }
        total = sum(shares.values())
        result = defaultdict(Fraction)
        for b in beneficiaries:
            part = Fraction(shares.get(b.pk, 0), total) if total else Fraction(1, len(beneficiaries))
            result[b.commune_id] += part
        return {k: v for k, v in result.items() if v}
    communes = [c.pk for c in project.communes.all()]
    if communes:
        return {pk: Fraction(1, len(communes)) for pk in communes}
    return {PROVINCE: Fraction(1)}  # placed nowhere: it cannot be any commune's


def _order(key):
    return (1, 0) if key == PROVINCE else (0, key)


def split(amount: int, parts: dict) -> dict:
    """`amount` in whole numbers by `parts` (fractions adding up to 1): each gets the floor of its
    share, and what is left goes one by one to the largest remainders (ties: communes by id, the
    province last). The parts always add up to `amount`."""
    if not amount:
        return {}
    exact = {k: amount * w for k, w in parts.items()}
    result = {k: floor(v) for k, v in exact.items()}
    left = amount - sum(result.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - result[k]), _order(k)))[:left]:
        result[key] += 1
    return {k: v for k, v in result.items() if v}


def _facilities(project) -> dict:
    """Each beneficiary counts one in its own commune (the province bucket for a province-wide
    project); a project that names none counts its planned number where it is located."""
    beneficiaries = list(project.beneficiaries.all())
    if project.province_wide:
        return {PROVINCE: len(beneficiaries) or project.planned_beneficiaries or 0}
    if beneficiaries:
        return dict(Counter(b.commune_id for b in beneficiaries))
    return split(project.planned_beneficiaries or 0, weights(project))


def _source_of(payment, project):
    return payment.funding_source.code if payment.funding_source_id else project.lead_fund.code


def _in_basis(project, rule: Rule) -> bool:
    if rule.basis == Basis.ACCEPTED:
        return project.in_accepted
    if rule.basis == Basis.APPROVED:
        return project.in_approved
    return rule.basis == Basis.PAID


def project_figure(project, indicator, rule: Rule) -> int:
    """The whole project's figure for `indicator` in the window its queryset was built for."""
    if not (_in_basis(project, rule) and rule.covers(project)):
        return 0
    if rule.measure == Measure.OUTPUTS:
        return sum(o.number or 0 for o in project.outputs.all() if o.indicator_id == indicator.pk)
    if rule.measure == Measure.PROJECTS:
        return 1
    if rule.measure == Measure.MODELS:
        return project.models_count or 0
    if rule.measure == Measure.FACILITIES:
        return sum(_facilities(project).values())
    if rule.measure == Measure.LINE:
        lines = project.current_budget.lines.all() if project.current_budget_id else []
        return sum(line.amount for line in lines if line.funding_source.code == rule.source)
    if rule.measure == Measure.PAID:
        paid = sum(p.amount for p in project.payments.all() if _source_of(p, project) == rule.source)
        back = sum(r.amount for r in project.recoveries.all() if r.funding_source.code == rule.source)
        return max(paid - back, 0)
    return 0


def attribute(project, indicator, rule: Rule) -> dict:
    """{commune id or PROVINCE: figure} of one project for one indicator."""
    figure = project_figure(project, indicator, rule)
    if not figure:
        return {}
    if rule.measure == Measure.FACILITIES:
        return _facilities(project)
    return split(figure, weights(project))


def _collaborators(window: Window, commune=None) -> Counter:
    rows = Collaborator.objects.filter(appointed_on__lte=window.end).exclude(ended_on__lt=window.end)
    if commune is not None:
        rows = rows.filter(commune=commune)
    return Counter(rows.values_list("commune_id", flat=True))


# --- the figures --------------------------------------------------------------------------------


def prefill_indicators():
    """The active indicators the portal can pre-fill."""
    return [i for i in Indicator.objects.filter(is_active=True) if rule_of(i) is not None]


def prefill_buckets(window: Window, indicators=None, *, commune=None) -> dict:
    """{indicator id: Counter({commune id or PROVINCE: figure})} for the window (only the buckets
    that `commune` may receive, when given)."""
    indicators = prefill_indicators() if indicators is None else indicators
    projects = list(window_projects(window, commune=commune))
    result = {}
    for indicator in indicators:
        rule = rule_of(indicator)
        buckets = Counter()
        if rule is None:
            continue
        if rule.measure == Measure.COLLABORATORS:
            buckets.update(_collaborators(window, commune))
        else:
            for project in projects:
                buckets.update(attribute(project, indicator, rule))
        result[indicator.pk] = buckets
    return result


def province_totals(window: Window, indicators=None) -> dict:
    """{indicator id: figure} of the whole province: each project's figure counted once, before
    it is split (the sum of the communes and the province bucket must come back to it)."""
    indicators = prefill_indicators() if indicators is None else indicators
    projects = list(window_projects(window))
    totals = {}
    for indicator in indicators:
        rule = rule_of(indicator)
        if rule is None:
            continue
        if rule.measure == Measure.COLLABORATORS:
            totals[indicator.pk] = sum(_collaborators(window).values())
        else:
            totals[indicator.pk] = sum(project_figure(p, indicator, rule) for p in projects)
    return totals


def unit_prefill(unit: ReportingUnit, window: Window, indicators) -> dict:
    """{indicator id: figure or None} for a unit's report: a commune's share of the window's
    figures (0 where the portal has nothing for it), None for an indicator the unit types and for
    every indicator of a department or organisation."""
    if unit.commune_id is None:
        return {i.pk: None for i in indicators}

    def compute():
        buckets = prefill_buckets(window, [i for i in indicators if rule_of(i)], commune=unit.commune)
        return {i.pk: buckets[i.pk].get(unit.commune_id, 0) if i.pk in buckets else None for i in indicators}

    # kept until the programme's data changes (projects.figures): the report's page and its
    # submission read the same figures, and on 22/12 a hundred communes open and send at once
    version = figures_version()
    rules = sorted((i.pk, i.prefill) for i in indicators)
    key = (
        f"unit-prefill:{unit.commune_id}:{window.start}:{window.end}:{version}:"
        f"{hashlib.sha256(repr(rules).encode()).hexdigest()[:24]}"
        if version
        else None
    )
    return kept(key, compute, PREFILL_SECONDS)

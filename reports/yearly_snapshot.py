"""The data of a compiled report (issue 13), read once into one JSON dict that both the PDF and the
XLSX are made from and that is kept with the version (report-outline.md gives the sections).

Counting rules (printed in the report beside the tables):
- the window is the request's (a period's data window 15/12–14/12, a quarter, any range);
- a đề án counts under its lead fund; money counts under the funding source of each budget line or
  payment, so KCQG and KCĐP are never mixed;
- approved: approved (or later) with the approval decision dated in the window, money = the source's
  line of the current budget; accepted: acceptance dated in the window; settled: settlement dated in
  the window, money = the actual support per state source as the settlement step recorded it;
  disbursed: payments of the source in the window net of its recoveries (a payment without a source
  is the lead fund's); counterpart: the counterpart line of the đề án approved in the window;
- planned: the lines of the year's plan in force of the source (programmes.plans.plan_in_force);
- the units' reports (completeness, their indicators' sums, difficulties): only the periods whose
  data window lies inside the request's, none otherwise; the portal's figure beside the units' sums
  is the one of those windows.

Kept apart from the dashboard's selectors on purpose: when reports.dashboard settles, its reads can
be called from here without changing the documents."""

import datetime
from collections import defaultdict
from fractions import Fraction

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Applicant
from programmes.models import ContentArea, FundingSource, Indicator
from programmes.plans import plan_in_force
from projects.models import (
    APPROVED_STATUSES,
    COMPLETED_STATUSES,
    AdvanceRecovery,
    Payment,
    Project,
    ProjectTransition,
    Status,
)

from .completeness import reporting_completeness
from .forms import MILLION, scale_of_unit
from .models import ReportingPeriod, UnitReport, UnitReportValue
from .prefill import Window, province_totals, rule_of, split
from .selectors import current_programme, elapsed_share, programme_progress, target_rule
from .yearly_models import PASSAGES, Audience, ReportKind, ReportRequest

SNAPSHOT_FORMAT = 1
ISSUER_PARENT = "UBND TỈNH HƯNG YÊN"
ISSUER = "SỞ CÔNG THƯƠNG"
SYMBOL = "BC-SCT"
SENT_STATUSES = (UnitReport.Status.SUBMITTED, UnitReport.Status.ACCEPTED)


def default_recipients(audience: str) -> list[str]:
    """Nơi nhận per audience (report-outline.md); staff edit them on the request."""
    ministry = _("Bộ Công Thương (Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công);")
    province = _("UBND tỉnh (để báo cáo);")
    common = [_("Sở Tài chính;"), _("Giám đốc, các Phó Giám đốc Sở;"), _("Lưu: VT, QLCN.")]
    first = [ministry, province] if audience == Audience.MINISTRY else [province, ministry]
    return [*first, *common]


def default_signature() -> dict:
    return {"authority": _("KT. GIÁM ĐỐC"), "position": _("PHÓ GIÁM ĐỐC"), "name": ""}


def title_of(request: ReportRequest) -> str:
    if request.kind == ReportKind.YEARLY:
        return _("Kết quả thực hiện Chương trình khuyến công năm %(year)s và kế hoạch năm %(next)s") % {
            "year": request.year,
            "next": request.year + 1,
        }
    if request.kind == ReportKind.QUARTERLY:
        return _("Kết quả thực hiện Chương trình khuyến công quý %(q)s năm %(year)s") % {
            "q": request.quarter,
            "year": request.year,
        }
    return _("Kết quả thực hiện Chương trình khuyến công từ ngày %(start)s đến ngày %(end)s") % {
        "start": request.date_from.strftime("%d/%m/%Y"),
        "end": request.date_to.strftime("%d/%m/%Y"),
    }


# --- the one read of the projects ----------------------------------------------------------------


def _in(window: Window, field: str) -> Q:
    return Q(**{f"{field}__range": window.range})


def _projects(window: Window):
    """The đề án with anything in the window: approved, accepted, settled, paid or recovered."""
    money = Q(pk__in=Payment.objects.filter(paid_on__range=window.range).values("project")) | Q(
        pk__in=AdvanceRecovery.objects.filter(recovered_on__range=window.range).values("project")
    )
    touched = (
        _in(window, "decision_date") | _in(window, "acceptance_date") | _in(window, "settled_on") | money
    )
    return (
        Project.objects.filter(Q(status__in=APPROVED_STATUSES) & touched)
        .select_related("activity__content_area", "lead_fund", "current_budget")
        .prefetch_related(
            "current_budget__lines__funding_source",
            Prefetch("beneficiaries", queryset=Applicant.objects.select_related("commune").order_by("pk")),
            "beneficiary_shares",
            "communes",
            Prefetch("payments", queryset=Payment.objects.filter(paid_on__range=window.range)),
            Prefetch(
                "transitions",
                queryset=ProjectTransition.objects.filter(step="settle").prefetch_related("amounts"),
                to_attr="settlements",
            ),
            Prefetch(
                "recoveries",
                queryset=AdvanceRecovery.objects.filter(recovered_on__range=window.range).select_related(
                    "funding_source"
                ),
            ),
        )
        .order_by("code")
    )


def _facts(project, window: Window, source_codes: dict) -> dict:
    """What one đề án brings to the tables (plain values)."""
    lines = defaultdict(int)
    if project.current_budget_id:
        for line in project.current_budget.lines.all():
            lines[line.funding_source.code] += line.amount
    paid = defaultdict(int)
    for payment in project.payments.all():
        code = source_codes.get(payment.funding_source_id, project.lead_fund.code)
        paid[code] += payment.amount
    for recovery in project.recoveries.all():
        paid[recovery.funding_source.code] -= recovery.amount
    settled_in = (
        project.status == Status.SETTLED and project.settled_on and _within(project.settled_on, window)
    )
    settled = defaultdict(int)
    if settled_in:
        # the actual support per source as the settlement recorded it (workflow.md), as the
        # dashboard and the plan figures read it
        for transition in project.settlements:
            for amount in transition.amounts.all():
                code = source_codes.get(amount.funding_source_id)
                if code in (FundingSource.KCQG, FundingSource.KCDP):
                    settled[code] += amount.amount
    return {
        "lead": project.lead_fund.code,
        "area": project.activity.content_area.number,
        "approved": bool(project.decision_date and _within(project.decision_date, window)),
        "accepted": project.status in COMPLETED_STATUSES
        and bool(project.acceptance_date and _within(project.acceptance_date, window)),
        "settled": bool(settled_in),
        "lines": dict(lines),
        "paid": dict(paid),
        "settled_money": dict(settled),
    }


def _within(day: datetime.date, window: Window) -> bool:
    return window.start <= day <= window.end


# --- the tables -----------------------------------------------------------------------------------

MONEY_KEYS = ("planned_money", "approved_money", "disbursed_money", "settled_money", "counterpart")
COUNT_KEYS = ("planned_projects", "approved_projects", "accepted_projects", "settled_projects")


def _plans(years, sources) -> dict:
    """{source code: [plan items]} of the plans in force of `years`."""
    result = {}
    for source in sources:
        items = []
        for year in years:
            plan = plan_in_force(year=year, funding_source=source)
            if plan is not None:
                items.extend(plan.items.select_related("activity__content_area"))
        result[source.code] = items
    return result


def _by_source(facts: list[dict], sources, plans: dict) -> list[dict]:
    rows = []
    for source in sources:
        code = source.code
        mine = [f for f in facts if f["lead"] == code]
        rows.append(
            {
                "code": code,
                "name": source.name,
                "short_name": source.short_name,
                "planned_projects": len(plans[code]),
                "approved_projects": sum(f["approved"] for f in mine),
                "accepted_projects": sum(f["accepted"] for f in mine),
                "settled_projects": sum(f["settled"] for f in mine),
                "planned_money": sum(i.planned_support for i in plans[code]),
                "approved_money": sum(f["lines"].get(code, 0) for f in facts if f["approved"]),
                "disbursed_money": sum(f["paid"].get(code, 0) for f in facts),
                "settled_money": sum(f["settled_money"].get(code, 0) for f in facts),
                "counterpart": sum(
                    f["lines"].get(FundingSource.COUNTERPART, 0) for f in mine if f["approved"]
                ),
            }
        )
    return rows


def _by_area(facts: list[dict], sources, plans: dict, areas) -> list[dict]:
    rows = []
    for area in areas:
        mine = [f for f in facts if f["area"] == area.number]
        cells = {}
        for source in sources:
            code = source.code
            cells[code] = {
                "planned_money": sum(
                    i.planned_support for i in plans[code] if i.activity.content_area.number == area.number
                ),
                "approved_projects": sum(f["approved"] for f in mine if f["lead"] == code),
                "approved_money": sum(f["lines"].get(code, 0) for f in mine if f["approved"]),
                "disbursed_money": sum(f["paid"].get(code, 0) for f in mine),
            }
        rows.append({"number": area.number, "name": area.name, "sources": cells})
    return rows


def _targets(programme, window: Window) -> dict:
    if programme is None:
        return {"rows": [], "elapsed": 0}
    rows = [
        {
            "code": row.target.code,
            "name": row.target.name,
            "unit": row.target.unit,
            "rule": target_rule(row.target.measure),
            "goal": row.goal,
            "achieved": row.achieved,
            "visits": row.visits,
            "percent": row.percent,
        }
        for row in programme_progress(programme, on_date=window.end)
    ]
    return {
        "programme": programme.name,
        "start_year": programme.start_year,
        "end_year": programme.end_year,
        "rows": rows,
        "elapsed": elapsed_share(programme, window.end),
    }


def _periods(window: Window) -> list[ReportingPeriod]:
    """The reporting periods whose data window lies inside the request's."""
    return list(ReportingPeriod.objects.filter(data_from__gte=window.start, data_to__lte=window.end))


def _completeness(periods) -> list[dict]:
    result = []
    for period in periods:
        board = reporting_completeness(period)
        result.append(
            {
                "year": period.year,
                "summary": {key: board.summary[key] for key in ("expected", "on_time", "late", "missing")},
                "late": [r.unit.name for r in board.rows if r.counts_in("late")],
                "missing": [r.unit.name for r in board.rows if r.counts_in("missing")],
            }
        )
    return result


def _portal(periods, indicators) -> dict:
    """{indicator id: the portal's figure} over the periods' data windows, the windows the units
    reported on (not the request's: a range wider than a period would count đề án the units' sums
    cannot hold)."""
    totals = defaultdict(int)
    for period in periods:
        for pk, figure in province_totals(Window.of(period), indicators).items():
            totals[pk] += figure
    return dict(totals)


def _indicators(periods) -> tuple[list[dict], list[dict], list[dict]]:
    """(the units' sums beside the portal's figures, the figures by unit, the units' difficulties
    and proposals), from the reports the units sent in the periods; all three empty when no
    period's window lies inside the request's (the document says so, rather than sums of nothing)."""
    if not periods:
        return [], [], []
    indicators = list(Indicator.objects.filter(is_active=True).order_by("order", "code"))
    reports = list(
        UnitReport.objects.filter(period__in=periods, status__in=SENT_STATUSES)
        .select_related("unit", "period")
        .order_by("period__year", "unit__kind", "unit__sort_key")
    )
    values = UnitReportValue.objects.filter(report__in=reports, value__isnull=False).values_list(
        "report_id", "indicator__code", "value"
    )
    by_report = defaultdict(dict)
    for report_id, code, value in values:
        by_report[report_id][code] = value
    portal = _portal(periods, [i for i in indicators if rule_of(i)])
    sums = [
        {
            "code": i.code,
            "label": i.label,
            "unit": i.unit,
            "money": scale_of_unit(i.unit) == MILLION,
            "units_sum": sum(by_report[r.pk].get(i.code, 0) for r in reports),
            "portal": portal.get(i.pk),
        }
        for i in indicators
    ]
    by_unit = [{"unit": r.unit.name, "year": r.period.year, "values": by_report[r.pk]} for r in reports]
    texts = [
        {"unit": r.unit.name, "year": r.period.year, "difficulties": r.difficulties, "proposals": r.proposals}
        for r in reports
        if r.difficulties.strip() or r.proposals.strip()
    ]
    return sums, by_unit, texts


def _next_year(year: int, sources) -> list[dict]:
    rows = []
    for source in sources:
        plan = plan_in_force(year=year + 1, funding_source=source)
        items = list(plan.items.all()) if plan is not None else []
        rows.append(
            {
                "code": source.code,
                "short_name": source.short_name,
                "has_plan": plan is not None,
                "decision": plan.decision_number if plan is not None else "",
                "items": len(items),
                "planned_money": sum(i.planned_support for i in items),
            }
        )
    return rows


def _beneficiary_amounts(project, state_support: int) -> list[tuple]:
    """[(applicant, the part of the đề án's state support it received)] (its share, or equal
    parts). Keyed by pk, not by instance: a model's hash is slow over thousands of rows."""
    beneficiaries = list(project.beneficiaries.all())
    if not beneficiaries or not state_support:
        return [(b, 0) for b in beneficiaries]
    shares = {s.applicant_id: s.amount for s in project.beneficiary_shares.all()}
    total = sum(shares.get(b.pk, 0) for b in beneficiaries)
    weights = {
        b.pk: Fraction(shares.get(b.pk, 0), total) if total else Fraction(1, len(beneficiaries))
        for b in beneficiaries
    }
    parts = split(state_support, {k: v for k, v in weights.items() if v})
    return [(b, parts.get(b.pk, 0)) for b in beneficiaries]


def _annexes(projects, facts_by_pk: dict, sources) -> tuple[list[dict], list[dict]]:
    state_codes = [s.code for s in sources]
    kinds = {value: str(label) for value, label in Applicant.Kind.choices}  # gettext once per label
    statuses = {value: str(label) for value, label in Status.choices}
    rows, facilities = [], {}
    for project in projects:
        facts = facts_by_pk[project.pk]
        support = sum(facts["lines"].get(code, 0) for code in state_codes)
        beneficiaries = _beneficiary_amounts(project, support)
        rows.append(
            {
                "code": project.code,
                "title": project.title,
                "activity": project.activity.code,
                "beneficiaries": "; ".join(b.name for b, _amount in beneficiaries),
                "communes": "; ".join(c.name for c in project.communes.all()),
                "source": project.lead_fund.short_name,
                "support": support,
                "counterpart": facts["lines"].get(FundingSource.COUNTERPART, 0),
                "status": statuses.get(project.status, project.status),
            }
        )
        for applicant, amount in beneficiaries:
            row = facilities.setdefault(
                applicant.pk,
                {
                    "name": applicant.name,
                    "kind": kinds.get(applicant.kind, applicant.kind),
                    "commune": applicant.commune.name if applicant.commune_id else "",
                    "projects": 0,
                    "support": 0,
                },
            )
            row["projects"] += 1
            row["support"] += amount
    return rows, sorted(facilities.values(), key=lambda r: (r["commune"], r["name"]))


# --- the snapshot -------------------------------------------------------------------------------


def _header(request: ReportRequest) -> dict:
    recipients = [line.strip() for line in request.recipients.splitlines() if line.strip()]
    signature = default_signature()
    for key in ("authority", "position", "name"):
        signature[key] = getattr(request, f"signature_{key}") or signature[key]
    return {
        "issuer_parent": ISSUER_PARENT,
        "issuer": ISSUER,
        "number": request.number,
        "symbol": SYMBOL,
        "title": _("Báo cáo"),
        "subtitle": title_of(request),
        "recipients": recipients or default_recipients(request.audience),
        "signature": signature,
    }


def build_snapshot(request: ReportRequest, *, progress=None) -> dict:
    """The report's whole data as plain values (JSON). `progress(percent)` is told as it goes."""
    tell = progress or (lambda _percent: None)
    window = Window(request.date_from, request.date_to)
    programme = current_programme()
    sources = list(FundingSource.objects.filter(is_state_support=True).order_by("sort_order"))
    if request.audience == Audience.PROVINCE:  # the ministry's version puts KCQG first
        sources.sort(key=lambda s: s.code != FundingSource.KCDP)
    source_codes = dict(FundingSource.objects.values_list("pk", "code"))
    projects = list(_projects(window))
    facts_by_pk = {p.pk: _facts(p, window, source_codes) for p in projects}
    facts = list(facts_by_pk.values())
    tell(10)
    years = range(window.start.year if request.kind == ReportKind.RANGE else request.year, request.year + 1)
    plans = _plans(years, sources)
    areas = list(ContentArea.objects.filter(programme=programme).order_by("number")) if programme else []
    periods = _periods(window)
    sums, by_unit, texts = _indicators(periods)
    annex_projects, annex_facilities = _annexes(projects, facts_by_pk, sources)
    tell(25)
    return {
        "format": SNAPSHOT_FORMAT,
        "built_at": timezone.now().isoformat(),
        "kind": request.kind,
        "audience": request.audience,
        "audience_label": str(request.get_audience_display()),
        "year": request.year,
        "quarter": request.quarter,
        "date_from": request.date_from.isoformat(),
        "date_to": request.date_to.isoformat(),
        "header": _header(request),
        "passages": {field: getattr(request, field) for field, _n, _h in PASSAGES},
        "by_source": _by_source(facts, sources, plans),
        "by_area": _by_area(facts, sources, plans, areas),
        "targets": _targets(programme, window),
        "completeness": _completeness(periods),
        "indicators": sums,
        "next_year": _next_year(request.year, sources) if request.kind == ReportKind.YEARLY else [],
        "annexes": {
            "projects": annex_projects,
            "facilities": annex_facilities,
            "indicators_by_unit": by_unit,
            "difficulties": texts,
        },
    }

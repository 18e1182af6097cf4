"""Benchmark of the programme dashboard against the staff project list, on 20,000 projects.

    .venv/bin/python bench/bench_dashboard.py [--projects 20000] [--runs 30]

Seeds the data of bench_projects.py (projects in every state with budgets, beneficiaries, communes,
history, progress entries and payments) into a throwaway SQLite database (or DATABASE_URL), and
adds what the dashboard reads beside: approved KCQG and KCĐP plans for every programme year (with a
revision for 2026), multi-year đề án with PlanShare rows over two years and a payment in each,
recoveries, settlement amounts, collaborators in half the communes and this year's reporting period
with its unit reports. Then times, in the same run, as a staff user, alternating the pages: the
dashboard with its default filters and with every filter, each computed (its kept figures made
stale before every request, as the first reader after a change gets it), the dashboard as served
from the cache, and the staff project list with a filter; prints median and p95 of each, the ratio
computed dashboard/list and the query counts.

The dashboard answers in a constant number of queries whatever the data (issue 12): before the
full seeding, the same data is seeded at `--small` đề án in a transaction rolled back, and the
dashboard's query counts there (each filter set, computed rather than read from the cache) are the
reference; the run fails (exit status 1, before timing) when a count at `--projects` differs.
"""

import argparse
import datetime
import random
import sys
import time

from bench_projects import seed
from common import analyze_database, get_ms, median_p95, setup_django

GOAL_MS = 300


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--small",
        type=int,
        default=200,
        help="đề án of the reference set whose dashboard query counts every size must match (default 200)",
    )
    args = parser.parse_args()
    if not 0 < args.small < args.projects:
        parser.error("--small must be at least 1 and below --projects")
    return args


DASHBOARD = "/bao-cao/tong-quan/"
FILTERED = (
    "/bao-cao/tong-quan/?year=2026&fund=KCQG&area=2&commune=Ph%C6%B0%E1%BB%9Dng+Ph%E1%BB%91+Hi%E1%BA%BFn"
)


def _plans(programme, staff):
    from programmes.models import AdministrativeUnit, AnnualPlan, FundingSource, PlanItem

    activities = list(programme.activity_types.all())
    communes = list(AdministrativeUnit.objects.all()[:20])
    plans = []
    for year in programme.years:
        for code in ("KCQG", "KCDP"):
            source = FundingSource.objects.get(code=code)
            revisions = 2 if year == 2026 else 1
            previous = None
            for revision in range(revisions):
                previous = AnnualPlan.objects.create(
                    programme=programme,
                    year=year,
                    funding_source=source,
                    revision=revision,
                    previous=previous,
                    status=AnnualPlan.Status.APPROVED,
                    decision_number=f"{revision + 1}/QĐ",
                    decision_date=datetime.date(year - 1, 12, 20),
                    issuer="ministry" if code == "KCQG" else "province_chair",
                    created_by=staff,
                )
                plans.append(previous)
    items = PlanItem.objects.bulk_create(
        [
            PlanItem(plan=plan, line=n, activity=a, year=plan.year, planned_support=500_000_000 + n)
            for plan in plans
            for n, a in enumerate(activities, start=1)
        ]
    )
    through = PlanItem.communes.through
    through.objects.bulk_create(
        [
            through(planitem_id=item.pk, administrativeunit_id=communes[i % len(communes)].pk)
            for i, item in enumerate(items)
        ]
    )
    return items


def _first_items(items):
    """(year, source id, revision) → the plan's first item, which the shares point at."""
    first = {}
    for item in items:
        first.setdefault((item.plan.year, item.plan.funding_source_id, item.plan.revision), item)
    return first


def extras(staff, rng):
    """Plans, shares, recoveries, settlement amounts, collaborators and this year's period."""
    from programmes.models import AdministrativeUnit, Collaborator, Programme
    from projects.models import (
        APPROVED_STATUSES,
        AdvanceRecovery,
        Payment,
        PlanShare,
        Project,
        ProjectTransition,
        Status,
        TransitionAmount,
    )
    from reports import services as report_services

    started = time.perf_counter()
    programme = Programme.objects.get(is_current=True)
    all_items = _plans(programme, staff)
    items = _first_items(all_items)
    multi = list(Project.objects.filter(year=2026, status__in=APPROVED_STATUSES).order_by("pk")[:300])
    shares, payments, recoveries = [], [], []
    for p in multi:
        first = items[(2026, p.lead_fund_id, 1)]
        second = items[(2027, p.lead_fund_id, 0)]
        half = p.state_support // 2
        shares += [
            PlanShare(project=p, plan_item=first, year=2026, amount=half),
            PlanShare(project=p, plan_item=second, year=2027, amount=p.state_support - half),
        ]
        payments += [
            Payment(project=p, kind="advance", amount=half // 2 + 1, paid_on=datetime.date(2026, 5, 1)),
            Payment(project=p, kind="advance", amount=half // 3 + 1, paid_on=datetime.date(2027, 2, 1)),
        ]
    PlanShare.objects.bulk_create(shares, batch_size=2000)
    Payment.objects.bulk_create(payments, batch_size=2000)
    for p in Project.objects.filter(status=Status.ACCEPTED).order_by("pk")[:1000]:
        recoveries.append(
            AdvanceRecovery(
                project=p,
                funding_source_id=p.lead_fund_id,
                amount=1_000_000,
                recovered_on=datetime.date(p.year, 10, 20),
                reference="TH",
            )
        )
    AdvanceRecovery.objects.bulk_create(recoveries, batch_size=2000)
    settles = ProjectTransition.objects.filter(step="settle").select_related("project")
    TransitionAmount.objects.bulk_create(
        [
            TransitionAmount(
                transition=t, funding_source_id=t.project.lead_fund_id, amount=t.project.state_support
            )
            for t in settles
        ],
        batch_size=5000,
    )
    communes = list(AdministrativeUnit.objects.all())
    Collaborator.objects.bulk_create(
        [
            Collaborator(
                full_name=f"Cộng tác viên {c.code}", commune=c, appointed_on=datetime.date(2026, 1, 1)
            )
            for c in rng.sample(communes, len(communes) // 2)
        ]
    )
    report_services.period_open(user=staff, year=datetime.date.today().year)
    print(
        f"Added {len(shares):,} plan shares, {len(payments) + len(recoveries):,} payments and recoveries, "
        f"{len(all_items):,} plan items, collaborators and a reporting period in {time.perf_counter() - started:.1f} s."
    )


def query_count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        get_ms(client, url)
    return len(queries)


def stale_figures():
    """What the dashboard keeps is stale from now, as after a write to the data it reads (its key
    carries both figure versions); the rest of the cache is left alone (it may be a shared Redis)."""
    from projects.figures import FIGURES_VERSION_KEY, REPORTING_VERSION_KEY, bump_now

    bump_now(FIGURES_VERSION_KEY)
    bump_now(REPORTING_VERSION_KEY)


def dashboard_queries(client, urls) -> dict:
    """The queries of each dashboard URL when it computes its figures (a kept page reads none of
    them): the page is opened once (what it keeps apart, such as the menu and the charts, is then
    warm, as in the timed runs), its figures made stale, and the next request counted."""
    counts = {}
    for url in urls:
        get_ms(client, url)
        stale_figures()
        counts[url] = query_count(client, url)
    return counts


def reference_counts(small: int) -> dict:
    """The dashboard's query counts on `small` đề án seeded as the full run seeds them, in a
    transaction rolled back: the full seeding starts from the same empty database."""
    from django.db import transaction
    from django.test import Client

    with transaction.atomic():
        staff, _admin = seed(small)
        extras(staff, random.Random(12))
        client = Client()
        client.force_login(staff)
        counts = dashboard_queries(client, [DASHBOARD, FILTERED])
        transaction.set_rollback(True)
    stale_figures()  # the pages kept meanwhile read rows that are gone
    return counts


def check_constant(reference: dict, counts: dict, small: int, size: int) -> None:
    """Exit with status 1 and say which page grew when a count at `size` đề án differs from the
    reference count at `small`."""
    wrong = [
        f"  {url}: {reference[url]} queries with {small:,} đề án, {counts[url]} with {size:,}"
        for url in reference
        if counts[url] != reference[url]
    ]
    if wrong:
        print(
            "FAILED: the dashboard's number of queries is not constant (issue 12):\n" + "\n".join(wrong),
            file=sys.stderr,
        )
        sys.exit(1)
    print(
        f"Dashboard queries constant: {', '.join(str(reference[u]) for u in reference)} "
        f"(default, every filter) with {small:,} and {size:,} đề án."
    )


def alternate(client, pages, runs):
    """Each page in turn, `runs` times, after three unmeasured rounds: load from other processes
    hits every page alike. `pages`: (label, url, computed); a computed page's kept figures are made
    stale before each request (outside the timing), so it is the page computed, as its first reader
    after a change gets it; the others are timed as served."""
    for _ in range(3):
        for _label, url, _computed in pages:
            get_ms(client, url)
    samples = {label: [] for label, _url, _computed in pages}
    for _ in range(runs):
        for label, url, computed in pages:
            if computed:
                stale_figures()
            samples[label].append(get_ms(client, url)[0])
    return {label: median_p95(values) for label, values in samples.items()}


def main():
    args = parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from projects.models import Status

    settings.DEBUG = False  # no query log while seeding and timing (the counts capture their own)
    print(f"Reference set ({args.small:,} đề án, rolled back after counting the dashboard's queries):")
    reference = reference_counts(args.small)
    print("Full set:")
    rng = random.Random(12)
    staff, _admin = seed(args.projects)
    extras(staff, rng)
    analyze_database()
    client = Client()
    client.force_login(staff)
    dashboard, filtered = DASHBOARD, FILTERED
    counts = dashboard_queries(client, [dashboard, filtered])
    check_constant(reference, counts, args.small, args.projects)
    project_list = f"/de-an/?year=2026&status={Status.IN_PROGRESS}&activity=2b"
    pages = [
        ("dashboard (default filters)", dashboard, True),
        # right after it was computed: the next computed page makes it stale again
        ("dashboard as served (kept)", dashboard, False),
        ("dashboard (every filter)", filtered, True),
        ("staff project list (a filter)", project_list, False),
    ]
    figures = alternate(client, pages, args.runs)
    print(f"Database: {connection.vendor}; {args.runs} timed requests per page.")
    print(f"{'page':<40} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
    shown = {
        dashboard: counts[dashboard],
        filtered: counts[filtered],
        project_list: query_count(client, project_list),
    }
    for label, url, computed in pages:
        median, p95 = figures[label]
        if computed or url == project_list:
            queries = shown[url]
        else:  # kept: read once so that the count is of the page as served
            get_ms(client, url)
            queries = query_count(client, url)
        print(f"{label:<40} {median:>10.1f} {p95:>10.1f} {queries:>8}")
    list_figures = figures["staff project list (a filter)"]
    for label in ("dashboard (default filters)", "dashboard (every filter)"):
        ratio = [a / b for a, b in zip(figures[label], list_figures, strict=True)]
        print(
            f"{'  ratio ' + label.removeprefix('dashboard ') + '/list':<40} {ratio[0]:>10.2f} {ratio[1]:>10.2f}"
        )
    worst = max(figures["dashboard (default filters)"][1], figures["dashboard (every filter)"][1])
    print(
        f"Goal: dashboard p95 under {GOAL_MS} ms, computed: {'met' if worst < GOAL_MS else 'MISSED'} ({worst:.0f} ms)."
    )


if __name__ == "__main__":
    main()

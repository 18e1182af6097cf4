"""Benchmark of the project pages against the Django admin, on 20,000 projects with history.

    .venv/bin/python bench/bench_projects.py [--projects 20000] [--runs 30]

Seeds a throwaway SQLite database (or the one in DATABASE_URL) with bulk inserts: applicants,
projects in every state with their budget versions and lines, beneficiaries and communes, workflow
history rows with typed fields, progress entries and payments. Then times, in the same run and
process, with the same filter and page size:
  - our filtered project list (/de-an/?year=…&status=…&activity=…, and the same with a search),
  - our project page (a settled project with its whole history),
  - the Django admin changelist of Project for the same rows and filter,
and prints median and p95 of each and the ratio ours/admin.
"""

import argparse
import random
import time

from common import analyze_database, get_ms, median_p95, setup_django, time_get


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=50)
    return parser.parse_args()


WORDS = [
    "máy dệt",
    "mây tre đan",
    "gốm sứ",
    "chế biến nông sản",
    "sấy",
    "đóng gói",
    "đồ gỗ",
    "thêu ren",
    "cơ khí",
    "nhãn hiệu",
    "trưng bày",
    "bình chọn",
    "đào tạo",
    "xử lý nước thải",
    "tương Bần",
    "nhãn lồng",
]


def seed(n, n_applicants=None):
    """`n` projects over `n_applicants` applicants (default: a tenth of `n`, at least 200)."""
    from django.db import connection

    from accounts.models import User
    from accounts.roles import Role, grant_roles
    from applicants.models import Applicant
    from core.text import search_text, sort_key
    from programmes.models import ActivityType, AdministrativeUnit, FundingSource
    from projects.models import (
        BudgetLine,
        BudgetVersion,
        Payment,
        ProgressEntry,
        Project,
        ProjectTransition,
        Status,
        TransitionAmount,
    )

    rng = random.Random(2026)
    started = time.perf_counter()
    staff = User.objects.create_user(
        email="bench-staff@example.test", phone="0900000001", password="x", full_name="Cán bộ"
    )
    grant_roles(staff, Role.STAFF, Role.LEADER)
    admin = User.objects.create_superuser(
        email="bench-admin@example.test", phone="0900000002", password="x", full_name="Admin"
    )
    communes = list(AdministrativeUnit.objects.all())
    activities = list(ActivityType.objects.filter(programme__is_current=True).prefetch_related("variants"))
    sources = {s.code: s for s in FundingSource.objects.all()}
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                kind=Applicant.Kind.HOUSEHOLD,
                name=f"Cơ sở {rng.choice(WORDS)} số {i}",
                representative="Nguyễn Văn A",
                phone=f"09{i:08d}",
                address="—",
                commune=rng.choice(communes),
                search_text=f"co so {i}",
            )
            for i in range(n_applicants or max(200, n // 10))
        ],
        batch_size=2000,
    )
    path = ["submit", "appraise", "approve", "contract", "start", "accept", "settle"]
    status_after = dict(
        zip(
            path,
            [
                Status.SUBMITTED,
                Status.APPRAISED,
                Status.APPROVED,
                Status.CONTRACTED,
                Status.IN_PROGRESS,
                Status.ACCEPTED,
                Status.SETTLED,
            ],
            strict=True,
        )
    )
    counters = {}
    projects, plans = [], []
    for i in range(n):
        year = rng.choice([2022, 2023, 2024, 2025, 2026, 2026, 2026])
        lead = rng.choice(["KCQG", "KCDP"])
        counters[(year, lead)] = counters.get((year, lead), 0) + 1
        act = rng.choice(activities)
        variant = rng.choice(list(act.variants.all()))
        steps = rng.randint(0, 7)
        status = status_after[path[steps - 1]] if steps else Status.DRAFT
        if rng.random() < 0.05:
            status, steps = Status.CANCELLED, min(steps, 3)
        total = rng.randrange(50, 2000) * 1_000_000
        support = total * rng.randrange(10, 50) // 100
        title = f"Hỗ trợ {rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
        code = f"DA-{year}-{lead}-{counters[(year, lead)]:03d}"
        ben = rng.choice(applicants)
        accepted = status in (Status.ACCEPTED, Status.SETTLED)
        projects.append(
            Project(
                code=code,
                title=title,
                year=year,
                activity=act,
                variant=variant,
                lead_fund=sources[lead],
                implementing_unit="Trung tâm Khuyến công",
                total_cost=total,
                eligible_cost=total,
                state_support=support,
                status=status,
                decision_number="1/QĐ" if steps >= 3 else "",
                approved_support=support if steps >= 3 else None,
                contract_value=support if steps >= 4 else None,
                acceptance_date=f"{year}-09-30" if accepted else None,
                accepted_support=support if accepted else None,
                search_text=search_text(code, title, "Trung tâm Khuyến công", ben.name),
                sort_key=sort_key(title),
                created_by=staff,
            )
        )
        plans.append((ben, rng.choice(communes), steps, lead, support, total))
    projects = Project.objects.bulk_create(projects, batch_size=2000)
    budgets = BudgetVersion.objects.bulk_create(
        [
            BudgetVersion(project=p, number=1, total_cost=p.total_cost, eligible_cost=p.eligible_cost)
            for p in projects
        ],
        batch_size=2000,
    )
    for p, b in zip(projects, budgets, strict=True):
        p.current_budget = b
    Project.objects.bulk_update(projects, ["current_budget"], batch_size=2000)
    lines, bens, places, history, amounts_for, progress, payments = [], [], [], [], [], [], []
    for p, b, (ben, commune, steps, lead, support, total) in zip(projects, budgets, plans, strict=True):
        lines += [
            BudgetLine(budget=b, funding_source=sources[lead], amount=support),
            BudgetLine(budget=b, funding_source=sources["DOI_UNG"], amount=total - support),
        ]
        bens.append(Project.beneficiaries.through(project_id=p.pk, applicant_id=ben.pk))
        places.append(Project.communes.through(project_id=p.pk, administrativeunit_id=commune.pk))
        previous = Status.DRAFT
        history.append(
            ProjectTransition(project=p, step="create", to_status=Status.DRAFT, actor=staff, budget=b)
        )
        for step in path[:steps]:
            target = status_after[step]
            row = ProjectTransition(
                project=p, step=step, from_status=previous, to_status=target, actor=staff, budget=b
            )
            if step == "appraise":
                row.appraisal_result, row.appraisal_date = "pass", f"{p.year}-03-01"
            if step == "approve":
                row.decision_number, row.decision_date = "1/QĐ", f"{p.year}-03-05"
                amounts_for.append((row, sources[lead], support))
            if step == "contract":
                row.contract_number, row.contract_date, row.contract_value = "HĐ", f"{p.year}-03-10", support
                row.contract_parties = "Trung tâm; cơ sở"
            if step == "start":
                row.start_date = f"{p.year}-03-15"
                progress.append(
                    ProgressEntry(project=p, month=f"{p.year}-04-01", percent=40, spent=total // 3)
                )
            if step == "accept":
                row.acceptance_number, row.acceptance_date, row.accepted_cost = "NT", f"{p.year}-09-30", total
                payments.append(Payment(project=p, kind="final", amount=support, paid_on=f"{p.year}-10-05"))
            history.append(row)
            previous = target
    BudgetLine.objects.bulk_create(lines, batch_size=5000)
    Project.beneficiaries.through.objects.bulk_create(bens, batch_size=5000)
    Project.communes.through.objects.bulk_create(places, batch_size=5000)
    ProjectTransition.objects.bulk_create(history, batch_size=5000)
    TransitionAmount.objects.bulk_create(
        [TransitionAmount(transition=row, funding_source=s, amount=a) for row, s, a in amounts_for],
        batch_size=5000,
    )
    ProgressEntry.objects.bulk_create(progress, batch_size=5000)
    Payment.objects.bulk_create(payments, batch_size=5000)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"Seeded {len(projects):,} projects, {len(history):,} history rows, {len(lines):,} budget lines, "
        f"{len(applicants):,} applicants in {time.perf_counter() - started:.1f} s ({connection.vendor})."
    )
    return staff, admin


def _once(client, url):
    return get_ms(client, url)[0]


def timed(client, url, runs):
    median, p95, _response = time_get(client, url, runs)
    return median, p95


def timed_pair(ours, ours_url, admin, admin_url, runs):
    """Alternate the two pages so that load from other processes hits both alike."""
    for _ in range(3):
        _once(ours, ours_url), _once(admin, admin_url)
    a, b = [], []
    for _ in range(runs):
        a.append(_once(ours, ours_url))
        b.append(_once(admin, admin_url))
    return median_p95(a), median_p95(b)


def main():
    args = parse_args()
    setup_django()
    from django.conf import settings
    from django.contrib import admin as django_admin
    from django.test import Client

    from programmes.models import ActivityType
    from projects.models import Project, Status

    staff, admin_user = seed(args.projects)
    analyze_database()
    settings.DEBUG = False  # no query log while timing
    django_admin.site._registry[Project].list_per_page = 25  # the same page size as ours

    activity = ActivityType.objects.get(programme__is_current=True, code="2b")
    project = Project.objects.filter(status=Status.SETTLED).order_by("pk").first()
    ours_client, admin_client = Client(), Client()
    ours_client.force_login(staff)
    admin_client.force_login(admin_user)

    cases = [
        (
            "filter",
            f"/de-an/?year=2026&status={Status.IN_PROGRESS}&activity=2b",
            f"/quan-tri/projects/project/?year__exact=2026&status__exact={Status.IN_PROGRESS}&activity__id__exact={activity.pk}",
            Project.objects.filter(year=2026, status=Status.IN_PROGRESS, activity=activity).count(),
        ),
        (
            "year+search",
            "/de-an/?year=2026&q=may+det",
            "/quan-tri/projects/project/?year__exact=2026&q=may+det",
            Project.objects.filter(year=2026, search_text__contains="may")
            .filter(search_text__contains="det")
            .count(),
        ),
    ]
    print(f"{'page':<44} {'median ms':>10} {'p95 ms':>10}")
    for name, ours_url, admin_url, rows in cases:
        ours, theirs = timed_pair(ours_client, ours_url, admin_client, admin_url, args.runs)
        print(f"{'our list (' + name + f', {rows:,} rows)':<44} {ours[0]:>10.1f} {ours[1]:>10.1f}")
        print(f"{'admin changelist (' + name + ')':<44} {theirs[0]:>10.1f} {theirs[1]:>10.1f}")
        print(f"{'  ratio ours/admin':<44} {ours[0] / theirs[0]:>10.2f} {ours[1] / theirs[1]:>10.2f}")
    page = timed(ours_client, f"/de-an/{project.pk}/", args.runs)
    print(f"{'our project page (' + project.code + ')':<44} {page[0]:>10.1f} {page[1]:>10.1f}")
    export = timed(ours_client, cases[0][1] + "&format=xlsx", max(5, args.runs // 5))
    print(f"{'our XLSX export (filter)':<44} {export[0]:>10.1f} {export[1]:>10.1f}")


if __name__ == "__main__":
    main()

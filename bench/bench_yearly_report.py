"""Benchmark of the yearly report to UBND tỉnh (issue 13): both files of a realistic year.

    DJANGO_ENV=local .venv/bin/python bench/bench_yearly_report.py [--units 104] [--projects 500] [--beneficiaries 3000]

Seeds a throwaway SQLite database (or the one in DATABASE_URL) with bulk inserts: the 2026 period
with --units commune units' reports sent (every indicator, difficulties and proposals), --projects
đề án of 2026 approved in the window (KCQG and KCĐP, some accepted and settled, budget lines,
payments) over --beneficiaries cơ sở. Then, each in a fresh spawned process (a new interpreter
that sets Django up, as a job's process would be; nothing inherited from the seeding):
  1. the snapshot (reports.yearly_snapshot.build_snapshot and its JSON round trip);
  2. one document: HTML (the template), PDF layout and PDF write (WeasyPrint), then the XLSX;
  3. in parts (reports.yearly_pdf): the body and each annex (annexes 1 and 2 in chunks) laid out by
     spawned worker processes while the XLSX is built, then merged with pypdf and numbered; with
     --parts WORKERSxROWS (repeatable) other worker counts and chunk sizes, to compare.
Prints the time of each stage and its memory: the RSS at its start and its peak during it (the
kernel's high-water mark VmHWM, reset before each stage), ru_maxrss of the process and of its
largest worker, and the peak summed RSS and PSS of the whole process tree (the stage's process,
its workers and the resource tracker, sampled every 50 ms: they run at the same time) against the
400 MB goal; the pages, and our code's share of the total (everything but WeasyPrint's layout and
write).
"""

import argparse
import datetime
import gc
import json
import multiprocessing
import os
import random
import resource
import time

from common import setup_django
from memory import StagePeak, TreeSampler, rss_mb

GOAL_MB = 400  # issue 13: both files with annexes in under 400 MB

DIFFICULTY = (
    "Kinh phí đối ứng của các cơ sở công nghiệp nông thôn còn hạn chế; thiếu mặt bằng sản xuất tập trung, "
    "một số cơ sở chưa đủ hồ sơ đất đai để được hỗ trợ máy móc thiết bị."
)
PROPOSAL = (
    "Đề nghị Sở Công Thương tiếp tục hỗ trợ xây dựng nhãn hiệu, trưng bày sản phẩm làng nghề và đào tạo "
    "nghề cho lao động nông thôn; sớm phân bổ kinh phí khuyến công địa phương từ đầu năm."
)


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=104)
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--beneficiaries", type=int, default=3000)
    parser.add_argument("--keep", default="", help="write the merged PDF there (to look at it)")
    parser.add_argument(
        "--parts",
        action="append",
        default=[],
        metavar="WORKERSxROWS[:WEIGHT]",
        help="lay the parts out with this many workers and annex chunks of this many rows, an annex 1 "
        "row weighing WEIGHT (repeat to compare; default: reports.yearly_pdf's PDF_WORKERS, CHUNK_ROWS "
        "and ROW_WEIGHT)",
    )
    parser.add_argument("--no-whole", action="store_true", help="skip the one-document layout")
    return parser.parse_args()


def seed(args):
    from bench_projects import WORDS
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role, grant_roles
    from applicants.models import Applicant
    from core.text import search_text, sort_key
    from programmes.models import ActivityType, AdministrativeUnit, FundingSource, Indicator
    from projects.models import BudgetLine, BudgetVersion, Payment, Project, Status
    from reports import services, yearly_jobs
    from reports.models import UnitReport, UnitReportValue
    from reports.yearly_models import Audience, ReportKind

    rng = random.Random(2026)
    started = time.perf_counter()
    staff = User.objects.create_user(email="bench-staff@example.test", password="x", full_name="Cán bộ Sở")
    grant_roles(staff, Role.STAFF, Role.LEADER)
    period = services.period_open(user=staff, year=2026)
    window = (period.data_from, period.data_to)
    days = (window[1] - window[0]).days

    def day():
        return window[0] + datetime.timedelta(days=rng.randrange(days))

    # the units' reports, sent
    indicators = list(Indicator.objects.filter(is_active=True))
    reports = list(
        UnitReport.objects.filter(period=period, unit__commune__isnull=False).order_by("unit__code")[
            : args.units
        ]
    )
    now = timezone.now()
    for report in reports:
        report.status, report.submitted_at, report.first_submitted_at = UnitReport.Status.SUBMITTED, now, now
        report.results, report.difficulties, report.proposals = "Đã thực hiện.", DIFFICULTY, PROPOSAL
    UnitReport.objects.bulk_update(
        reports, ["status", "submitted_at", "first_submitted_at", "results", "difficulties", "proposals"]
    )
    UnitReportValue.objects.bulk_create(
        [
            UnitReportValue(report=r, indicator=i, value=rng.randrange(0, 2_000) * 1_000_000, note="")
            for r in reports
            for i in indicators
        ],
        batch_size=5000,
    )
    # the cơ sở and the đề án
    communes = list(AdministrativeUnit.objects.all())
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                kind=rng.choice([Applicant.Kind.HOUSEHOLD, Applicant.Kind.COOPERATIVE]),
                name=f"Cơ sở {rng.choice(WORDS)} {rng.choice(WORDS)} số {i}",
                representative="Nguyễn Văn A",
                phone=f"09{i:08d}",
                address="—",
                commune=rng.choice(communes),
                search_text=f"co so {i}",
            )
            for i in range(args.beneficiaries)
        ],
        batch_size=2000,
    )
    activities = list(ActivityType.objects.filter(programme__is_current=True).prefetch_related("variants"))
    sources = {s.code: s for s in FundingSource.objects.all()}
    statuses = [Status.APPROVED, Status.CONTRACTED, Status.IN_PROGRESS, Status.ACCEPTED, Status.SETTLED]
    projects, plans = [], []
    for i in range(args.projects):
        lead = rng.choice(["KCQG", "KCDP"])
        act = rng.choice(activities)
        status = rng.choice(statuses)
        total = rng.randrange(100, 3000) * 1_000_000
        support = total * rng.randrange(20, 50) // 100
        title = f"Hỗ trợ {rng.choice(WORDS)}, {rng.choice(WORDS)} cho các cơ sở công nghiệp nông thôn {i}"
        code = f"DA-2026-{lead}-{i + 1:03d}"
        completed = status in (Status.ACCEPTED, Status.SETTLED)
        projects.append(
            Project(
                code=code,
                title=title,
                year=2026,
                activity=act,
                variant=rng.choice(list(act.variants.all())),
                lead_fund=sources[lead],
                implementing_unit="Trung tâm Khuyến công",
                total_cost=total,
                eligible_cost=total,
                state_support=support,
                status=status,
                decision_number=f"{i + 1}/QĐ-SCT",
                decision_date=day(),
                approved_support=support,
                acceptance_date=day() if completed else None,
                accepted_support=support if completed else None,
                settled_on=day() if status == Status.SETTLED else None,
                actual_support=support if status == Status.SETTLED else None,
                search_text=search_text(code, title),
                sort_key=sort_key(title),
                created_by=staff,
            )
        )
        plans.append((lead, support, total))
    projects = Project.objects.bulk_create(projects, batch_size=2000)
    budgets = BudgetVersion.objects.bulk_create(
        [
            BudgetVersion(project=p, number=1, total_cost=p.total_cost, eligible_cost=p.eligible_cost)
            for p in projects
        ]
    )
    for p, b in zip(projects, budgets, strict=True):
        p.current_budget = b
    Project.objects.bulk_update(projects, ["current_budget"], batch_size=2000)
    lines, bens, places, payments = [], [], [], []
    per_project = max(1, args.beneficiaries // max(1, args.projects))
    for n, (p, b, (lead, support, total)) in enumerate(zip(projects, budgets, plans, strict=True)):
        lines += [
            BudgetLine(budget=b, funding_source=sources[lead], amount=support),
            BudgetLine(budget=b, funding_source=sources["DOI_UNG"], amount=total - support),
        ]
        for k in range(per_project):  # every cơ sở in one đề án at least
            applicant = applicants[(n * per_project + k) % len(applicants)]
            bens.append(Project.beneficiaries.through(project_id=p.pk, applicant_id=applicant.pk))
        places.append(
            Project.communes.through(project_id=p.pk, administrativeunit_id=rng.choice(communes).pk)
        )
        payments.append(
            Payment(
                project=p,
                kind=Payment.Kind.ADVANCE,
                amount=support // 2,
                paid_on=day(),
                funding_source=sources[lead],
                created_by=staff,
            )
        )
    BudgetLine.objects.bulk_create(lines, batch_size=5000)
    Project.beneficiaries.through.objects.bulk_create(bens, batch_size=5000)
    Project.communes.through.objects.bulk_create(places, batch_size=5000)
    Payment.objects.bulk_create(payments, batch_size=5000)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    request = yearly_jobs.report_request_open(
        user=staff, kind=ReportKind.YEARLY, audience=Audience.PROVINCE, period=period
    )
    print(
        f"Seeded {len(reports)} unit reports × {len(indicators)} indicators, {len(projects):,} đề án, "
        f"{len(applicants):,} cơ sở ({len(bens):,} links) in {time.perf_counter() - started:.1f} s "
        f"({connection.vendor})."
    )
    return request


# --- measuring in a fresh process ---------------------------------------------------------------


def _peaks_mb() -> tuple[float, float]:
    """(this process's peak RSS, its largest finished child's) in MB (Linux: ru_maxrss in KB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _child(fn, args, conn):
    import django

    django.setup()
    result = fn(*args)
    conn.send((result, _peaks_mb()))
    conn.close()


def in_fresh_process(fn, *args):
    """Run fn(*args) in a spawned process (a fresh interpreter that sets Django up, as a job's
    process would be: nothing inherited from this one's seeding) while a thread here samples the
    RSS and PSS of that process and its descendants every 50 ms: (its result, (peak RSS MB, largest
    worker's MB), the TreeSampler)."""
    from django.db import connections

    connections.close_all()  # the child opens its own connection
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(fn, args, child))
    process.start()
    child.close()
    with TreeSampler(process.pid) as tree:
        result, peaks = parent.recv()
        process.join()
    return result, peaks, tree


def snapshot_stage(request_pk):
    from django.core.serializers.json import DjangoJSONEncoder

    from reports.yearly_models import ReportRequest
    from reports.yearly_snapshot import build_snapshot

    started = time.perf_counter()
    with StagePeak() as peak:
        snapshot = json.loads(
            json.dumps(build_snapshot(ReportRequest.objects.get(pk=request_pk)), cls=DjangoJSONEncoder)
        )
    return snapshot, time.perf_counter() - started, peak.figures()


def whole_stage(snapshot):
    """One document, each stage's time and memory (RSS at its start, peak during it) in turn."""
    from core.pdf import layout_pdf, render_html
    from reports.yearly_documents import TEMPLATE, document_context, render_report_xlsx

    times, memory = {}, {"start": round(rss_mb())}
    t0 = time.perf_counter()
    with StagePeak() as peak:
        html = render_html(TEMPLATE, document_context(snapshot))
    memory["html"] = peak.figures()
    t1 = time.perf_counter()
    with StagePeak() as peak:
        document = layout_pdf(html)
    memory["layout"] = peak.figures()
    t2 = time.perf_counter()
    with StagePeak() as peak:
        pdf = document.write_pdf()
    memory["write"] = peak.figures()
    t3 = time.perf_counter()
    pages = len(document.pages)
    del document, html
    gc.collect()
    with StagePeak() as peak:
        xlsx = render_report_xlsx(snapshot)
    memory["xlsx"] = peak.figures()
    t4 = time.perf_counter()
    times.update(html=t1 - t0, layout=t2 - t1, write=t3 - t2, xlsx=t4 - t3, wall=t4 - t0)
    return times, memory, pages, len(pdf), len(xlsx)


def parts_stage(snapshot, workers, chunk_rows, weight, keep=""):
    """In parts (reports.yearly_pdf) with `workers` processes and annex chunks of `chunk_rows` (an
    annex 1 row weighing `weight`); the job's own memory while it builds the XLSX (the pool
    starting) and then while it waits and merges."""
    from pypdf import PdfReader

    from reports import yearly_pdf
    from reports.yearly_documents import render_report_xlsx

    yearly_pdf.PDF_WORKERS, yearly_pdf.CHUNK_ROWS = workers, chunk_rows
    yearly_pdf.ROW_WEIGHT = {**yearly_pdf.ROW_WEIGHT, 1: weight}
    times, memory = {}, {"start": round(rss_mb())}
    xlsx_time = {}
    stage = StagePeak().__enter__()

    def xlsx():
        started = time.perf_counter()
        data = render_report_xlsx(snapshot)
        xlsx_time["xlsx"] = time.perf_counter() - started
        stage.__exit__(None, None, None)
        memory["xlsx"] = stage.figures()
        stage.__enter__()
        return data

    t0 = time.perf_counter()
    pdf, data = yearly_pdf.render_report_pdf(snapshot, meanwhile=xlsx, times=times)
    stage.__exit__(None, None, None)
    memory["merge"] = stage.figures()
    times.update(xlsx_time, wall=time.perf_counter() - t0)
    if keep:
        with open(keep, "wb") as fh:
            fh.write(pdf)
    import io

    return times, memory, len(PdfReader(io.BytesIO(pdf)).pages), len(pdf), len(data)


def report_line(name, seconds, total, memory=None):
    line = f"  {name:<44} {seconds:>7.2f} s {100 * seconds / total:>5.1f} %"
    if memory:
        line += f"   RSS {memory[0]:>4} MB at its start, peak {memory[1]:>4} MB"
    print(line)


def tree_lines(tree, goal):
    pss = f"{tree.peak_pss:.0f} MB" if tree.pss_readable else "unreadable (no smaps_rollup)"
    print(
        f"  process tree (job + workers), sampled every {tree.interval * 1000:.0f} ms ({tree.samples} samples, "
        f"{tree.cpu:.2f} CPU-s; {tree.transient} readings of a child between fork and exec skipped): "
        f"peak summed RSS {tree.peak_rss:.0f} MB ({tree.describe(tree.at_peak_rss)}), "
        f"peak summed PSS {pss}" + (f" ({tree.describe(tree.at_peak_pss)})" if tree.pss_readable else "")
    )

    def verdict(mb):
        return f"{mb:.0f} MB, {'under' if mb < goal else 'OVER'}"

    print(
        f"  against the {goal} MB goal, the whole tree at once: summed RSS {verdict(tree.peak_rss)}; "
        f"summed PSS {verdict(tree.peak_pss)}"
    )
    for line in tree.per_process_lines():
        print(f"    {line}")


def main():
    args = parse_args()
    print(f"Load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    setup_django()
    from reports import yearly_pdf

    def variant(text):
        sizes, _, weight = text.partition(":")
        workers, rows = sizes.split("x")
        return int(workers), int(rows), int(weight or yearly_pdf.ROW_WEIGHT[1])

    variants = [variant(v) for v in args.parts] or [
        (yearly_pdf.PDF_WORKERS, yearly_pdf.CHUNK_ROWS, yearly_pdf.ROW_WEIGHT[1])
    ]
    request = seed(args)
    (snapshot, snapshot_s, snapshot_mem), (snapshot_peak, _), snapshot_tree = in_fresh_process(
        snapshot_stage, request.pk
    )
    a = snapshot["annexes"]
    print(
        f"Snapshot: {len(a['projects'])} đề án, {len(a['facilities'])} cơ sở, {len(a['indicators_by_unit'])} "
        f"units × {len(snapshot['indicators'])} indicators, {len(json.dumps(snapshot)) / 1e6:.1f} MB of JSON; "
        f"{snapshot_s:.2f} s; RSS {snapshot_mem[0]} MB at its start (Django set up), peak {snapshot_mem[1]} MB "
        f"(ru_maxrss {snapshot_peak:.0f} MB; PSS peak {snapshot_tree.peak_pss:.0f} MB)"
    )
    runs = [] if args.no_whole else [("one document", whole_stage, ())]
    runs += [
        (
            f"in parts, {w} workers, chunks of {c} rows (annex 1: {c // weight})",
            parts_stage,
            (w, c, weight, args.keep),
        )
        for w, c, weight in variants
    ]
    results = {}
    for name, stage, extra in runs:
        (times, memory, pages, pdf_size, xlsx_size), (own, worker), tree = in_fresh_process(
            stage, snapshot, *extra
        )
        parts = "merge" in times
        results[name] = times
        ours = snapshot_s + times["html"] + times["xlsx"] + times.get("merge", 0) + times.get("collect", 0)
        weasy = times["layout"] + times["write"]
        total = snapshot_s + times["wall"]
        print(
            f"\n{name}: {pages} pages, PDF {pdf_size / 1e6:.1f} MB, XLSX {xlsx_size / 1e6:.2f} MB; "
            f"peak RSS (ru_maxrss) {own:.0f} MB" + (f", largest worker {worker:.0f} MB" if parts else "")
        )
        report_line("snapshot (its own process)", snapshot_s, total, snapshot_mem)
        if parts:
            report_line("HTML (templates), summed over the parts", times["html"], total)
            report_line("PDF layout (WeasyPrint), summed", times["layout"], total)
            report_line("PDF write (WeasyPrint), summed", times["write"], total)
            report_line("garbage collection after each part, summed", times.get("collect", 0), total)
            report_line("XLSX (meanwhile, in the job's process)", times["xlsx"], total, memory["xlsx"])
            report_line("wait for the parts, merge and page numbers", times["merge"], total, memory["merge"])
            print(f"  pages per part: {times['pages']}")
            print(f"  seconds per part (HTML + layout + write): {times['parts']}")
        else:
            report_line("HTML (templates)", times["html"], total, memory["html"])
            report_line("PDF layout (WeasyPrint)", times["layout"], total, memory["layout"])
            report_line("PDF write (WeasyPrint)", times["write"], total, memory["write"])
            report_line("XLSX", times["xlsx"], total, memory["xlsx"])
        print(f"  total (wall, snapshot + files)                {total:>7.2f} s")
        print(
            f"  our code's share (all but WeasyPrint's layout and write): "
            f"{100 * ours / (ours + weasy):.1f} % of the work"
        )
        tree_lines(tree, GOAL_MB)
    if len(results) > 1:
        first = next(iter(results))
        print(
            "\nFiles (wall): "
            + ", ".join(
                f"{name} {results[name]['wall']:.2f} s"
                + (f" (× {results[first]['wall'] / results[name]['wall']:.2f})" if name != first else "")
                for name in results
            )
        )
    print(f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.keep:
        print(f"PDF of the parts kept as {args.keep}")


if __name__ == "__main__":
    main()

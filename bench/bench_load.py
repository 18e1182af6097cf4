"""Load benchmark of the portal under its users (issue 15 item 5): the public home page, the staff
project list with a filter, a project page, the programme dashboard and a unit report's submission,
at 1, 8 and 32 concurrent users, with the Django admin of the same projects in the same run.

    DATABASE_URL=postgres://user:pw@127.0.0.1:5432/any .venv/bin/python bench/bench_load.py
        [--projects 20000] [--applicants 10000] [--years 5] [--users 1,8,32] [--rounds 4]
        [--samples 200] [--workers 4] [--keep | --reuse NAME]

One command, bounded, it stops by itself. On the PostgreSQL server of DATABASE_URL (required) it
creates a fresh database `kc_bench_load_<random>` (dropped after unless --keep) and seeds what the
performance issue's HTTP benchmark seeds, grown to the issue's size: 10,000 applicants, 20,000
đề án in every state with their history, budgets and payments (bench/bench_projects.py); plans,
multi-year shares, recoveries and collaborators (bench/bench_dashboard.py); and the yearly unit
reports of the 104 communes for 5 years, the last one open, its reports in draft, each commune
with an official who has a session. Then it starts gunicorn with the production settings (as
bench/bench_http.py does: `--workers` sync workers, CONN_MAX_AGE 60) and a Celery worker on Redis
(db --redis-db, flushed before and after) that builds the submitted reports' PDFs, and for each
number of users:

  - rounds that interleave the pages, each page GET by that many concurrent users (threads, about
    `--samples` requests a page and level): our home page (anonymous), the staff's first page
    (Trang làm việc, as a leader: what waits for them), staff list with a filter,
    the admin changelist with the same filter (stock 100 rows, and 25 rows), our project page,
    the admin change form of the same project, the dashboard (kept, and computed each time);
  - then the unit reports: each user is a different commune's official, who opens its report
    (GET, timed as "unit report form") and submits it (POST, "unit report submit": 302 expected),
    up to 104 submissions a level; the worker's PDFs are awaited, then staff return every report
    (the workflow's "return" step, in this process) so the next level can submit again.

It prints, per page and level: requests, errors (any answer but the expected one, or a failed
connection), p50 / p95 / p99 ms, requests a second, and the p95 ratio to the admin changelist's
at the same level (stock 100 rows; the issue's goal at 8 users: every staff page ≤ 1.0).
Percentiles are nearest-rank over every request of the level (at 1 user p99 is near the max).
The clients are threads of this process on the same machine: they take CPU from the server, as
the admin's figures measured beside ours do too.
"""

import argparse
import datetime
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench_http import (
    SECRET,
    NoRedirect,
    admin_sql,
    load,
    serve,
    server_url,
    tear_down,
)
from bench_unit_submit import NARRATIVE, form_fields
from common import ROOT, percentile, session_for


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--applicants", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5, help="years of unit reports (the last one open)")
    parser.add_argument("--users", default="1,8,32", help="concurrent users, one level each")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds of the pages per level")
    parser.add_argument("--samples", type=int, default=200, help="about this many requests a page and level")
    parser.add_argument("--submits", type=int, default=12, help="submissions per user at most (104 a level)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--conn-max-age", default="60")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/")
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--reuse", default="", help="a database kept by an earlier run: no seeding")
    return parser.parse_args()


# --- the data ------------------------------------------------------------------------------------


def seed_unit_reports(staff, years, rng):
    """The open period of this year (opened by bench_dashboard.extras) and `years - 1` earlier
    ones whose reports were all sent and accepted, with a figure for every indicator; one official
    per commune's unit."""
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role, grant_roles
    from programmes.models import ReportingUnit
    from reports import services
    from reports.models import ReportingPeriod, UnitReport, UnitReportValue
    from reports.unit_selectors import report_indicators

    current = ReportingPeriod.objects.get(year=timezone.localdate().year)
    values = []
    for year in range(current.year - years + 1, current.year):
        period = services.period_open(user=staff, year=year)
        reports = list(UnitReport.objects.filter(period=period))
        indicators = report_indicators(reports[0])
        sent = datetime.datetime(year, 12, 18, 9, tzinfo=datetime.UTC)
        UnitReport.objects.filter(period=period).update(
            status=UnitReport.Status.ACCEPTED,
            first_submitted_at=sent,
            submitted_at=sent,
            version=3,
            **NARRATIVE,
        )
        values += [
            UnitReportValue(report=r, indicator=i, value=rng.randrange(0, 50))
            for r in reports
            for i in indicators
        ]
    UnitReportValue.objects.bulk_create(values, batch_size=5000)
    officials = []
    for unit in ReportingUnit.objects.filter(commune__isnull=False).order_by("code"):
        user = User.objects.create_user(
            email=f"xa-{unit.code}@example.test", password=None, full_name=f"Cán bộ {unit.name}"
        )
        grant_roles(user, Role.UNIT_REPORTER)
        unit.members.add(user)
        officials.append(user)
    print(
        f"Seeded {years} periods of unit reports ({len(values):,} figures in the closed ones), "
        f"{len(officials)} commune officials."
    )


def uncached_dashboard():
    """A dashboard URL with filters drawn at random for each request (year × fund × content area
    × commune: some 15,000 combinations), so that it is computed, not read from the cache: the
    page as the first reader after a change gets it."""
    from programmes.models import AdministrativeUnit, ContentArea

    communes = list(AdministrativeUnit.objects.filter(is_active=True).values_list("name", flat=True))
    areas = list(ContentArea.objects.filter(programme__is_current=True).values_list("number", flat=True))
    rng = random.Random()
    lock = threading.Lock()

    def url():
        with lock:
            params = {
                "year": rng.choice(range(2026, 2031)),
                "fund": rng.choice(["", "KCQG", "KCDP"]),
                "area": rng.choice(["", *areas]),
                "commune": rng.choice(["", *communes]),
            }
        return "/bao-cao/tong-quan/?" + urllib.parse.urlencode(params)

    return url


def prepare(args):
    """Seed (unless reused); the sessions; the pages; the officials' (session, report pk)."""
    from common import analyze_database, setup_django

    setup_django()
    from django.utils import timezone

    from accounts.models import User
    from applicants.models import Applicant
    from programmes.models import ActivityType
    from projects.models import Project, Status
    from reports.models import UnitReport

    if not args.reuse:
        import bench_dashboard
        import bench_projects

        started = time.perf_counter()
        rng = random.Random(15)
        staff, _admin = bench_projects.seed(args.projects, n_applicants=args.applicants)
        bench_dashboard.extras(staff, rng)
        seed_unit_reports(staff, args.years, rng)
        analyze_database()
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    staff = User.objects.get(email="bench-staff@example.test")
    sessions = {
        "staff": session_for(staff),
        "admin": session_for(User.objects.get(email="bench-admin@example.test")),
    }
    activity = ActivityType.objects.get(programme__is_current=True, code="2b").pk
    project = Project.objects.filter(status=Status.SETTLED).order_by("pk").first().pk
    admin = "/quan-tri/projects/project/"
    admin_filter = f"year__exact=2026&status__exact={Status.IN_PROGRESS}&activity__id__exact={activity}"
    pages = [
        ("home page", None, "/"),
        ("staff workspace", "staff", "/tai-khoan/"),
        ("staff list, filter", "staff", f"/de-an/?year=2026&status={Status.IN_PROGRESS}&activity=2b"),
        ("admin changelist", "admin", f"{admin}?{admin_filter}"),
        ("admin changelist 25", "admin", f"{admin}?{admin_filter}&_per=25"),
        ("project page", "staff", f"/de-an/{project}/"),
        ("admin change form", "admin", f"{admin}{project}/change/"),
        ("dashboard", "staff", "/bao-cao/tong-quan/"),
        ("dashboard, computed", "staff", uncached_dashboard()),
    ]
    year = timezone.localdate().year
    officials = [
        (session_for(report.unit.members.get()), report.pk)
        for report in UnitReport.objects.filter(period__year=year, unit__commune__isnull=False)
        .select_related("unit")
        .order_by("unit__code")
    ]
    counts = {
        "applicants": Applicant.objects.count(),
        "projects": Project.objects.count(),
        "unit reports": UnitReport.objects.count(),
    }
    return staff, sessions, pages, officials, counts


def return_all(staff, year):
    """Staff return every submitted report of the open period (so it can be submitted again);
    the submissions' PDFs awaited first. Returns (seconds waited for the PDFs, PDFs failed)."""
    from django.utils import timezone

    from reports import services
    from reports.models import UnitReport, UnitReportPdf

    start = time.perf_counter()
    jobs = UnitReportPdf.objects.filter(report__period__year=year)
    while jobs.exclude(status__in=["done", "failed"]).exists() and time.perf_counter() - start < 600:
        time.sleep(1)
    waited = time.perf_counter() - start
    for report in UnitReport.objects.filter(period__year=year, status=UnitReport.Status.SUBMITTED):
        services.unit_report_transition(
            user=staff,
            report=report,
            step="return",
            data={
                "comment": "Bổ sung số liệu.",
                "wanted_back_by": timezone.localdate() + datetime.timedelta(days=3),
            },
        )
    return waited, jobs.filter(status="failed").count()


# --- the clients ---------------------------------------------------------------------------------

OPENER = urllib.request.build_opener(NoRedirect)


def fetch(opener, request, timeout=120, with_cookies=False):
    """(status, ms, body) of one request, and the cookies it set when asked; a failed
    connection is status 0."""
    start = time.perf_counter()
    cookies = {}
    try:
        with opener.open(request, timeout=timeout) as response:
            body, status, headers = response.read(), response.status, response.headers
    except urllib.error.HTTPError as error:
        body, status, headers = error.read(), error.code, error.headers
    except OSError as error:
        body, status, headers = repr(error).encode(), 0, None
    ms = (time.perf_counter() - start) * 1000
    if not with_cookies:
        return status, ms, body
    for line in headers.get_all("Set-Cookie", []) if headers else []:
        key, _, value = line.split(";", 1)[0].partition("=")
        cookies[key.strip()] = value.strip()
    return status, ms, body, cookies


def submit_many(base, officials, users, per_user):
    """`users` threads, each acting for `per_user` communes in turn (one official and one report
    each): it opens the report (GET) and submits it (POST). Returns {label: (latencies, error
    statuses)} and the wall seconds."""
    results = {"unit report form": ([], []), "unit report submit": ([], [])}
    lock = threading.Lock()

    def record(label, status, ms, expected):
        with lock:
            results[label][0].append(ms)
            if status != expected:
                results[label][1].append(status)

    def user(batch):
        for session, report in batch:
            # production settings: secure cookies and a strict Referer, as behind the TLS proxy
            # (X-Forwarded-Proto), so the cookies are carried by hand
            url = f"{base}/bao-cao/don-vi/{report}/"
            headers = {"X-Forwarded-Proto": "https", "Cookie": f"sessionid={session}"}
            form = urllib.request.Request(url, headers=headers)
            status, ms, body, cookies = fetch(OPENER, form, with_cookies=True)
            record("unit report form", status, ms, 200)
            if status != 200:
                continue
            data = {}
            for name, value in form_fields(body.decode()).items():
                if name in ("csrfmiddlewaretoken", "version") or name.startswith("note_"):
                    data[name] = value
                elif name.startswith("value_"):
                    data[name] = value or "5"  # what the portal cannot pre-fill: the unit's own figure
            data.update(NARRATIVE, action="submit")
            headers["Cookie"] += "".join(f"; {k}={v}" for k, v in cookies.items())
            headers["Referer"] = "https://" + url.split("://", 1)[1]
            post = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), headers=headers)
            status, ms, _body, _cookies = fetch(OPENER, post, with_cookies=True)
            record("unit report submit", status, ms, 302)

    chosen = officials[: users * per_user]
    threads = [threading.Thread(target=user, args=(chosen[i::users],)) for i in range(users)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - start


# --- the figures ---------------------------------------------------------------------------------


def level(base, sessions, pages, officials, users, args, staff):
    """One number of users: the pages in interleaved rounds, then the submissions."""
    per = max(2, round(args.samples / (args.rounds * users)))
    samples = {label: [] for label, _who, _url in pages}
    walls = dict.fromkeys(samples, 0.0)
    errors = {label: [] for label in samples}
    for _label, who, url in pages:  # warm-up, unmeasured
        load(base, url, sessions.get(who), users, 1)
    for _ in range(args.rounds):
        for label, who, url in pages:
            latencies, wall, errs = load(base, url, sessions.get(who), users, per)
            samples[label] += latencies
            walls[label] += wall
            errors[label] += errs
    per_user = max(1, min(args.submits, len(officials) // users))
    submitted, wall = submit_many(base, officials, users, per_user)
    for label, (latencies, errs) in submitted.items():
        samples[label], walls[label], errors[label] = latencies, wall, errs
    from django.utils import timezone

    waited, failed = return_all(staff, timezone.localdate().year)
    admin_p95 = percentile(samples["admin changelist"], 95)
    print(f"\n{users} concurrent user{'s' if users > 1 else ''}")
    print(
        f"  {'page':<22} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'req/s':>7} {'p95/admin':>9}"
    )
    for label, latencies in samples.items():
        p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
        print(
            f"  {label:<22} {len(latencies):>8} {len(errors[label]):>6} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} "
            f"{len(latencies) / walls[label]:>7.1f} {p95 / admin_p95:>9.2f}"
        )
    print(f"  the worker built the submissions' PDFs {waited:.0f} s after the last one ({failed} failed)")
    bad = {label: sorted(set(e)) for label, e in errors.items() if e}
    if bad:
        print(f"  errors: {bad}")
    return sum(len(e) for e in errors.values()) + failed


def main():
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server (its database is not used).")
    name = args.reuse or f"kc_bench_load_{secrets.token_hex(5)}"
    work = Path(tempfile.mkdtemp(prefix="kc-bench-load-"))
    redis_url = f"{args.redis}{args.redis_db}"
    os.environ.update(
        {
            "DJANGO_ENV": "local",  # this process: migrations, seeding, returning the reports
            "DATABASE_URL": server_url(name),
            "MEDIA_ROOT": str(work / "media"),
            "STATIC_ROOT": str(work / "static"),
            "REDIS_URL": "",
            "SECRET_KEY": SECRET,  # the sessions made here are signed for the server's key
            "EMAIL_URL": "memorymail://",  # the returned reports' notices, here and in the server
        }
    )
    if not args.reuse:
        admin_sql(f'CREATE DATABASE "{name}"')
    gunicorn = celery = None
    try:
        staff, sessions, pages, officials, counts = prepare(args)
        print(f"database {name}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**os.environ, "DJANGO_ENV": "production", "ALLOWED_HOSTS": "127.0.0.1"},
            check=True,
        )
        base, gunicorn, celery = serve(args, redis_url, work, with_worker=True)
        print(
            f"gunicorn {args.workers} sync workers, production settings, CONN_MAX_AGE={args.conn_max_age}, "
            f"one Celery worker (nice 10) for the PDFs; {args.rounds} interleaved rounds a level"
        )
        failures = 0
        for users in (int(u) for u in args.users.split(",")):
            failures += level(base, sessions, pages, officials, users, args, staff)
        print("OK: no errors" if not failures else f"FAILED: {failures} errors (logs in {work})")
    finally:
        tear_down(args, name, redis_url, gunicorn, celery)


if __name__ == "__main__":
    main()

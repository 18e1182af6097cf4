"""Load benchmark of the 22/12 rush (issue 11): the 104 communes' officials send their yearly report
at once against gunicorn on PostgreSQL, with a real Celery worker building the official PDFs.

    DJANGO_ENV=local .venv/bin/python bench/bench_unit_submit.py [--workers 3] [--celery 2]

One command: it creates a fresh PostgreSQL database on the server of --pg (dropped after),
migrates it, loads the reference data, opens this year's period, gives each commune's reporting
unit an official with a session; flushes Redis db --redis-db (before and after), starts gunicorn
and a Celery worker on them; then 104 threads each GET their report form (the CSRF token, the
version, the pre-filled figures) and, all released together, POST the submission. Prints the
throughput, median and p95 of the submit request and the errors; then waits for the worker and
counts the reports submitted and the PDFs built (exactly one each: none lost, none duplicated).
"""

import argparse
import datetime
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from common import ROOT, median_p95, session_for

VENV_BIN = Path(sys.executable).parent
NARRATIVE = {
    "results": "Tổ chức 2 lớp truyền nghề mây tre đan cho 60 học viên.",
    "difficulties": "Kinh phí đối ứng của cơ sở còn hạn chế.",
    "proposals": "Đề nghị hỗ trợ xây dựng nhãn hiệu làng nghề.",
}


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/")
    parser.add_argument("--redis-db", type=int, default=9)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--celery", type=int, default=2, help="Celery worker processes")
    parser.add_argument(
        "--celery-nice", type=int, default=10, help="the worker's niceness (0: as high as the web's)"
    )
    parser.add_argument("--wait", type=int, default=600, help="seconds to wait for the PDFs")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the database and Redis ----------------------------------------------------------------------


def admin_sql(pg_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_url + "postgres", autocommit=True) as conn:
        conn.execute(sql)


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def seed():
    """Migrate, load the reference data, open the period, one official per commune's unit with a
    session; returns [(session key, report pk)] and the period."""
    from common import setup_django

    setup_django()
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role, grant_roles
    from core.deadlines import end_of_day, local_zone
    from programmes.models import ReportingUnit
    from reports import services
    from reports.models import UnitReport

    staff = User.objects.create_user(email="bench-staff@example.test", password="x", full_name="Cán bộ Sở")
    grant_roles(staff, Role.STAFF)
    today = timezone.localdate()
    period = services.period_open(
        user=staff,
        year=today.year,
        opens_at=datetime.datetime.combine(
            today - datetime.timedelta(days=1), datetime.time.min, local_zone()
        ),
        unit_deadline=end_of_day(today + datetime.timedelta(days=10)),
        province_deadline=end_of_day(today + datetime.timedelta(days=20)),
    )
    reports = {
        r.unit_id: r.pk
        for r in UnitReport.objects.filter(period=period, unit__commune__isnull=False).only("pk", "unit_id")
    }
    sessions = []
    for unit in ReportingUnit.objects.filter(pk__in=reports).order_by("code"):
        user = User.objects.create_user(
            email=f"xa-{unit.code}@example.test", password=None, full_name=f"Cán bộ {unit.name}"
        )
        grant_roles(user, Role.UNIT_REPORTER)
        unit.members.add(user)
        sessions.append((session_for(user), reports[unit.pk]))
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return period, sessions


# --- the servers ---------------------------------------------------------------------------------


def start(env, args, port):
    log_dir = Path(os.environ["MEDIA_ROOT"]).parent
    gunicorn = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "khuyencong.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--backlog",
            "256",
            "--log-level",
            "warning",
            "--access-logfile",
            str(log_dir / "access.log"),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log_dir / "gunicorn.log", "w"),  # noqa: SIM115 (kept open while it runs)
        stderr=subprocess.STDOUT,
    )
    celery = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "khuyencong",
            "worker",
            "--concurrency",
            str(args.celery),
            "--loglevel",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log_dir / "celery.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        # the PDFs take the CPU the web leaves: on two cores the requests come first
        preexec_fn=lambda: os.nice(args.celery_nice),
    )
    return gunicorn, celery, log_dir


def wait_up(base):
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the clients ---------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


INPUT = re.compile(r"<input\b[^>]*>")
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def form_fields(html: str) -> dict:
    """The report form's inputs by name (their value), the narrative left to the caller."""
    fields = {}
    for tag in INPUT.findall(html):
        attrs = dict(ATTR.findall(tag))
        if "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def client(base, session_key, report_pk, barrier, results):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    host = urllib.parse.urlparse(base).hostname
    jar.set_cookie(
        http.cookiejar.Cookie(
            0, "sessionid", session_key, None, False, host, False, False, "/", True,
            False, None, False, None, None, {},
        )
    )  # fmt: skip
    url = f"{base}/bao-cao/don-vi/{report_pk}/"
    try:
        html = opener.open(url, timeout=60).read().decode()
        fields = form_fields(html)
        data = {k: v for k, v in fields.items() if k == "csrfmiddlewaretoken" or k == "version"}
        for name, value in fields.items():
            if name.startswith("value_"):
                data[name] = value or "5"  # the figures the portal has nothing for: the unit's own
            elif name.startswith("note_"):
                data[name] = value
        data.update(NARRATIVE, action="submit")
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
    except Exception as error:  # noqa: BLE001 (a benchmark counts every failure)
        barrier.wait()
        results.append(("get", None, repr(error)))
        return
    barrier.wait()
    start = time.perf_counter()
    try:
        response = opener.open(request, timeout=120)
        status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except Exception as error:  # noqa: BLE001
        results.append(("post", (time.perf_counter() - start) * 1000, repr(error)))
        return
    elapsed = (time.perf_counter() - start) * 1000
    results.append(("post", elapsed, None if status == 302 else f"HTTP {status}"))


def service_times(log_dir) -> list[float]:
    """The submit requests' time inside gunicorn's workers (ms), from its access log: the
    request's own work, without the wait for a free worker that the clients' figures include."""
    samples = []
    for line in (log_dir / "access.log").read_text().splitlines():
        method, path, status, micros = line.split()
        if method == "POST" and path.startswith("/bao-cao/don-vi/"):
            samples.append(int(micros) / 1000)
    return samples


def run_clients(base, sessions):
    barrier = threading.Barrier(len(sessions) + 1)
    results = []
    threads = [
        threading.Thread(target=client, args=(base, key, pk, barrier, results)) for key, pk in sessions
    ]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return results, time.perf_counter() - start


def wait_for_pdfs(period, expected, seconds):
    from reports.models import UnitReportPdf

    start = time.perf_counter()
    jobs = UnitReportPdf.objects.filter(report__period=period)
    while time.perf_counter() - start < seconds:
        if jobs.filter(status__in=["done", "failed"]).count() >= expected:
            break
        time.sleep(1)
    return time.perf_counter() - start


def count(period):
    from django.db.models import Count

    from reports.models import UnitReport, UnitReportPdf

    submitted = UnitReport.objects.filter(period=period, status="submitted", unit__commune__isnull=False)
    jobs = UnitReportPdf.objects.filter(report__period=period)
    per_report = jobs.values("report").annotate(n=Count("id"))
    return {
        "submitted": submitted.count(),
        "pdf jobs": jobs.count(),
        "pdfs built": jobs.filter(status="done").exclude(file="").count(),
        "failed": jobs.filter(status="failed").count(),
        "reports with 2+ jobs": sum(1 for row in per_report if row["n"] > 1),
    }


def main():
    args = parse_args()
    name = f"kc_bench_{uuid.uuid4().hex[:10]}"
    redis_url = f"{args.redis}{args.redis_db}"
    media = Path(os.environ.get("MEDIA_ROOT") or (Path("/tmp") / name / "media"))
    media.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_ENV": os.environ.get("DJANGO_ENV", "local"),
        "DJANGO_SETTINGS_MODULE": "khuyencong.settings",
        "DATABASE_URL": args.pg + name,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(media),
        "LOG_LEVEL": "WARNING",
        # persistent connections, as a production server would set them (settings: CONN_MAX_AGE)
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
    }
    os.environ.update(env)
    flush_redis(redis_url)
    admin_sql(args.pg, f'CREATE DATABASE "{name}"')
    gunicorn = celery = None
    try:
        t0 = time.perf_counter()
        period, sessions = seed()
        print(f"database {name}: migrated and seeded in {time.perf_counter() - t0:.1f} s")
        from django.db import connections

        connections.close_all()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn, celery, log_dir = start(env, args, port)
        wait_up(base)
        print(
            f"gunicorn {args.workers} workers × {args.threads} threads, Celery {args.celery} processes "
            f"(nice {args.celery_nice}); "
            f"{len(sessions)} unit officials submitting at once"
        )
        results, wall = run_clients(base, sessions)
        posts = [r for r in results if r[0] == "post" and r[1] is not None]
        errors = [r for r in results if r[2]]
        samples = [r[1] for r in posts]
        median, p95 = median_p95(samples) if samples else (0, 0)
        print(f"  submit: {len(posts)} requests in {wall:.2f} s = {len(posts) / wall:.1f} req/s")
        print(f"  submit: median {median:.0f} ms, p95 {p95:.0f} ms, max {max(samples, default=0):.0f} ms")
        served = service_times(log_dir)
        if served:
            s_median, s_p95 = median_p95(served)
            print(
                f"  submit inside gunicorn (without the wait for a worker): median {s_median:.0f} ms, p95 {s_p95:.0f} ms"
            )
        print(f"  errors: {len(errors)}")
        for kind, _ms, error in errors[:10]:
            print(f"    {kind}: {error}")
        waited = wait_for_pdfs(period, len(sessions), args.wait)
        figures = count(period)
        print(f"  worker: PDFs done {waited:.1f} s after the last submit")
        print("  counts: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
        ok = (
            not errors
            and figures["submitted"] == len(sessions)
            and figures["pdf jobs"] == figures["pdfs built"] == len(sessions)
        )
        print(("OK" if ok else "FAILED") + f": expected {len(sessions)} of each, none lost or duplicated")
        if not ok:
            print(f"  logs: {log_dir}/gunicorn.log, {log_dir}/celery.log")
    finally:
        for process in (gunicorn, celery):
            if process is not None:
                stop(process)
        from django.db import connections

        connections.close_all()
        admin_sql(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        flush_redis(redis_url)


if __name__ == "__main__":
    main()

"""HTTP benchmark of the staff pages against the Django admin and their own SQL (issue 14 item 6).

    DATABASE_URL=postgres://user:pw@127.0.0.1:5432/any .venv/bin/python bench/bench_http.py
        [--projects 20000] [--rounds 6] [--requests 10] [--workers 2] [--conn-max-age 60]

One command, bounded, it stops by itself. On the PostgreSQL server of DATABASE_URL (required) it
creates a fresh database `kc_bench_http_<random>` (dropped after unless --keep), migrates it, loads
the reference data and seeds projects with bench/bench_projects.py's seeding; collects the static
files; starts gunicorn on 127.0.0.1 with the production settings (DJANGO_ENV unset: its own
SECRET_KEY and ALLOWED_HOSTS, DEBUG off, WhiteNoise's manifest) and a Celery worker on Redis
(--redis, database --redis-db, flushed before and after) for the export job. The admin at 25 rows
is the stock admin whose page size bench/gunicorn_bench.py sets for the requests that ask for it.

Then, for each comparison, rounds that interleave the pages (ours, admin at 25 rows, admin stock
at 100) at 1 and at 8 concurrent users (threads, `--requests` GETs each per round): p50, p95 and
requests a second per page, the ratios to ours, and the SQL floor: the queries the page made,
captured once in-process and replayed on one open psycopg connection (the least the page can
cost). Finally an unfiltered export of every project must answer with a job (never 500), whose
progress is polled until its file is downloaded.
"""

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from common import ROOT, median_p95, session_for

VENV_BIN = Path(sys.executable).parent
SECRET = "bench-" + secrets.token_urlsafe(40)


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=6, help="interleaved rounds per comparison and load")
    parser.add_argument("--requests", type=int, default=10, help="GETs per user per page and round")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--conn-max-age", default="60", help="CONN_MAX_AGE of the web processes")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--export-wait", type=int, default=900, help="seconds the export job may take")
    parser.add_argument(
        "--pages",
        default="filter,search,project,home,bare",
        help="which comparisons: filter,search,project,home,bare (the --projects 100000 run: home)",
    )
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--reuse", default="", help="a database kept by an earlier run: no seeding")
    return parser.parse_args()


def server_url(name: str) -> str:
    """DATABASE_URL with its database replaced by `name`."""
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the data ------------------------------------------------------------------------------------


def prepare(args, name):
    """Migrate and seed (unless reused); sessions for the staff user and the superuser; the URLs."""
    from common import analyze_database, setup_django

    setup_django()

    from accounts.models import User
    from programmes.models import ActivityType
    from projects.models import Project, Status

    if not args.reuse:
        import bench_projects

        bench_projects.seed(args.projects)
        analyze_database()
    sessions = {}
    for key, email in (("staff", "bench-staff@example.test"), ("admin", "bench-admin@example.test")):
        sessions[key] = session_for(User.objects.get(email=email))
    activity = ActivityType.objects.get(programme__is_current=True, code="2b").pk
    project = Project.objects.filter(status=Status.SETTLED).order_by("pk").first().pk
    admin = "/quan-tri/projects/project/"
    comparisons = [
        (
            "staff list, filter",
            [
                ("ours", "staff", f"/de-an/?year=2026&status={Status.IN_PROGRESS}&activity=2b"),
                (
                    "admin 25",
                    "admin",
                    f"{admin}?year__exact=2026&status__exact={Status.IN_PROGRESS}&activity__id__exact={activity}&_per=25",
                ),
                (
                    "admin 100",
                    "admin",
                    f"{admin}?year__exact=2026&status__exact={Status.IN_PROGRESS}&activity__id__exact={activity}",
                ),
            ],
        ),
        (
            "staff list, search",
            [
                ("ours", "staff", "/de-an/?year=2026&q=may+det"),
                ("admin 25", "admin", f"{admin}?year__exact=2026&q=may+det&_per=25"),
                ("admin 100", "admin", f"{admin}?year__exact=2026&q=may+det"),
            ],
        ),
        (
            "project page",
            [
                ("ours", "staff", f"/de-an/{project}/"),
                ("admin change form", "admin", f"{admin}{project}/change/"),
            ],
        ),
        ("home page", [("ours", None, "/")]),
        # the control for the "≤ 3 × SQL floor" goal: the least a signed-in page of ours or of the
        # admin costs (session, user, the menu and bell; a three-field form / the admin's index)
        (
            "near-empty signed-in pages",
            [
                ("password form", "staff", "/tai-khoan/doi-mat-khau/"),
                ("admin index", "admin", "/quan-tri/"),
            ],
        ),
    ]
    keys = ["filter", "search", "project", "home", "bare"]
    wanted = set(args.pages.split(","))
    comparisons = [c for key, c in zip(keys, comparisons, strict=True) if key in wanted]
    return sessions, comparisons, Project.objects.count()


def capture_queries(sessions, comparisons):
    """{url: [sql…]}: each page's own queries, as the test client makes them once (warm)."""
    from django.contrib.admin import site
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from projects.models import Project

    captured = {}
    for _title, pages in comparisons:
        for _label, who, url in pages:
            # what bench/gunicorn_bench.py does in the server for `_per=25`
            site._registry[Project].list_per_page = 25 if "_per=25" in url else 100
            client = Client()
            if who:
                client.cookies["sessionid"] = sessions[who]
            path = url.replace("&_per=25", "")
            client.get(path)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            captured[url] = [q["sql"] for q in queries.captured_queries]
    site._registry[Project].list_per_page = 100
    return captured


def sql_floor(dsn, statements, runs=30):
    """(p50, p95) ms of replaying `statements` on one open connection, results fetched."""
    import psycopg

    samples = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        for _ in range(runs + 3):
            start = time.perf_counter()
            for sql in statements:
                cursor = conn.execute(sql)  # no parameters: psycopg leaves % alone
                if cursor.description:
                    cursor.fetchall()
            samples.append((time.perf_counter() - start) * 1000)
    return median_p95(samples[3:])


# --- the servers ---------------------------------------------------------------------------------


def start_servers(args, env, port, log_dir, with_worker):
    gunicorn = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "khuyencong.wsgi",
            "-c",
            str(ROOT / "bench" / "gunicorn_bench.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log_dir / "gunicorn.log", "w"),  # noqa: SIM115 (kept open while it runs)
        stderr=subprocess.STDOUT,
    )
    celery = None
    if with_worker:
        celery = subprocess.Popen(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "khuyencong",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=open(log_dir / "celery.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: os.nice(10),
        )
    return gunicorn, celery


def stop(process):
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(base, url, session=None, timeout=60):
    """(status, ms, body, location) of one GET; a 3xx is returned, not followed; a failed
    connection is status 0."""
    request = urllib.request.Request(base + url)
    if session:
        request.add_header("Cookie", f"sessionid={session}")
    start = time.perf_counter()
    try:
        with OPENER.open(request, timeout=timeout) as response:
            body, status, location = response.read(), response.status, ""
    except urllib.error.HTTPError as error:
        body, status, location = error.read(), error.code, error.headers.get("Location", "")
    except OSError as error:  # refused, reset, timed out: an error the figures count
        body, status, location = repr(error).encode(), 0, ""
    ms = (time.perf_counter() - start) * 1000
    return status, ms, body, location


def wait_up(base):
    for _ in range(150):
        if get(base, "/healthz/", timeout=2)[0] == 200:
            return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def load(base, url, session, users, count):
    """`users` threads each GET `url` (or what `url()` gives each time) `count` times:
    (latencies ms, wall s, error statuses)."""
    latencies, errors = [], []
    lock = threading.Lock()

    def user():
        for _ in range(count):
            status, ms, _body, _loc = get(base, url() if callable(url) else url, session)
            with lock:
                latencies.append(ms)
                if status != 200:
                    errors.append(status)

    threads = [threading.Thread(target=user) for _ in range(users)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - start, errors


def compare(base, sessions, title, pages, floors, args):
    print(f"\n{title}")
    print(
        f"  {'page':<20} {'users':>5} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'SQL p50':>8} {'p95/SQL':>8} {'p95/ours':>9}"
    )
    for users in (1, 8):
        samples = {label: [] for label, _w, _u in pages}
        walls = {label: 0.0 for label, _w, _u in pages}
        errors = []
        for _label, who, url in pages:  # warm-up, unmeasured
            load(base, url, sessions.get(who), users, 2)
        for _ in range(args.rounds):
            for label, who, url in pages:
                lat, wall, errs = load(base, url, sessions.get(who), users, args.requests)
                samples[label] += lat
                walls[label] += wall
                errors += errs
        ours_p95 = median_p95(samples[pages[0][0]])[1]
        for label, _who, url in pages:
            p50, p95 = median_p95(samples[label])
            rate = len(samples[label]) / walls[label]
            floor = floors[url][0]
            print(
                f"  {label:<20} {users:>5} {p50:>8.1f} {p95:>8.1f} {rate:>7.1f} {floor:>8.1f} "
                f"{p95 / floor:>8.1f} {p95 / ours_p95:>9.2f}"
            )
        if errors:
            print(f"  errors: {len(errors)} ({sorted(set(errors))})")


def export_check(base, session, wait):
    """An unfiltered export of every project: a job (302 to its page), never a 500; poll it."""
    status, ms, _body, location = get(base, "/de-an/?format=xlsx", session, timeout=60)
    print(f"\nexport of every project: answered {status} in {ms:.0f} ms -> {location or '(no redirect)'}")
    if status != 302 or "/viec/" not in location:
        print("  FAILED: the export did not become a job")
        return False
    path = urllib.parse.urlsplit(location).path
    start, seen = time.perf_counter(), []
    while time.perf_counter() - start < wait:
        status, _ms, body, _loc = get(base, path, session)
        if status != 200:
            print(f"  FAILED: the job page answered {status}")
            return False
        html = body.decode()
        state = html.split('data-status="', 1)[1].split('"', 1)[0]
        progress = html.split('aria-valuenow="', 1)[1].split('"', 1)[0] if 'aria-valuenow="' in html else ""
        if not seen or seen[-1] != (state, progress):
            seen.append((state, progress))
            print(f"  {time.perf_counter() - start:6.1f} s  {state} {progress and progress + '%'}")
        if state in ("done", "failed"):
            break
        time.sleep(2)
    if seen[-1][0] != "done":
        print("  FAILED: the job did not finish")
        return False
    status, ms, body, _loc = get(base, path + "tai-ve/", session)
    print(f"  download: {status}, {len(body) / 1e6:.1f} MB in {ms:.0f} ms")
    return status == 200


def serve(args, redis_url, work, *, with_worker):
    """gunicorn (and a Celery worker) with the production settings on a free port, Redis's
    database `redis_url` flushed first: (base URL, gunicorn, celery)."""
    from django.db import connections

    connections.close_all()
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DJANGO_DEBUG"}}
    env.update(
        {
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback
            "CONN_MAX_AGE": args.conn_max_age,
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "WARNING",
        }
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn, celery = start_servers(args, env, port, work, with_worker=with_worker)
    try:
        wait_up(base)
    except BaseException:
        stop(gunicorn)
        stop(celery)
        raise
    return base, gunicorn, celery


def tear_down(args, name, redis_url, *processes):
    """Stop the servers, drop the database (unless kept or reused), flush the Redis database."""
    for process in processes:
        stop(process)
    from django.db import connections

    connections.close_all()
    if not args.keep and not args.reuse:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    elif args.keep:
        print(f"kept database {name} (--reuse {name})")
    try:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    except Exception:  # noqa: BLE001 (Redis down: nothing to clean)
        pass


def main():  # noqa: C901 (one bounded script: set up, measure, tear down)
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server (its database is not used).")
    name = args.reuse or f"kc_bench_http_{secrets.token_hex(5)}"
    work = Path(tempfile.mkdtemp(prefix="kc-bench-http-"))
    redis_url = f"{args.redis}{args.redis_db}"
    os.environ.update(
        {
            "DJANGO_ENV": "local",  # this process: migrations, seeding, the capture of queries
            "DATABASE_URL": server_url(name),
            "MEDIA_ROOT": str(work / "media"),
            "STATIC_ROOT": str(work / "static"),
            "REDIS_URL": "",
            "SECRET_KEY": SECRET,  # the sessions made here are signed for the server's key
        }
    )
    if not args.reuse:
        admin_sql(f'CREATE DATABASE "{name}"')
    gunicorn = celery = None
    try:
        started = time.perf_counter()
        sessions, comparisons, projects = prepare(args, name)
        print(f"database {name}: {projects:,} projects, ready in {time.perf_counter() - started:.0f} s")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_ENV": "production",
                "SECRET_KEY": SECRET,
                "ALLOWED_HOSTS": "127.0.0.1",
            },
            check=True,
        )
        captured = capture_queries(sessions, comparisons)
        floors = {url: sql_floor(os.environ["DATABASE_URL"], sql) for url, sql in captured.items()}
        base, gunicorn, celery = serve(args, redis_url, work, with_worker=not args.no_export)
        print(
            f"gunicorn {args.workers} sync workers, production settings, CONN_MAX_AGE={args.conn_max_age}; "
            f"{args.rounds} rounds × {args.requests} GETs per user and page, interleaved"
        )
        for url, sql in captured.items():
            print(f"  {len(sql):>3} queries  {url}")
        for title, pages in comparisons:
            compare(base, sessions, title, pages, floors, args)
        ok = True
        if not args.no_export:
            ok = export_check(base, sessions["staff"], args.export_wait)
        print("OK" if ok else f"FAILED (logs in {work})")
    finally:
        tear_down(args, name, redis_url, gunicorn, celery)


if __name__ == "__main__":
    main()

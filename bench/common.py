"""What every benchmark shares: a throwaway database with the reference data, and the figures."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django():
    """A fresh SQLite file (or the database in DATABASE_URL), migrated, with the reference data."""
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp(prefix="kc-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="kc-bench-media-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from programmes.reference import load_reference
    from projects.reference import load_project_reference

    call_command("migrate", verbosity=0)
    load_reference(log=lambda _m: None)
    load_project_reference(log=lambda _m: None)


def session_for(user) -> str:
    """A signed-in session of `user` (its key, for a `sessionid` cookie), as the login view
    would store it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def median_p95(samples):
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    return statistics.median(samples), p95


def percentile(samples, q):
    """The nearest-rank `q`th percentile of `samples` (q in 0..100)."""
    samples = sorted(samples)
    return samples[max(0, min(len(samples) - 1, round(q / 100 * len(samples)) - 1))]


def get_ms(client, url, params=None):
    """One GET through the test client, in milliseconds; the page must answer 200."""
    start = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, response


def time_get(client, url, runs, params=None, warmup=3):
    """(median ms, p95 ms, last response) of `runs` GETs after `warmup` unmeasured ones."""
    for _ in range(warmup):
        get_ms(client, url, params)
    samples, response = [], None
    for _ in range(runs):
        elapsed, response = get_ms(client, url, params)
        samples.append(elapsed)
    median, p95 = median_p95(samples)
    return median, p95, response


def analyze_database():
    """After bulk seeding, refresh PostgreSQL's planner statistics, as autovacuum would on a live
    database; without them the first plans are guesses and the figures measure those."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

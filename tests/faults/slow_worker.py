"""A real Celery worker process for tests/faults/test_killed_worker.py, whose compiled-report build
stops for a while in the XLSX (built while the PDF's parts are laid out: reports.yearly_pdf), having
touched the file FAULT_XLSX_MARKER names, so that the test can kill it there with SIGKILL. Configured from the environment like the portal's own worker
(DATABASE_URL, REDIS_URL, MEDIA_ROOT); not a test module (no test_ prefix)."""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")
django.setup()

from khuyencong.celery import app  # noqa: E402
from reports import yearly_jobs  # noqa: E402

_real_xlsx = yearly_jobs.render_report_xlsx


def _slow_xlsx(snapshot):
    marker = os.environ.get("FAULT_XLSX_MARKER")
    if marker:
        open(marker, "w").close()  # noqa: SIM115 (an empty file: "the build is here")
    time.sleep(float(os.environ.get("FAULT_XLSX_DELAY", "120")))
    return _real_xlsx(snapshot)


yearly_jobs.render_report_xlsx = _slow_xlsx

if __name__ == "__main__":
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            f"--hostname=fault-{os.getpid()}@%h",
        ]
    )

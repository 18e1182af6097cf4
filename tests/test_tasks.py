import os
import time

from django.conf import settings

from core.tasks import purge_import_drafts
from khuyencong.celery import app


def _draft(folder, name, age_seconds):
    path = settings.MEDIA_ROOT / folder
    path.mkdir(parents=True, exist_ok=True)
    file = path / name
    file.write_text("{}", encoding="utf-8")
    stamp = time.time() - age_seconds
    os.utime(file, (stamp, stamp))
    return file


def test_stale_import_drafts_are_purged_and_fresh_ones_kept(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old_ours = _draft("import-stash", "old.json", 2 * 24 * 3600)
    old_admin = _draft("django-import-export", "old.xlsx", 2 * 24 * 3600)
    fresh = _draft("import-stash", "fresh.json", 60)
    elsewhere = _draft("projects", "old-document.pdf", 10 * 24 * 3600)
    assert purge_import_drafts.delay().get() == 2
    assert not old_ours.exists() and not old_admin.exists()
    assert fresh.exists() and elsewhere.exists()


def test_the_purge_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-import-drafts"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {30}


def test_stale_file_jobs_are_checked_every_quarter_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["fail-stale-file-jobs"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == {0, 15, 30, 45} and len(entry["schedule"].hour) == 24


def test_tasks_have_time_limits_and_document_jobs_the_longer_pair():
    assert 0 < settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert app.conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    document = app.tasks["core.tasks.run_file_job"]
    assert settings.CELERY_TASK_TIME_LIMIT < document.soft_time_limit < document.time_limit
    assert (document.soft_time_limit, document.time_limit) == (
        settings.DOCUMENT_JOB_SOFT_TIME_LIMIT,
        settings.DOCUMENT_JOB_TIME_LIMIT,
    )
    assert 0 < settings.EMAIL_TIMEOUT <= 10

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

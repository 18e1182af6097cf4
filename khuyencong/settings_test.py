"""Test settings: the real settings with fast hashing, in-memory email and eager Celery.

The real broker is used only by the tests that ask for it (tests/test_worker.py).
"""

import os

os.environ.setdefault("DJANGO_ENV", "local")

from .settings import *  # noqa: E402, F403
from .settings import BASE_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"
LANGUAGE_CODE = "vi"
# The test database is SQLite in memory with a shared cache, whose table locks never wait for a
# busy timeout: there BEGIN IMMEDIATE makes concurrent tests fail at once instead of queueing.
# `make run` (a file database) keeps it; tests/test_security_headers.py checks it there.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["OPTIONS"].pop("transaction_mode", None)  # noqa: F405

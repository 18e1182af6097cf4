"""Settings for khuyencong, read from the environment (django-environ).

Every value that differs between a laptop and production comes from the environment with a safe
development default. Production (DJANGO_DEBUG=0) refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# --- Mode and secrets --------------------------------------------------------------------------
# Safe by default: a host that sets nothing runs as production (DEBUG off, secrets required).
# DJANGO_ENV=local (set by `make run`, `make test` and the worker targets) is a laptop: the
# development key, local host names, plain HTTP. DEBUG is separate and off unless asked for, so
# `make run` shows the portal's own Vietnamese error pages.
DJANGO_ENV = env.str("DJANGO_ENV", default="production")
if DJANGO_ENV not in {"production", "local"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'production' or 'local'.")
LOCAL = DJANGO_ENV == "local"
DEBUG = env.bool("DJANGO_DEBUG", default=False)

if LOCAL:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789-abcdefghijklmnop")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set in production (or DJANGO_ENV=local on a laptop).")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set in production (or DJANGO_ENV=local on a laptop)."
        )
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG=1 is for DJANGO_ENV=local only.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Applications ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "accounts.admin_apps.PortalAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "csp",
    "khuyencong",
    "core",
    "accounts",
    "programmes",
    "applicants",
    "projects",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "khuyencong.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "khuyencong.middleware.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "khuyencong.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "khuyencong.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "khuyencong.urls"
WSGI_APPLICATION = "khuyencong.wsgi.application"
ASGI_APPLICATION = "khuyencong.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "khuyencong.navigation.navigation",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------------
# SQLite when DATABASE_URL is unset, so a newcomer needs no server; PostgreSQL in production and CI.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a request reuses its worker's connection for CONN_MAX_AGE seconds instead
# of opening one (about 13 ms on PostgreSQL, issue 14); the health check at the start of each
# request replaces a connection the server dropped (restart, idle timeout) instead of failing. The
# Celery worker closes its connections before and after each task (celery.fixups.django), so a job
# never inherits a stale one.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
if USING_SQLITE:
    # `make run` and tests: readers never wait for a writer (WAL); a writer takes the write lock
    # when its transaction begins (IMMEDIATE, so two writers never deadlock upgrading a read
    # lock) and waits up to 20 s for it, instead of answering "database is locked" at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    # PostgreSQL: a request behind a held row lock gives up after DB_LOCK_TIMEOUT and any statement
    # after DB_STATEMENT_TIMEOUT (milliseconds), and the user is asked to try again (503, see
    # khuyencong.middleware.DatabaseBusyMiddleware), instead of holding a worker until the proxy's
    # 30 s and a 500. Jobs use the same connection settings: their queries are kept under it.
    DB_LOCK_TIMEOUT = env.int("DB_LOCK_TIMEOUT", default=3000)
    DB_STATEMENT_TIMEOUT = env.int("DB_STATEMENT_TIMEOUT", default=15000)
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        part
        for part in (
            _options.get("options", ""),
            f"-c lock_timeout={DB_LOCK_TIMEOUT}",
            f"-c statement_timeout={DB_STATEMENT_TIMEOUT}",
        )
        if part
    )

# --- Accounts ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailOrPhoneBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
# A password-reset link works once and for one day (Django's default is three).
PASSWORD_RESET_TIMEOUT = 24 * 3600
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language, time, formats -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Django's own vi formats neither group thousands nor read 09/03/2026 as 9 March: ours do.
FORMAT_MODULE_PATH = ["khuyencong.formats"]
USE_THOUSAND_SEPARATOR = True

# --- Static and media files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# The user guides' screenshots (docs/huong-dan/anh/) are served as /static/huong-dan/… (khuyencong.guides).
STATICFILES_DIRS = [BASE_DIR / "static", ("huong-dan", BASE_DIR / "docs" / "huong-dan" / "anh")]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=20 * 1024 * 1024)
# The national root certificates (PEM or DER: a file, or a folder of them) against which the digital
# signatures of the units' signed reports are checked (reports.signatures). Unset: the page shows
# the certificate chain as "chưa kiểm tra" and never as trusted.
UNIT_REPORT_TRUST_ROOTS = env.str("UNIT_REPORT_TRUST_ROOTS", default="")
WHITENOISE_USE_FINDERS = LOCAL
WHITENOISE_AUTOREFRESH = LOCAL
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email -------------------------------------------------------------------------------------
# EMAIL_URL such as smtp+tls://user:password@mail.example.gov.vn:587; the console by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Khuyến công Hưng Yên <khuyencong@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds the SMTP backend waits for the mail server (connect and each reply). Mail is sent by a
# Celery task: with a broker no request waits for it; run eagerly (no REDIS_URL) a stalled server
# costs a request at most this long, then the delivery is logged as failed.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=5)

# --- Cache -------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Celery ------------------------------------------------------------------------------------
# Without REDIS_URL jobs run eagerly in-process, so the embedded default works alone.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Time limits (seconds): at the soft limit the task is told (SoftTimeLimitExceeded) and a job
# marks its row failed; at the hard limit the worker process is killed. Document jobs (compiled
# reports, exports) get the longer pair, set on their tasks.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
DOCUMENT_JOB_SOFT_TIME_LIMIT = env.int("DOCUMENT_JOB_SOFT_TIME_LIMIT", default=15 * 60)
DOCUMENT_JOB_TIME_LIMIT = env.int("DOCUMENT_JOB_TIME_LIMIT", default=16 * 60)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic jobs, declared here; beat copies them into django-celery-beat's tables.
CELERY_BEAT_SCHEDULE = {
    # every day at 02:30: delete import previews that were never confirmed
    "purge-import-drafts": {
        "task": "core.tasks.purge_import_drafts",
        "schedule": crontab(hour=2, minute=30),
    },
    # every 15 minutes: mark failed the background files whose worker died mid-way
    "fail-stale-file-jobs": {
        "task": "core.tasks.fail_stale_file_jobs",
        "schedule": crontab(minute="*/15"),
    },
    # every day at 07:00 (province time): remind the units that have not sent their yearly report
    # at the period's offsets, and the staff digest of the last week (reports.reminders)
    "remind-unit-reports": {
        "task": "reports.tasks.remind_unit_reports",
        "schedule": crontab(hour=7, minute=0),
    },
    # every day at 07:00 (province time): remind staff 14, 7 and 1 days before the KCQG plan
    # calendar's deadlines (Sở 20/05, ministry 15/06) while next year's KCQG plan is not submitted
    "remind-kcqg-plan": {
        "task": "programmes.tasks.remind_kcqg_plan",
        "schedule": crontab(hour=7, minute=0),
    },
    # every 5 minutes: compiled reports whose worker died are failed, and those whose task could
    # not be sent (broker down) are sent again (reports.yearly_jobs)
    "watch-generated-reports": {
        "task": "reports.tasks.watch_generated_reports",
        "schedule": crontab(minute="*/5"),
    },
    # every day at 07:10: the yearly report's first draft the day after the units' deadline, and
    # the leaders' reminder before the province deadline
    "yearly-report-drafts-and-reminders": {
        "task": "reports.tasks.yearly_report_drafts_and_reminders",
        "schedule": crontab(hour=7, minute=10),
    },
}

# --- Import / export ---------------------------------------------------------------------------
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# A list's export of more rows than this is built by the worker (core.exports): written in the
# request it costs about 0.6 ms a row, and 100,000 rows outlived gunicorn's 30 s timeout.
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=2000)
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
# An import upload (ours and the admin's) above this is refused before it is read.
IMPORT_MAX_UPLOAD_SIZE = env.int("IMPORT_MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Reverse proxies in front of the portal (nginx…) that append the client's address to
# X-Forwarded-For; 0 means clients connect directly. Per-visitor limits (the public request
# lookup) count the address the nearest trusted proxy saw, not the proxy's own.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts only from the portal's own files (the vendored
# Bootstrap and htmx; no template has inline code). Styles may be inline: Bootstrap and htmx set
# style attributes and the server-side SVG charts carry a <style> element.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features the portal never uses, off for it and anything it embeds (Permissions-Policy).
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
]
if not LOCAL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging -----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every PDF at INFO ("Step 1 - Fetching…"): keep their warnings only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # In-process jobs (the embedded default) would print "Task … succeeded" for every e-mail into
    # the page's console and `make run`'s setup output; a real worker keeps its own task log.
    LOGGING["loggers"].update({"celery.app.trace": {"level": "WARNING"}, "kombu": {"level": "ERROR"}})

if not LOCAL and USING_SQLITE:
    import warnings

    warnings.warn(
        "Production mode on SQLite: set DATABASE_URL to a PostgreSQL database.", RuntimeWarning, stacklevel=1
    )

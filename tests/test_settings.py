import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROD_SECRET = "x7#pQ2-mVz9!kL4$wR8@tN1^bC6&hJ3*fG5(dS0)aE_yU+iO-pK"


def _run(args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_DEBUG",
            "DJANGO_ENV",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "CONN_MAX_AGE",
        }
    }
    env.update({"DJANGO_SETTINGS_MODULE": "khuyencong.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key():
    result = _run(["manage.py", "check"], ALLOWED_HOSTS="khuyencong.hungyen.gov.vn")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _run(["manage.py", "check"], SECRET_KEY=PROD_SECRET)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=PROD_SECRET,
        ALLOWED_HOSTS="khuyencong.hungyen.gov.vn",
        DATABASE_URL="postgres://khuyencong@127.0.0.1:5432/khuyencong",
        REDIS_URL="redis://127.0.0.1:6379/0",  # a check names it, never connects
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_a_shared_cache_in_production():
    """Without Redis each gunicorn worker counts failed sign-ins on its own (issue 10, item 8)."""
    result = _run(
        ["manage.py", "check", "--deploy"],
        SECRET_KEY=PROD_SECRET,
        ALLOWED_HOSTS="khuyencong.hungyen.gov.vn",
        DATABASE_URL="postgres://khuyencong@127.0.0.1:5432/khuyencong",
        REDIS_URL="",
    )
    assert "khuyencong.W002" in result.stdout + result.stderr
    assert "REDIS_URL" in result.stdout + result.stderr


def test_check_deploy_warns_about_sqlite_in_production():
    result = _run(
        ["manage.py", "check", "--deploy"],
        SECRET_KEY=PROD_SECRET,
        ALLOWED_HOSTS="khuyencong.hungyen.gov.vn",
        DATABASE_URL="sqlite:////tmp/khuyencong-deploy-check.sqlite3",
    )
    assert "khuyencong.W001" in result.stdout + result.stderr


def test_development_defaults_need_nothing():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.LANGUAGE_CODE, s.TIME_ZONE, s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)",
        ],
        DATABASE_URL="",
        REDIS_URL="",
        DJANGO_ENV="local",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["vi", "Asia/Ho_Chi_Minh", "True", "False"]


def test_a_host_that_sets_nothing_runs_as_production():
    """DEBUG off and the development key refused: a forgotten variable never serves debug pages."""
    result = _run(["manage.py", "check"], ALLOWED_HOSTS="khuyencong.hungyen.gov.vn")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_refused_in_production():
    result = _run(
        ["manage.py", "check"],
        DJANGO_DEBUG="1",
        SECRET_KEY=PROD_SECRET,
        ALLOWED_HOSTS="khuyencong.hungyen.gov.vn",
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG=1 is for DJANGO_ENV=local only" in result.stderr


def test_database_connections_are_persistent_with_health_checks():
    """Issue 14: a connection per request cost about 13 ms; production keeps it for 60 s and
    checks it at the start of each request; CONN_MAX_AGE=0 still turns it off."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    prod = {"SECRET_KEY": PROD_SECRET, "ALLOWED_HOSTS": "khuyencong.hungyen.gov.vn"}
    url = "postgres://khuyencong@127.0.0.1:5432/khuyencong"
    result = _run(["-c", code], DATABASE_URL=url, **prod)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True"]
    result = _run(["-c", code], DATABASE_URL=url, CONN_MAX_AGE="0", **prod)
    assert result.stdout.split() == ["0", "True"]


def test_templates_are_compiled_once_per_process():
    """Issue 14 item 5: rendering was 29% of a list request; Django's cached loader (on whenever
    TEMPLATES sets no `loaders`) keeps each compiled template for the life of the process."""
    from django.template import engines
    from django.template.loaders.cached import Loader

    engine = engines["django"].engine
    loaders = engine.template_loaders
    assert len(loaders) == 1 and isinstance(loaders[0], Loader)
    assert [type(loader).__module__ for loader in loaders[0].loaders] == [
        "django.template.loaders.filesystem",
        "django.template.loaders.app_directories",
    ]
    first = engine.get_template("base.html")
    assert engine.get_template("base.html") is first  # the second lookup compiles nothing

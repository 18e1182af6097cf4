"""docs/deployment.md stays true to the code: every environment variable the settings read is in its
table, every sample file and script it names exists, and nginx's body limit lets the largest
accepted upload through."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "deployment.md"


def _settings_variables():
    source = (ROOT / "khuyencong" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"env\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def test_every_environment_variable_of_the_settings_is_documented():
    variables = _settings_variables()
    assert {"DJANGO_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"} <= variables
    guide = GUIDE.read_text(encoding="utf-8")
    table_rows = [line for line in guide.splitlines() if line.startswith("| `")]
    documented = {
        name for row in table_rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])
    }
    assert variables - documented == set(), "add these to the table of docs/deployment.md"


def test_the_files_the_guide_names_exist():
    guide = GUIDE.read_text(encoding="utf-8")
    named = set(re.findall(r"((?:docs/deploy|scripts)/[\w.-]+\.(?:service|timer|conf|example|sh))", guide))
    assert {"scripts/backup.sh", "scripts/restore.sh", "docs/deploy/nginx-khuyencong.conf"} <= named
    assert [path for path in sorted(named) if not (ROOT / path).is_file()] == []


def test_nginx_accepts_the_largest_upload_the_portal_accepts():
    conf = (ROOT / "docs" / "deploy" / "nginx-khuyencong.conf").read_text(encoding="utf-8")
    megabytes = int(re.search(r"client_max_body_size\s+(\d+)m;", conf).group(1))
    assert megabytes * 1024 * 1024 > settings.MAX_UPLOAD_SIZE
    assert megabytes * 1024 * 1024 > settings.IMPORT_MAX_UPLOAD_SIZE
    assert "location /media/ {\n        return 404;" in conf  # uploads only through the portal's views


def test_the_sample_units_run_the_portal_from_the_shared_environment_file():
    for unit in ("khuyencong-web", "khuyencong-worker", "khuyencong-beat"):
        text = (ROOT / "docs" / "deploy" / f"{unit}.service").read_text(encoding="utf-8")
        assert "EnvironmentFile=/etc/khuyencong.env" in text
        assert "ExecStart=/srv/khuyencong/.venv/bin/" in text

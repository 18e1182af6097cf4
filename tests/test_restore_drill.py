"""The restore drill of docs/deployment.md, run for real: committed data and uploaded files are backed
up with scripts/backup.sh, restored with scripts/restore.sh into a NEW database and a new media
folder, and the copy is compared with the original table by table (row count and an MD5 of every
row's text in a fixed order), sequence by sequence, and file by file (SHA-256).

PostgreSQL only (pg_dump/pg_restore): on SQLite the test skips, unless REQUIRE_SERVICES=1 (CI),
where it fails."""

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from accounts.roles import Role
from tests.conftest import need
from tests.factories import ApplicantFactory, UserFactory, advance_project, make_project

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # seconds for each script: a few MB here, minutes only for a real portal's years


def _require_postgresql():
    missing = None
    if connection.vendor != "postgresql":
        missing = "the restore drill needs PostgreSQL (set DATABASE_URL)"
    elif not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        missing = "pg_dump, pg_restore or psql is not installed (Debian package postgresql-client)"
    need(missing is None, missing)


def _url(name):
    """A libpq URL for database `name` with the test connection's credentials."""
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        credentials += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{name}"


def _table_fingerprints(url):
    """{table: (rows, md5 of all rows' text in the order of that text)} and {sequence: last value}."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        fingerprints = {}
        for table in tables:
            fingerprints[table] = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: S608 (names read from pg_tables)
            ).fetchone()
        sequences = dict(
            conn.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        )
    return fingerprints, sequences


def _file_digests(folder):
    folder = Path(folder)
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _run(script, *args, env):
    result = subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{script} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _make_data(media):
    """Committed rows across the apps (users, applicants, projects walked through the workflow with
    their history) and uploaded files with non-ASCII names in nested folders."""
    staff = UserFactory(roles=[Role.STAFF])
    leader = UserFactory(roles=[Role.LEADER])
    for _ in range(3):
        ApplicantFactory()
    project = make_project(staff)
    advance_project(leader, project, "approved")
    make_project(staff)
    (media / "documents" / "2026").mkdir(parents=True)
    (media / "documents" / "2026" / "quyết-định-18.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(4096))
    (media / "signed" / "bao-cao.png").parent.mkdir(parents=True)
    (media / "signed" / "bao-cao.png").write_bytes(os.urandom(2048))


@pytest.fixture
def restore_database():
    """A new, empty database of a unique name, dropped at the end whatever happens."""
    _require_postgresql()
    name = f"kc_restore_drill_{uuid.uuid4().hex[:12]}"
    admin_url = _url(connection.settings_dict["NAME"])
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_new_database_with_the_same_rows_and_files(
    committed_reference, settings, tmp_path, restore_database
):
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    _make_data(media)
    source_url = _url(connection.settings_dict["NAME"])
    target_url = _url(restore_database)
    restored_media = tmp_path / "restored-media"

    output = _run(
        "backup.sh", str(tmp_path / "backups"), env={"DATABASE_URL": source_url, "MEDIA_ROOT": str(media)}
    )
    backup = Path(output.strip().splitlines()[-1])
    assert sorted(p.name for p in backup.iterdir()) == ["SHA256SUMS", "db.dump", "media.tar.gz"]
    assert not list((tmp_path / "backups").glob("*.partial"))

    _run("restore.sh", str(backup), env={"DATABASE_URL": target_url, "MEDIA_ROOT": str(restored_media)})

    original, original_sequences = _table_fingerprints(source_url)
    restored, restored_sequences = _table_fingerprints(target_url)
    assert original["projects_project"][0] == 2
    assert original["applicants_applicant"][0] >= 3
    assert original["programmes_administrativeunit"][0] > 100
    assert {t for t, (rows, _) in original.items() if rows} >= {
        "accounts_user",
        "projects_project",
        "django_migrations",
    }
    assert restored == original  # every table: same rows, same content
    assert restored_sequences == original_sequences  # a new row after the restore takes a fresh id
    assert _file_digests(restored_media) == _file_digests(media)
    assert {"documents/2026/quyết-định-18.pdf", "signed/bao-cao.png"} <= set(_file_digests(media))


def test_restore_refuses_a_database_that_is_not_empty(committed_reference, settings, tmp_path):
    """Restoring over the live database by mistake is refused before anything is written."""
    _require_postgresql()
    source_url = _url(connection.settings_dict["NAME"])
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    output = _run(
        "backup.sh", str(tmp_path / "b"), env={"DATABASE_URL": source_url, "MEDIA_ROOT": str(media)}
    )
    backup = output.strip().splitlines()[-1]
    before, _ = _table_fingerprints(source_url)
    result = subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), backup],
        env={**os.environ, "DATABASE_URL": source_url, "MEDIA_ROOT": str(tmp_path / "m")},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    assert "trống" in result.stderr
    assert _table_fingerprints(source_url)[0] == before

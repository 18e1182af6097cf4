import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

SEARCHED_TABLES = [
    "accounts_user",
    "programmes_administrativeunit",
    "applicants_applicant",
    "applicants_supportrequest",
    "projects_project",
]


def _trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'")
        return {table for table, _definition in cursor.fetchall()}


def test_search_columns_have_trigram_indexes_where_the_database_has_them():
    """On PostgreSQL (CI, production) every folded search column has a pg_trgm GIN index; SQLite has
    no such index type and the migration leaves it alone."""
    if connection.vendor == "postgresql":
        assert set(SEARCHED_TABLES) <= _trigram_indexes()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE '%_trgm'")
            assert cursor.fetchone()[0] == 0

"""Database pieces that only PostgreSQL has, as migration operations that do nothing elsewhere."""

from django.db import migrations


def trigram_index(table, column="search_text"):
    """A pg_trgm GIN index on a folded text column, so that `LIKE '%word%'` searches use an index on
    PostgreSQL (design: search is a column folded in Python, because unaccent() is not IMMUTABLE).
    SQLite has no such index and needs none at the sizes it serves."""
    name = f"{table}_{column}_trgm"[:63]

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards, elidable=False)

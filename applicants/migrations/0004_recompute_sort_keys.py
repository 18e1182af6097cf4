"""Recompute the applicant name key with core.text.sort_key, the portal's one database sort key,
so that rows written before the key was shared sort like new ones."""

from django.db import migrations

from core.text import sort_key


def recompute(apps, schema_editor):
    Applicant = apps.get_model("applicants", "Applicant")
    rows = list(Applicant.objects.only("pk", "name", "sort_key"))
    for applicant in rows:
        applicant.sort_key = sort_key(applicant.name)
    Applicant.objects.bulk_update(rows, ["sort_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0003_search_trigram"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]

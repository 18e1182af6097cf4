"""The project title key changed to core.text.sort_key (the applicant key's format): recompute it
for existing projects, or /de-an/?sort=title mixes the two formats."""

from django.db import migrations

from core.text import sort_key


def recompute(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    rows = list(Project.objects.only("pk", "title", "sort_key"))
    for project in rows:
        project.sort_key = sort_key(project.title)
    Project.objects.bulk_update(rows, ["sort_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_rule_history_output_indicator"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]

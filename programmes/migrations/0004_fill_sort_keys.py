"""Fill the new sort_key of communes and reporting units with core.text.sort_key, the portal's one
database sort key, so existing rows follow Vietnamese order too (new rows get it on save)."""

from django.db import migrations

from core.text import sort_key


def fill(apps, schema_editor):
    AdministrativeUnit = apps.get_model("programmes", "AdministrativeUnit")
    ReportingUnit = apps.get_model("programmes", "ReportingUnit")
    communes = list(AdministrativeUnit.objects.all())
    for commune in communes:
        commune.sort_key = sort_key(commune.name)
    AdministrativeUnit.objects.bulk_update(communes, ["sort_key"], batch_size=500)
    units = list(ReportingUnit.objects.select_related("commune"))
    for unit in units:
        unit.sort_key = sort_key(unit.commune.name if unit.commune_id else unit.name)
    ReportingUnit.objects.bulk_update(units, ["sort_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0003_indicator_rule_history_sort_keys"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

from django.db import migrations, models

# The free-text cap units of support-rules.csv mapped to the fixed set (as programmes.reference
# maps them on load); a value already in the set stays, anything else unknown becomes "project".
CAP_UNITS = {
    "per model": "model",
    "per facility": "facility",
    "per enterprise": "facility",
    "per association": "facility",
    "per booth": "facility",
    "per product": "facility",
    "per trademark": "trademark",
    "per round": "round",
    "per fair": "project",
    "per cluster": "project",
    "per linkage cluster": "project",
    "per person": "project",
    "% of contracted support": "",
    "% of yearly allocation": "",
    "% of project budget": "",
    "times the normal ceiling": "",
    "": "",
}
FIXED = {"facility", "model", "trademark", "round", "project"}


def to_fixed_set(apps, schema_editor):
    for name in ("SupportRule", "HistoricalSupportRule"):
        model = apps.get_model("programmes", name)
        for value in set(model.objects.values_list("cap_unit", flat=True)):
            key = (value or "").strip().lower()
            new = key if key in FIXED else CAP_UNITS.get(key, "project")
            if new != value:
                model.objects.filter(cap_unit=value).update(cap_unit=new)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0005_approval_rules_issuers_rule_scope"),
    ]

    operations = [
        migrations.RunPython(to_fixed_set, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalsupportrule",
            name="cap_unit",
            field=models.CharField(
                blank=True,
                choices=[
                    ("facility", "cơ sở"),
                    ("model", "mô hình"),
                    ("trademark", "nhãn hiệu"),
                    ("round", "kỳ bình chọn"),
                    ("project", "đề án"),
                ],
                max_length=20,
                verbose_name="mức tối đa tính cho",
            ),
        ),
        migrations.AlterField(
            model_name="supportrule",
            name="cap_unit",
            field=models.CharField(
                blank=True,
                choices=[
                    ("facility", "cơ sở"),
                    ("model", "mô hình"),
                    ("trademark", "nhãn hiệu"),
                    ("round", "kỳ bình chọn"),
                    ("project", "đề án"),
                ],
                max_length=20,
                verbose_name="mức tối đa tính cho",
            ),
        ),
    ]

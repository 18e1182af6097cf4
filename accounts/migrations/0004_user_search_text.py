from django.db import migrations, models

from core.text import search_text


def fill_search_text(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.all():
        user.search_text = search_text(user.full_name, user.email, user.phone)
        user.save(update_fields=["search_text"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_notification")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]

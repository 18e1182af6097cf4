from django.db import migrations

from core.db import trigram_index


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [
        trigram_index("programmes_administrativeunit"),
    ]

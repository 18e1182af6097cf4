from django.db import migrations

from core.db import trigram_index


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_required_document_unique_plain")]
    operations = [
        trigram_index("projects_project"),
    ]

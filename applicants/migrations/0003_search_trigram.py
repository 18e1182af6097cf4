from django.db import migrations

from core.db import trigram_index


class Migration(migrations.Migration):
    dependencies = [("applicants", "0002_review_and_duplicates")]
    operations = [
        trigram_index("applicants_applicant"),
        trigram_index("applicants_supportrequest"),
    ]

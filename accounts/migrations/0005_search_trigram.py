from django.db import migrations

from core.db import trigram_index


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_search_text")]
    operations = [
        trigram_index("accounts_user"),
    ]

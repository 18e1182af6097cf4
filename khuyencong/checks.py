from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.database, deploy=True)
def production_database(app_configs, **kwargs):
    """Production on SQLite loses data under concurrent writes: say so in check --deploy."""
    if settings.USING_SQLITE:
        return [
            Warning(
                "Production is running on SQLite.",
                hint="Set DATABASE_URL to a PostgreSQL database.",
                id="khuyencong.W001",
            )
        ]
    return []

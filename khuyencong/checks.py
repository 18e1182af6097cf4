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


@register(Tags.caches, deploy=True)
def production_shared_cache(app_configs, **kwargs):
    """The sign-in throttle counts in the cache: without a shared one (Redis) each gunicorn worker
    keeps its own count, so five wrong passwords become five per worker."""
    if not settings.LOCAL and not settings.REDIS_URL:
        return [
            Warning(
                "Production has no shared cache: each worker counts failed sign-ins on its own.",
                hint="Set REDIS_URL (production requires Redis for the throttle and the job queue).",
                id="khuyencong.W002",
            )
        ]
    return []

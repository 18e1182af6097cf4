import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import throttle


def _database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means the database does not answer
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _broker_state():
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError as exc:
        return {"ok": False, "mode": "redis", "error": exc.__class__.__name__}
    return {"ok": True, "mode": "redis"}


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers (the broker's and the cache's states are reported, not
    required: without the cache the throttle counts in the database)."""
    database = _database_state()
    broker = _broker_state()
    cache = throttle.cache_state()
    healthy = database["ok"] and broker["ok"] and cache["ok"]
    status = "ok" if healthy else ("degraded" if database["ok"] else "down")
    return JsonResponse(
        {"status": status, "database": database, "broker": broker, "cache": cache},
        status=200 if database["ok"] else 503,
    )

"""The one throttle: a fixed-window counter in the cache (Redis in production, shared by every web
process). A window opens with the first event under a key and closes `window` seconds later,
whatever happens in between; its counter expires with it.

When the cache does not answer (Redis stopped, a wrong REDIS_URL) the same windows are counted in
the database (`ThrottleCounter`) with a logged warning: sign-in, the public lookup and password
resets keep working and floods are still refused. Should the database fail as well, the event is
allowed (and logged): a throttle must never be the reason nobody can sign in."""

import datetime
import logging
import math
import time

from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def _since(key: str) -> str:
    return f"{key}:since"


def _cache_down(exc: Exception) -> None:
    logger.warning("throttle: the cache does not answer (%s); counting in the database", type(exc).__name__)


# --- The database's windows (the cache is down) -----------------------------------------------


def _row(key):
    from .models import ThrottleCounter

    return ThrottleCounter.objects.select_for_update().filter(key=key[:200]).first()


def _db_count(key: str, window: int) -> int:
    from .models import ThrottleCounter

    now = timezone.now()
    try:
        with transaction.atomic():
            row = _row(key)
            if row is None:
                ThrottleCounter.objects.create(key=key[:200], count=1, since=now)
                return 1
            if row.since + datetime.timedelta(seconds=window) <= now:
                row.count, row.since = 1, now
            else:
                row.count += 1
            row.save(update_fields=["count", "since"])
            return row.count
    except IntegrityError:  # another process opened the window at the same moment
        return _db_count(key, window)
    except DatabaseError:
        logger.warning("throttle: neither the cache nor the database answers; %s allowed", key)
        return 0


def _db_seconds_left(key: str, limit: int, window: int) -> int | None:
    from .models import ThrottleCounter

    try:
        row = ThrottleCounter.objects.filter(key=key[:200]).first()
    except DatabaseError:
        return None
    if row is None or row.count < limit:
        return None
    left = (row.since + datetime.timedelta(seconds=window) - timezone.now()).total_seconds()
    return None if left <= 0 else max(1, math.ceil(left))


def _db_clear(key: str) -> None:
    from .models import ThrottleCounter

    try:
        ThrottleCounter.objects.filter(key=key[:200]).delete()
    except DatabaseError:
        pass


# --- The public functions ---------------------------------------------------------------------


def _cache_count(key: str, window: int) -> int:
    if cache.add(key, 1, window):
        cache.set(_since(key), time.time(), window)
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this event opens a new window
        cache.set(key, 1, window)
        cache.set(_since(key), time.time(), window)
        return 1


def count(key: str, *, window: int) -> int:
    """Count one event under `key` and return how many the current window holds."""
    try:
        return _cache_count(key, window)
    except Exception as exc:  # redis' ConnectionError, TimeoutError…: any failure of the cache
        _cache_down(exc)
        return _db_count(key, window)


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one event; True while the window holds no more than `limit` of them."""
    return count(key, window=window) <= limit


def seconds_left(key: str, *, limit: int, window: int) -> int | None:
    """None while `key` has had fewer than `limit` events in its window, else the seconds until the
    window closes (at least 1)."""
    try:
        if cache.get(key, 0) < limit:
            return None
        since = cache.get(_since(key)) or time.time()
    except Exception as exc:
        _cache_down(exc)
        return _db_seconds_left(key, limit, window)
    return max(1, math.ceil(since + window - time.time()))


def minutes_left(key: str, *, limit: int, window: int) -> int | None:
    """`seconds_left` in whole minutes, rounded up (what a message tells a person to wait)."""
    seconds = seconds_left(key, limit=limit, window=window)
    return None if seconds is None else max(1, math.ceil(seconds / 60))


def clear(key: str) -> None:
    """Close the window of `key` (a right password ends the count of its login)."""
    try:
        cache.delete_many([key, _since(key)])
    except Exception as exc:
        _cache_down(exc)
        _db_clear(key)


def cache_state() -> dict:
    """Whether the cache the throttle counts in answers (for the health page)."""
    try:
        cache.get("healthz:probe")
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__, "fallback": "database"}
    return {"ok": True}

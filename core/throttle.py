"""The one throttle: a fixed-window counter in the cache (Redis in production, shared by every web
process). A window opens with the first event under a key and closes `window` seconds later,
whatever happens in between; its counter expires with it."""

import math
import time

from django.core.cache import cache


def _since(key: str) -> str:
    return f"{key}:since"


def count(key: str, *, window: int) -> int:
    """Count one event under `key` and return how many the current window holds."""
    if cache.add(key, 1, window):
        cache.set(_since(key), time.time(), window)
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this event opens a new window
        cache.set(key, 1, window)
        cache.set(_since(key), time.time(), window)
        return 1


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one event; True while the window holds no more than `limit` of them."""
    return count(key, window=window) <= limit


def seconds_left(key: str, *, limit: int, window: int) -> int | None:
    """None while `key` has had fewer than `limit` events in its window, else the seconds until the
    window closes (at least 1)."""
    if cache.get(key, 0) < limit:
        return None
    since = cache.get(_since(key)) or time.time()
    return max(1, math.ceil(since + window - time.time()))


def minutes_left(key: str, *, limit: int, window: int) -> int | None:
    """`seconds_left` in whole minutes, rounded up (what a message tells a person to wait)."""
    seconds = seconds_left(key, limit=limit, window=window)
    return None if seconds is None else max(1, math.ceil(seconds / 60))


def clear(key: str) -> None:
    """Close the window of `key` (a right password ends the count of its login)."""
    cache.delete_many([key, _since(key)])

"""Figures kept in the cache that a page can also compute: `kept(key, compute, seconds)` is the
cache's get_or_set, except that a cache that does not answer (Redis down) costs the computation,
never the page (issue 15 item 4); `forget(key)` drops one when what it was computed from changes."""

import logging

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def cache_down(exc: Exception) -> None:
    logger.warning("the cache does not answer (%s): figures computed, not kept", type(exc).__name__)


def kept(key: str | None, compute, seconds: int):
    """The value under `key`, computed and kept for `seconds` when missing; `key` None: computed."""
    if key is None:
        return compute()
    try:
        value = cache.get(key)
    except Exception as exc:  # redis' ConnectionError, TimeoutError…: any failure of the cache
        cache_down(exc)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except Exception as exc:  # noqa: BLE001 (as above)
            cache_down(exc)
    return value


def forget(key: str) -> None:
    """Drop what is kept under `key` now, and again once the current transaction commits: a
    request that reads the old rows meanwhile does not keep them past the change."""

    def drop():
        try:
            cache.delete(key)
        except Exception as exc:  # the cache is down: what it kept is unreachable too
            cache_down(exc)

    drop()
    transaction.on_commit(drop)

"""The version of the programme's figures: bumped after a change that moves them, so that the
figures kept in the cache (the home page's target progress and public figures, reports.home; the
dashboard; a commune's pre-filled report) are computed again at the next visit instead of after
their few minutes (issues 14 and 15). reports.figures_watch bumps it on every write to the
programme's data (and a second version, REPORTING_VERSION_KEY, on the unit reports' own writes,
which the pre-filled figures do not read): steps, adjustments and imports save the rows it
watches, so they need no call of their own."""

from django.core.cache import cache

from core.kept import cache_down

FIGURES_VERSION_KEY = "projects:figures-version"
REPORTING_VERSION_KEY = "reports:figures-version"


def figures_version(key: str = FIGURES_VERSION_KEY) -> int | None:
    """The current version; None when the cache does not answer (nothing is kept then)."""
    try:
        return cache.get_or_set(key, 1, None)
    except Exception as exc:  # redis' ConnectionError, TimeoutError…
        cache_down(exc)
        return None


def bump_now(key: str = FIGURES_VERSION_KEY) -> None:
    """The figures kept under `key`'s version are stale from now."""
    try:
        try:
            cache.incr(key)
        except ValueError:  # not in the cache (evicted, or a new cache): any new value will do
            cache.set(key, 2, None)
    except Exception as exc:  # the cache is down: what it keeps is unreachable too
        cache_down(exc)

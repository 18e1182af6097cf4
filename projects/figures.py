"""The version of the programme's figures: bumped after a change that moves them (a project's
step, an adjustment, an import of past projects), so that the figures kept in the cache (the home
page's target progress and public figures, reports.home) are computed again at the next visit
instead of after their five minutes (issue 14). Read by reports; projects only bump it."""

from django.core.cache import cache
from django.db import transaction

FIGURES_VERSION_KEY = "projects:figures-version"


def figures_version() -> int:
    return cache.get_or_set(FIGURES_VERSION_KEY, 1, None)


def _bump() -> None:
    try:
        cache.incr(FIGURES_VERSION_KEY)
    except ValueError:  # not in the cache (evicted, or a new cache): any new value will do
        cache.set(FIGURES_VERSION_KEY, 2, None)


def figures_changed() -> None:
    """Once the current transaction commits, the kept figures are stale."""
    transaction.on_commit(_bump)

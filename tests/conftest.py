import os

import pytest

from programmes.reference import load_reference
from projects.reference import load_project_reference


def _quiet(_message):
    pass


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (the tests' in-memory one): counters such as failed
    sign-ins per address must not carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database gets the reference data once, as `make run` does."""
    with django_db_blocker.unblock():
        load_reference(log=_quiet)
        load_project_reference(log=_quiet)


@pytest.fixture
def committed_reference(transactional_db):
    """Transactional tests (browser, worker) run last and start from a flushed database."""
    from programmes.models import Programme

    if not Programme.objects.exists():
        load_reference(log=_quiet)
        load_project_reference(log=_quiet)


@pytest.fixture
def programme(db):
    from programmes.models import Programme

    return Programme.objects.get(is_current=True)


def require_services():
    return os.environ.get("REQUIRE_SERVICES") == "1"


def need(condition, message):
    """A test that needs a service (PostgreSQL, Redis, a binary) the laptop's `make test` may lack:
    skipped there, a failure under REQUIRE_SERVICES=1 (CI), so that nothing is skipped in CI."""
    if condition:
        return
    if require_services():
        pytest.fail(f"{message}; REQUIRE_SERVICES=1 makes this a failure")
    pytest.skip(f"{message} (REQUIRE_SERVICES=1 makes this a failure)")


@pytest.fixture(autouse=True)
def _media_per_test(settings, tmp_path):
    """Every test stores its uploads and import drafts in its own temporary folder: no test sees
    another's files, and parallel workers (-n 2) never share one."""
    settings.MEDIA_ROOT = tmp_path / "media"

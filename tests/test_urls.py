import importlib

import pytest
from django.urls import Resolver404, clear_url_caches, resolve


@pytest.fixture
def urls_in_debug(settings):
    """The URL configuration as `make run` builds it (DEBUG on)."""
    settings.DEBUG = True
    module = importlib.reload(importlib.import_module("khuyencong.urls"))
    yield module
    settings.DEBUG = False
    importlib.reload(module)
    clear_url_caches()


def test_uploaded_files_are_never_served_by_path(urls_in_debug, settings):
    """Documents and import drafts live under MEDIA_ROOT; only scoped views hand them out."""
    for path in [f"{settings.MEDIA_URL}projects/x.pdf", f"{settings.MEDIA_URL}imports/token.json"]:
        with pytest.raises(Resolver404):
            resolve(path, urlconf=urls_in_debug)

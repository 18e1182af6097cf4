from django.conf import settings
from django.urls import Resolver404, resolve


def test_uploaded_files_are_never_served_by_path():
    """Documents and import drafts live under MEDIA_ROOT; only scoped views hand them out."""
    for path in [f"{settings.MEDIA_URL}projects/x.pdf", f"{settings.MEDIA_URL}imports/token.json"]:
        try:
            match = resolve(path)
        except Resolver404:
            continue
        raise AssertionError(f"{path} resolves to {match.func}")

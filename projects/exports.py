"""The project list's export as a background file above EXPORT_SYNC_MAX_ROWS rows (core.exports)."""

from django.utils import timezone

from core.exports import export_request, list_export

from .resources import EXPORT_HEADERS, export_rows
from .selectors import project_listing

PROJECT_EXPORT = "projects.export"
SHEET = "Đề án"


def project_export_file(queryset):
    """(file name, headers, rows) of the export of `queryset` (the filtered list)."""
    return f"de-an-{timezone.localdate():%Y%m%d}.xlsx", EXPORT_HEADERS, export_rows(queryset)


@list_export(PROJECT_EXPORT, sheet_title=SHEET)
def project_export(user, query):
    listing = project_listing(user, export_request(user, query.urlencode()))
    name, headers, rows = project_export_file(listing.queryset)
    return name, headers, listing.paginator.count, rows

"""The applicant and support-request lists' exports as background files above
EXPORT_SYNC_MAX_ROWS rows (core.exports)."""

from django.utils import timezone

from accounts.roles import is_staff_like
from core.exports import export_request, list_export
from core.listing import Listing

from . import selectors
from .resources import applicant_export_rows, request_export_rows

APPLICANT_EXPORT = "applicants.export"
REQUEST_EXPORT = "applicants.requests_export"
APPLICANT_SHEET = "Cơ sở"
REQUEST_SHEET = "Đề nghị hỗ trợ"


def applicant_list_listing(request) -> Listing:
    user = request.user
    return Listing(request, selectors.staff_applicant_list(user), **selectors.applicant_listing(user))


def applicant_export_file(user, queryset):
    """(file name, headers, rows) of the applicant export; personal ID numbers for staff only."""
    headers, rows = applicant_export_rows(queryset, with_personal_ids=is_staff_like(user))
    return f"co-so-{timezone.localdate():%Y%m%d}.xlsx", headers, rows


def request_list_listing(request) -> Listing:
    return Listing(request, selectors.request_list(request.user), **selectors.REQUEST_LISTING)


def request_export_file(queryset):
    headers, rows = request_export_rows(queryset)
    return f"de-nghi-{timezone.localdate():%Y%m%d}.xlsx", headers, rows


@list_export(APPLICANT_EXPORT, sheet_title=APPLICANT_SHEET)
def applicant_export(user, query):
    listing = applicant_list_listing(export_request(user, query.urlencode()))
    name, headers, rows = applicant_export_file(user, listing.queryset)
    return name, headers, listing.paginator.count, rows


@list_export(REQUEST_EXPORT, sheet_title=REQUEST_SHEET)
def request_export(user, query):
    listing = request_list_listing(export_request(user, query.urlencode()))
    name, headers, rows = request_export_file(listing.queryset)
    return name, headers, listing.paginator.count, rows

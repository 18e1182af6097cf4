"""Staff lists: diacritic-insensitive search, filters, whitelisted sorting and pagination, so that a
page and its export use exactly the same filtered queryset.

    listing = Listing(request, applicants_visible_to(user),
                      filters={"kind": "kind", "commune": "commune__code", "year": int_filter("year")},
                      sorts={"name": ("sort_key", "id"), "created": ("created_at", "id")},
                      default_sort="name")
    listing.queryset   # searched, filtered, sorted: what the export writes
    listing.page       # the current page (25 rows by default)

Search folds the query like the `search_text` column (core.text.fold) and requires every
word: "nghe nhan" finds "Nghệ nhân", "duc" finds "Đức".
"""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.utils.html import format_html_join

from .text import clean_text, fold

PER_PAGE = 25


def apply_search(queryset, query, field="search_text"):
    """Rows whose folded `field` contains every folded word of `query`."""
    for word in fold(query).split():
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset


def int_filter(lookup):
    """A filter on an integer field that ignores values that are not numbers."""

    def apply(queryset, value):
        try:
            return queryset.filter(**{lookup: int(value)})
        except (TypeError, ValueError):
            return queryset.none()

    return apply


def options_html(choices, selected=""):
    """The <option>s of a filter's <select> from (value, label) pairs, the `selected` value
    marked: one format_html per option instead of a template loop with a tag and a comparison per
    option (issue 14). Values compare as text, as they come from the query string."""
    return format_html_join(
        "",
        '<option value="{}" {}>{}</option>',
        ((value, "selected" if value == selected else "", label) for value, label in choices),
    )


class Listing:
    """Search (`q`), filters (named GET parameters), sort (`sort`, "-" prefix for descending) and
    page (`page`) of a queryset, read from `request.GET`.

    `filters` maps a GET parameter to a lookup ("commune__code") or to a callable (queryset, value)
    -> queryset. `sorts` maps a sort key to the order_by fields; anything else falls back to
    `default_sort`. `search` (queryset, query) -> queryset replaces the default search on
    `search_field` (e.g. to keep some users from finding rows by data they may not see)."""

    def __init__(
        self,
        request,
        queryset,
        *,
        filters=None,
        sorts=None,
        default_sort=None,
        search_field="search_text",
        search=None,
        per_page=PER_PAGE,
        totals=None,
    ):
        self.params = request.GET
        self.q = clean_text(self.params.get("q", ""))[:200]
        self.filters = filters or {}
        self.sorts = sorts or {}
        self.values = {}
        if self.q:
            queryset = search(queryset, self.q) if search else apply_search(queryset, self.q, search_field)
        for name, lookup in self.filters.items():
            value = clean_text(self.params.get(name, ""))
            if not value:
                continue
            self.values[name] = value
            try:
                queryset = lookup(queryset, value) if callable(lookup) else queryset.filter(**{lookup: value})
            except (ValueError, ValidationError):
                queryset = queryset.none()
        sort = self.params.get("sort", "") or (default_sort or "")
        key = sort.lstrip("-")
        if key not in self.sorts:
            sort = default_sort or ""
            key = sort.lstrip("-")
        self.sort = sort
        if key in self.sorts:
            fields = self.sorts[key]
            if sort.startswith("-"):
                fields = [f[1:] if f.startswith("-") else f"-{f}" for f in fields]
            queryset = queryset.order_by(*fields)
        self.queryset = queryset
        self.paginator = Paginator(queryset, per_page)
        self.totals = {}
        if totals:
            # `totals` ({name: aggregate}) of the filtered rows, counted in the same query.
            self.totals = queryset.order_by().aggregate(_rows=Count("pk"), **totals)
            self.paginator.count = self.totals.pop("_rows")
        self.page = self.paginator.get_page(self.params.get("page"))

    @property
    def rows(self):
        return self.page.object_list

    @property
    def is_filtered(self):
        return bool(self.q or self.values)

    def querystring(self, **changes):
        """The current query string with `changes` applied (a None value drops the parameter)."""
        params = {k: v for k, v in self.params.items() if v != ""}
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + urlencode(params) if params else "?"

    def page_url(self, number):
        return self.querystring(page=number)

    @property
    def previous_url(self):
        return self.page_url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self):
        return self.page_url(self.page.next_page_number()) if self.page.has_next() else ""

    @property
    def export_querystring(self):
        """The filters, search and sort of this page, without the page number, plus format=xlsx."""
        return self.querystring(page=None, format="xlsx")

    @property
    def sort_links(self):
        """{sort key: {"url", "active", "descending"}} for clickable column headers."""
        links = {}
        current = self.sort.lstrip("-")
        descending = self.sort.startswith("-")
        for key in self.sorts:
            active = key == current
            target = f"-{key}" if active and not descending else key
            links[key] = {
                "url": self.querystring(sort=target, page=None),
                "active": active,
                "descending": active and descending,
            }
        return links

    @property
    def wants_export(self):
        return self.params.get("format") == "xlsx"

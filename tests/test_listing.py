import pytest
from django.test import RequestFactory

from core.listing import Listing, apply_search, int_filter
from programmes.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def _listing(query="", **kwargs):
    request = RequestFactory().get("/x/" + query)
    return Listing(
        request,
        AdministrativeUnit.objects.all(),
        filters={"kind": "kind", "order": int_filter("national_order__gte")},
        sorts={"name": ("name", "id"), "code": ("code",)},
        default_sort="code",
        **kwargs,
    )


def test_search_ignores_case_and_diacritics_and_requires_every_word():
    names = set(apply_search(AdministrativeUnit.objects.all(), "PHO hien").values_list("name", flat=True))
    assert names == {"Phố Hiến"}
    assert apply_search(AdministrativeUnit.objects.all(), "pho hien zzz").count() == 0
    # "d" finds "đ": a plain-letter search reaches a name written with đ
    assert set(
        apply_search(AdministrativeUnit.objects.all(), "duong hao").values_list("name", flat=True)
    ) == {"Đường Hào"}
    assert "Đường Hào" in set(
        apply_search(AdministrativeUnit.objects.all(), "d").values_list("name", flat=True)
    )


def test_filters_sort_and_pagination():
    listing = _listing("?kind=phuong&sort=-name")
    assert listing.queryset.count() == 11
    names = [u.name for u in listing.queryset]
    assert names == sorted(names, reverse=True)
    assert listing.values == {"kind": "phuong"} and listing.is_filtered
    everything = _listing()
    assert everything.paginator.count == 104 and len(everything.rows) == 25
    assert everything.paginator.num_pages == 5
    last = _listing("?page=999")
    assert last.page.number == 5 and len(last.rows) == 4


def test_unknown_sort_and_bad_integer_filter_are_harmless():
    listing = _listing("?sort=password&order=abc")
    assert listing.sort == "code"
    assert listing.queryset.count() == 0
    assert _listing("?order=1").queryset.count() == 104


def test_querystring_helpers_keep_filters():
    listing = _listing("?kind=xa&q=tien&page=2&sort=name")
    assert listing.export_querystring == "?kind=xa&q=tien&sort=name&format=xlsx"
    assert listing.page_url(3) == "?kind=xa&q=tien&page=3&sort=name"
    links = listing.sort_links
    assert links["name"]["active"] and links["name"]["url"] == "?kind=xa&q=tien&sort=-name"
    assert not links["code"]["active"]
    assert listing.querystring(kind=None, page=None, q=None, sort=None) == "?"


def test_export_uses_exactly_the_filtered_queryset():
    listing = _listing("?q=tien&kind=xa&page=1")
    expected = set(
        AdministrativeUnit.objects.filter(kind="xa", search_text__contains="tien").values_list(
            "pk", flat=True
        )
    )
    assert expected and set(listing.queryset.values_list("pk", flat=True)) == expected


def test_list_issues_two_queries_whatever_the_size(django_assert_num_queries):
    with django_assert_num_queries(2):
        listing = _listing("?kind=xa")
        list(listing.rows)


def test_a_custom_search_replaces_the_default_one():
    seen = []

    def search(queryset, query):
        seen.append(query)
        return queryset.filter(code="11953")

    listing = _listing("?q=pho+hien", search=search)
    assert seen == ["pho hien"] and [u.code for u in listing.queryset] == ["11953"]
    assert _listing("?q=", search=search).queryset.count() > 1 and seen == ["pho hien"]

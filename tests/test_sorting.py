"""Vietnamese alphabetical order (a ă â b c d đ e ê …, a space before every letter) through the one
database key, core.text.sort_key: on the key itself, on project titles in the database and on
/de-an/?sort=title, and on the commune dropdowns. Byte order (what `order_by("name")` gives on
SQLite and on a C-collated PostgreSQL) gets every group below wrong, so each check can fail.

The key is plain text compared character by character, so SQLite and PostgreSQL order alike."""

import html
import importlib
import random
import re

import pytest
from django.apps import apps

from accounts.roles import Role
from core.text import sort_key
from programmes.models import AdministrativeUnit, ReportingUnit
from projects.models import Project
from tests.factories import UserFactory
from tests.projects.utils import make_project

pytestmark = pytest.mark.django_db

# Each group in Vietnamese dictionary order; all but the last are real communes of fixtures/communes.csv.
GROUPS = [
    ["Bắc Đông Hưng", "Bình Định", "Bình Nguyên", "Bình Thanh"],
    ["Hồng Châu", "Hưng Hà"],
    ["Tân Hưng", "Tiên Lữ", "Trà Lý", "Trần Lãm"],
    ["An Bình", "Anh Đào"],
]
COMMUNE_GROUPS = GROUPS[:3]


def _shuffled(names):
    names = list(names)
    random.Random(8).shuffle(names)
    return names


def _in_order_of(sequence, names):
    """The members of `names` in the order they appear in `sequence`."""
    return [item for item in sequence if item in names]


@pytest.mark.parametrize("group", GROUPS)
def test_the_key_sorts_in_vietnamese_order(group):
    assert sorted(_shuffled(group), key=sort_key) == group


@pytest.mark.parametrize("group", COMMUNE_GROUPS)
def test_byte_order_gets_the_commune_groups_wrong(group):
    """So the order checks below can fail: `order_by("name")` would not pass them."""
    assert sorted(group) != group


def test_a_space_sorts_before_every_letter():
    """A word ends before a longer one starts: "An Bình" before "Anh Đào" (the title key of the
    projects put them the other way before it became this one)."""
    assert sort_key("An Bình") < sort_key("Anh Đào")
    assert sort_key("An") < sort_key("An Bình") < sort_key("Anh")


def test_the_key_is_text_that_compares_like_the_names():
    keys = [sort_key(name) for name in GROUPS[0]]
    assert all(isinstance(key, str) for key in keys)
    assert keys == sorted(keys)


# --- projects ---------------------------------------------------------------------------------

TITLES = [f"{name} hỗ trợ máy" for group in GROUPS for name in group]


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.STAFF])


@pytest.fixture
def projects(staff):
    return [make_project(staff, title=title) for title in _shuffled(TITLES)]


def test_projects_sort_by_title_in_the_database(projects):
    ordered = list(Project.objects.order_by("sort_key", "id").values_list("title", flat=True))
    for group in GROUPS:
        titles = [f"{name} hỗ trợ máy" for name in group]
        assert _in_order_of(ordered, titles) == titles


def test_project_list_sorted_by_title(client, staff, projects):
    client.force_login(staff)
    response = client.get("/de-an/", {"sort": "title"})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    positions = {title: page.index(title) for title in TITLES}
    shown = sorted(TITLES, key=positions.get)
    assert _in_order_of(shown, ["An Bình hỗ trợ máy", "Anh Đào hỗ trợ máy"]) == [
        "An Bình hỗ trợ máy",
        "Anh Đào hỗ trợ máy",
    ]
    for group in GROUPS:
        titles = [f"{name} hỗ trợ máy" for name in group]
        assert _in_order_of(shown, titles) == titles


def test_migration_recomputes_the_keys_of_existing_projects(projects):
    Project.objects.update(sort_key="zzz")  # a key of another format, as rows written before
    migration = importlib.import_module("projects.migrations.0007_recompute_sort_keys")
    migration.recompute(apps, None)
    assert all(p.sort_key == sort_key(p.title) for p in Project.objects.all())


# --- communes ---------------------------------------------------------------------------------


def _select_labels(page, name):
    """The option labels of the <select name=`name`> of an HTML page, in page order."""
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, flags=re.S)
    if not match:
        raise LookupError(f"no select named {name}")
    return [html.unescape(label).strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", match[1])]


def _datalist_labels(page, name):
    """The option values of the <datalist> of the searchable <input name=`name`>, in page order."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*list="([^"]+)"', page)
    if not match:
        raise LookupError(f"no searchable input named {name}")
    datalist = re.search(rf'<datalist id="{match[1]}"[^>]*>(.*?)</datalist>', page, flags=re.S)
    return [html.unescape(value) for value in re.findall(r'<option value="([^"]*)"', datalist[1])]


def _assert_commune_groups_in_order(labels):
    by_full_name = dict(AdministrativeUnit.objects.values_list("full_name", "name"))
    names = [by_full_name[label] for label in labels if label in by_full_name]
    if len(names) != AdministrativeUnit.objects.filter(is_active=True).count():
        raise LookupError(f"the select shows {len(names)} communes, not every active one")
    for group in COMMUNE_GROUPS:
        assert _in_order_of(names, group) == group


def test_the_communes_of_the_fixture_keep_their_keys():
    assert not AdministrativeUnit.objects.filter(sort_key="").exists()
    assert not ReportingUnit.objects.filter(sort_key="").exists()
    binh_dinh = AdministrativeUnit.objects.get(name="Bình Định")
    assert binh_dinh.sort_key == sort_key("Bình Định")


@pytest.mark.parametrize("group", COMMUNE_GROUPS)
def test_communes_default_order_is_vietnamese(group):
    names = list(AdministrativeUnit.objects.values_list("name", flat=True))
    assert _in_order_of(names, group) == group


def test_a_new_commune_takes_its_place():
    AdministrativeUnit.objects.create(code="99990", name="Bình Minh", kind="xa", full_name="Xã Bình Minh")
    names = list(AdministrativeUnit.objects.values_list("name", flat=True))
    assert _in_order_of(names, ["Bình Định", "Bình Minh", "Bình Nguyên", "Bình Thanh"]) == [
        "Bình Định",
        "Bình Minh",
        "Bình Nguyên",
        "Bình Thanh",
    ]


def test_reporting_units_communes_first_then_by_the_communes_own_name():
    units = list(ReportingUnit.objects.select_related("commune"))
    kinds = [unit.kind for unit in units]
    assert kinds == sorted(kinds) and kinds[0] == ReportingUnit.Kind.COMMUNE
    names = [unit.commune.name for unit in units if unit.commune_id]
    for group in COMMUNE_GROUPS:
        assert _in_order_of(names, group) == group


def test_project_form_commune_select(client, staff):
    client.force_login(staff)
    response = client.get("/de-an/them/")
    assert response.status_code == 200
    _assert_commune_groups_in_order(_select_labels(response.content.decode(), "communes"))


def test_registration_form_commune_select(client):
    response = client.get("/co-so/dang-ky/")
    assert response.status_code == 200
    # a searchable list since the 104 communes are typed on phones: the same order
    _assert_commune_groups_in_order(_datalist_labels(response.content.decode(), "commune"))


def test_applicant_list_commune_filter(client, staff):
    client.force_login(staff)
    response = client.get("/co-so/danh-sach/")
    assert response.status_code == 200
    _assert_commune_groups_in_order(_datalist_labels(response.content.decode(), "commune"))

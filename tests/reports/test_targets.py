"""Issue 9 A.11: targets count what the decision counts (design.md, Target counting rules)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from programmes.models import SelectionRound
from projects.models import Project, Status
from projects.selectors import target_achieved, target_visits
from reports.selectors import programme_progress
from tests.factories import UserFactory
from tests.projects.utils import advance, make_applicant, make_project

pytestmark = pytest.mark.django_db

FROZEN_NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
DEMO = {"activity_code": "2a", "variant_key": "new_tech", "total": 1_000_000_000, "support": 300_000_000}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def staff(db):
    return UserFactory(roles=[Role.STAFF])


@pytest.fixture
def leader(db):
    return UserFactory(roles=[Role.LEADER])


def _accepted(leader, staff, **kwargs):
    return advance(leader, make_project(staff, **kwargs), Status.ACCEPTED)


def _round(programme, year, decision, day, level="provincial"):
    return SelectionRound.objects.create(
        programme=programme, level=level, year=year, recognition_decision=decision, recognition_date=day
    )


def test_the_catalogue_has_the_logo_variant_of_3a(programme):
    keys = set(programme.activity_types.get(code="3a").variants.values_list("key", flat=True))
    assert {"provincial_round", "commune_round", "national_entry", "logo"} <= keys


def test_selection_rounds_are_distinct_rounds_not_projects(programme, staff, leader):
    round_ = {"activity_code": "3a", "lead": "KCDP", "support": 100, "total": 100}
    # One round paid by two projects, and a project printing the logo: today 2 (or 3) "rounds".
    _accepted(leader, staff, variant_key="provincial_round", **round_)
    _accepted(leader, staff, variant_key="provincial_round", **round_)
    _accepted(leader, staff, variant_key="logo", **round_)
    assert target_achieved(programme, "selection_rounds") == 0  # no round recognised yet
    _round(programme, 2026, "1203/QĐ-UBND", datetime.date(2026, 5, 20))
    _round(programme, 2026, "45/QĐ-UBND", datetime.date(2026, 5, 21), level="commune")  # not provincial
    _round(programme, 2025, "990/QĐ-UBND", datetime.date(2025, 11, 2))  # before the programme
    assert target_achieved(programme, "selection_rounds") == 1
    _round(programme, 2028, "77/QĐ-UBND", datetime.date(2028, 6, 1))
    assert target_achieved(programme, "selection_rounds") == 2


def test_demo_models_count_models_not_projects(programme, staff, leader):
    _accepted(leader, staff, units=3, **{**DEMO, "total": 3_000_000_000, "support": 900_000_000})  # 3 models
    _accepted(leader, staff, **DEMO)
    assert target_achieved(programme, "demo_models") == 4


def test_only_projects_of_a_plan_year_inside_the_programme_count(programme, staff, leader):
    """A 2025 project accepted in 2026 belongs to the previous programme."""
    earlier = _accepted(leader, staff, **DEMO)
    Project.objects.filter(pk=earlier.pk).update(year=2025)
    assert target_achieved(programme, "demo_models") == 0
    Project.objects.filter(pk=earlier.pk).update(year=2026, acceptance_date=datetime.date(2031, 1, 2))
    assert target_achieved(programme, "demo_models") == 0
    Project.objects.filter(pk=earlier.pk).update(acceptance_date=datetime.date(2026, 6, 10))
    assert target_achieved(programme, "demo_models") == 1


def test_facilities_are_distinct_and_visits_are_shown_beside(programme, staff, leader, client):
    a1 = make_applicant(name="Hợp tác xã Một", tax_code="0100000001")
    a2 = make_applicant(name="Hợp tác xã Hai", tax_code="0100000002")
    _accepted(leader, staff, beneficiaries=[a1])
    _accepted(leader, staff, beneficiaries=[a1], variant_key="line")
    _accepted(leader, staff, beneficiaries=[a2])
    assert target_achieved(programme, "machinery_facilities") == 2
    assert target_visits(programme, "machinery_facilities") == 3
    assert target_visits(programme, "demo_models") is None
    rows = {row.target.code: row for row in programme_progress(programme)}
    assert rows["machinery_facilities"].visits == 3 and rows["machinery_facilities"].shows_visits
    assert not rows["trademarks"].shows_visits
    html = client.get("/").content.decode()
    assert "không tính trùng" in html  # the target's own label says distinct facilities
    line = html.split('data-visits="machinery_facilities">', 1)[1].split("</p>", 1)[0]
    assert "2 cơ sở khác nhau, 3 lượt hỗ trợ" in line
    assert 'data-visits="trademarks"' not in html


def test_target_labels_follow_the_counting_rules(programme):
    labels = {t.code: t.get_measure_display() for t in programme.targets.all()}
    assert "không đếm số đề án" in labels["selection_rounds"]
    assert "số mô hình" in labels["demo_models"].lower()
    assert "khác nhau" in labels["machinery_facilities"] and "lượt" in labels["machinery_facilities"]

import datetime

import pytest
from django.http import Http404

from accounts.roles import Role
from projects.models import Project, Status
from projects.selectors import project_for, projects_visible_to, target_achieved
from reports.selectors import programme_progress
from tests.factories import UserFactory

from .utils import advance, make_applicant, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(staff, leader, applicant):
    """One project per case: the applicant's own (commune 11953), another commune's, a draft."""
    other = make_applicant(name="Cơ sở khác", commune_code="12364")
    mine = advance(leader, make_project(staff, beneficiaries=[applicant], communes=()), Status.APPROVED)
    elsewhere = advance(
        leader, make_project(staff, beneficiaries=[other], communes=("12364",)), Status.APPROVED
    )
    located = make_project(staff, beneficiaries=(), communes=("11953",))  # draft, located in 11953
    return {"mine": mine, "elsewhere": elsewhere, "located": located}


def _codes(user):
    return set(projects_visible_to(user).values_list("code", flat=True))


def test_staff_and_leaders_see_everything(spread, staff, leader):
    every = set(Project.objects.values_list("code", flat=True))
    assert _codes(staff) == every == _codes(leader)


def test_commune_official_sees_projects_located_or_benefiting_in_its_commune(spread, reporter):
    assert _codes(reporter) == {spread["mine"].code, spread["located"].code}
    with pytest.raises(Http404):
        project_for(reporter, spread["elsewhere"].pk)


def test_applicant_sees_only_projects_it_benefits_from(spread, applicant_user, applicant):
    assert _codes(applicant_user) == {spread["mine"].code}
    member = UserFactory(roles=[Role.APPLICANT])
    applicant.members.add(member)
    assert _codes(member) == {spread["mine"].code}
    with pytest.raises(Http404):
        project_for(applicant_user, spread["located"].pk)


def test_observer_sees_approved_figures_only(spread, observer):
    assert _codes(observer) == {spread["mine"].code, spread["elsewhere"].code}


def test_no_role_sees_nothing_and_scopes_add_up(spread, reporter):
    assert _codes(UserFactory()) == set()
    from accounts.roles import grant_roles

    grant_roles(reporter, Role.OBSERVER)
    assert _codes(reporter) == {spread["mine"].code, spread["located"].code, spread["elsewhere"].code}


def test_a_commune_official_without_units_sees_nothing(spread):
    assert _codes(UserFactory(roles=[Role.UNIT_REPORTER])) == set()


# --- targets ------------------------------------------------------------------------------------


def _accepted(leader, staff, **kwargs):
    return advance(leader, make_project(staff, **kwargs), Status.ACCEPTED)


def test_targets_count_accepted_or_settled_projects(programme, staff, leader):
    a1 = make_applicant(name="A1", tax_code="0100000001")
    a2 = make_applicant(name="A2", tax_code="0100000002")
    _accepted(
        leader, staff, activity_code="2a", variant_key="new_tech", total=1_000_000_000, support=300_000_000
    )
    advance(
        leader,
        make_project(
            staff, activity_code="2a", variant_key="new_tech", total=1_000_000_000, support=300_000_000
        ),
        Status.SETTLED,
    )
    _accepted(leader, staff, beneficiaries=[a1])
    _accepted(leader, staff, beneficiaries=[a1])  # the same facility counts once
    _accepted(leader, staff, beneficiaries=[a2], variant_key="line")
    _accepted(
        leader, staff, activity_code="3a", variant_key="provincial_round", lead="KCDP", support=100, total=100
    )
    _accepted(
        leader, staff, activity_code="3a", variant_key="commune_round", lead="KCDP", support=100, total=100
    )
    _accepted(
        leader,
        staff,
        activity_code="3c",
        variant_key="trademark",
        lead="KCDP",
        beneficiaries=[a1],
        support=10,
        total=20,
    )
    assert target_achieved(programme, "demo_models") == 2
    assert target_achieved(programme, "machinery_facilities") == 2
    # Rounds come from the round register (year + recognition decision), never from projects:
    # tests/reports/test_targets.py.
    assert target_achieved(programme, "selection_rounds") == 0
    assert target_achieved(programme, "trademarks") == 1
    progress = {row.target.code: row.achieved for row in programme_progress(programme)}
    assert progress["demo_models"] == 2 and progress["trademarks"] == 1


def test_showroom_project_leaves_trademarks_unchanged(programme, staff, leader):
    a1 = make_applicant(name="A1")
    _accepted(
        leader,
        staff,
        activity_code="3c",
        variant_key="showroom",
        lead="KCDP",
        beneficiaries=[a1],
        support=10,
        total=20,
    )
    assert target_achieved(programme, "trademarks") == 0


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.IN_PROGRESS])
def test_unfinished_projects_never_count(programme, staff, leader, status):
    advance(
        leader,
        make_project(
            staff, activity_code="2a", variant_key="new_tech", total=1_000_000_000, support=300_000_000
        ),
        status,
    )
    assert target_achieved(programme, "demo_models") == 0


def test_cancelled_rejected_and_pre_programme_projects_never_count(programme, staff, leader):
    demo = {"activity_code": "2a", "variant_key": "new_tech", "total": 1_000_000_000, "support": 300_000_000}
    stopped = advance(leader, make_project(staff, **demo), Status.IN_PROGRESS)
    from projects import services

    services.project_transition(
        user=leader,
        project=stopped,
        step="stop",
        data={"reason": "Dừng", "decision_number": "9/QĐ", "decision_date": datetime.date(2026, 4, 1)},
    )
    rejected = advance(leader, make_project(staff, **demo), Status.APPRAISED)
    services.project_transition(user=leader, project=rejected, step="reject", data={"reason": "Không đạt"})
    old = _accepted(leader, staff, **demo)
    Project.objects.filter(pk=old.pk).update(acceptance_date=datetime.date(2025, 12, 31), year=2025)
    assert target_achieved(programme, "demo_models") == 0
    Project.objects.filter(pk=old.pk).update(acceptance_date=datetime.date(2026, 1, 1))
    assert target_achieved(programme, "demo_models") == 0  # a 2025 plan year: the earlier programme's
    Project.objects.filter(pk=old.pk).update(year=2026)
    assert target_achieved(programme, "demo_models") == 1

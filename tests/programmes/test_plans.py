"""Annual plans (issue 12): versions, the workflow with the leader's decision and its issuer, the
KCQG calendar as data."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from programmes import plans
from programmes.models import ActivityType, AnnualPlan, AnnualPlanEvent, FundingSource, PlanCalendar
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DECISION = {
    "decision_number": "123/QĐ-BCT",
    "decision_date": datetime.date(2025, 12, 20),
    "issuer": "ministry",
}


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.STAFF])


@pytest.fixture
def leader():
    return UserFactory(roles=[Role.LEADER])


def kcqg():
    return FundingSource.objects.get(code="KCQG")


def item_data(code="2b", support=500_000_000):
    act = ActivityType.objects.get(programme__is_current=True, code=code)
    return {
        "activity": act,
        "variant": None,
        "planned_quantity": 5,
        "unit": "cơ sở",
        "planned_support": support,
        "expected_counterpart": 700_000_000,
    }


def approved_plan(staff, leader, *, source=None, year=2026, support=500_000_000):
    plan = plans.plan_create(user=staff, year=year, funding_source=source or kcqg())
    plans.plan_item_save(user=staff, plan=plan, data=item_data(support=support))
    plans.plan_transition(user=staff, plan=plan, step="submit")
    issuer = "ministry" if plan.funding_source.code == "KCQG" else "province_chair"
    plans.plan_transition(user=leader, plan=plan, step="approve", data={**DECISION, "issuer": issuer})
    return AnnualPlan.objects.get(pk=plan.pk)


def test_a_plan_is_submitted_by_staff_and_approved_by_a_leader_with_its_decision(staff, leader):
    plan = approved_plan(staff, leader)
    assert plan.status == AnnualPlan.Status.APPROVED
    assert (plan.decision_number, plan.decision_date, plan.issuer) == (
        "123/QĐ-BCT",
        datetime.date(2025, 12, 20),
        "ministry",
    )
    assert list(plan.events.values_list("step", "actor")) == [("submit", staff.pk), ("approve", leader.pk)]
    assert plans.plan_in_force(year=2026, funding_source=kcqg()) == plan


def test_the_kcqg_plan_is_approved_by_the_minister_not_the_provincial_chair(staff, leader):
    plan = plans.plan_create(user=staff, year=2026, funding_source=kcqg())
    plans.plan_item_save(user=staff, plan=plan, data=item_data())
    plans.plan_transition(user=staff, plan=plan, step="submit")
    with pytest.raises(ValidationError) as err:
        plans.plan_transition(
            user=leader, plan=plan, step="approve", data={**DECISION, "issuer": "province_chair"}
        )
    assert err.value.error_dict["issuer"][0].code == "issuer_not_allowed"
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.SUBMITTED and plan.decision_number == ""
    assert not AnnualPlanEvent.objects.filter(plan=plan, step="approve").exists()


def test_the_kcdp_plan_is_approved_by_the_provincial_chair(staff, leader):
    kcdp = FundingSource.objects.get(code="KCDP")
    plan = plans.plan_create(user=staff, year=2026, funding_source=kcdp)
    plans.plan_item_save(user=staff, plan=plan, data=item_data())
    plans.plan_transition(user=staff, plan=plan, step="submit")
    with pytest.raises(ValidationError):
        plans.plan_transition(user=leader, plan=plan, step="approve", data=DECISION)
    plans.plan_transition(
        user=leader, plan=plan, step="approve", data={**DECISION, "issuer": "province_chair"}
    )
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.APPROVED


def test_staff_may_not_approve_and_a_leader_may_not_submit(staff, leader):
    plan = plans.plan_create(user=staff, year=2026, funding_source=kcqg())
    plans.plan_item_save(user=staff, plan=plan, data=item_data())
    with pytest.raises(ValidationError):
        plans.plan_transition(user=leader, plan=plan, step="submit")
    plans.plan_transition(user=staff, plan=plan, step="submit")
    with pytest.raises(ValidationError):
        plans.plan_transition(user=staff, plan=plan, step="approve", data=DECISION)


def test_an_empty_plan_cannot_be_submitted_and_a_returned_plan_is_a_draft_again(staff, leader):
    plan = plans.plan_create(user=staff, year=2026, funding_source=kcqg())
    with pytest.raises(ValidationError):
        plans.plan_transition(user=staff, plan=plan, step="submit")
    plans.plan_item_save(user=staff, plan=plan, data=item_data())
    plans.plan_transition(user=staff, plan=plan, step="submit")
    with pytest.raises(ValidationError):  # a submitted plan is not edited
        plans.plan_item_save(user=staff, plan=plan, data=item_data("1a"))
    plans.plan_transition(user=leader, plan=plan, step="return", data={"comment": "Bổ sung mục 1a"})
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.DRAFT
    assert plan.events.get(step="return").comment == "Bổ sung mục 1a"


def test_an_adjustment_is_a_new_version_with_its_own_decision_and_history_kept(staff, leader):
    first = approved_plan(staff, leader)
    second = plans.plan_adjustment_start(user=staff, plan=first, reason="Bổ sung kinh phí")
    assert (second.revision, second.previous, second.status) == (1, first, AnnualPlan.Status.DRAFT)
    assert list(second.items.values_list("line", "planned_support")) == [(1, 500_000_000)]
    with pytest.raises(ValidationError):  # one adjustment at a time, of the latest version
        plans.plan_adjustment_start(user=staff, plan=first, reason="Lần nữa")
    item = second.items.get()
    plans.plan_item_save(
        user=staff, plan=second, item=item, data={**item_data(), "planned_support": 800_000_000}
    )
    # the draft adjustment does not replace the approved plan
    assert plans.plan_in_force(year=2026, funding_source=kcqg()) == first
    plans.plan_transition(user=staff, plan=second, step="submit")
    with pytest.raises(ValidationError):  # dated before the decision it adjusts
        plans.plan_transition(
            user=leader,
            plan=second,
            step="approve",
            data={**DECISION, "decision_date": datetime.date(2025, 12, 1)},
        )
    plans.plan_transition(
        user=leader,
        plan=second,
        step="approve",
        data={**DECISION, "decision_number": "200/QĐ-BCT", "decision_date": datetime.date(2026, 3, 1)},
    )
    assert plans.plan_in_force(year=2026, funding_source=kcqg()).pk == second.pk
    first.refresh_from_db()
    assert first.status == AnnualPlan.Status.APPROVED and first.decision_number == "123/QĐ-BCT"
    assert first.items.get().planned_support == 500_000_000
    assert [p.revision for p in plans.plan_versions(first)] == [0, 1]


def test_one_plan_per_year_and_source_and_within_the_programme(staff):
    plans.plan_create(user=staff, year=2026, funding_source=kcqg())
    with pytest.raises(ValidationError):
        plans.plan_create(user=staff, year=2026, funding_source=kcqg())
    with pytest.raises(ValidationError):
        plans.plan_create(user=staff, year=2040, funding_source=kcqg())
    with pytest.raises(ValidationError):
        plans.plan_create(user=UserFactory(roles=[Role.OBSERVER]), year=2027, funding_source=kcqg())


def test_an_item_has_a_variant_of_its_activity_and_no_negative_amount(staff):
    plan = plans.plan_create(user=staff, year=2026, funding_source=kcqg())
    other = ActivityType.objects.get(programme__is_current=True, code="1a")
    variant = ActivityType.objects.get(programme__is_current=True, code="2b").variants.first()
    if variant is not None:
        with pytest.raises(ValidationError):
            plans.plan_item_save(
                user=staff, plan=plan, data={**item_data("1a"), "variant": variant, "activity": other}
            )
    with pytest.raises(ValidationError):
        plans.plan_item_save(user=staff, plan=plan, data={**item_data(), "planned_support": -1})
    assert not plan.items.exists()


def test_the_kcqg_calendar_is_data_of_the_year_before():
    calendar = PlanCalendar.current()
    assert calendar.kcqg_deadlines(2027) == {
        "province": datetime.date(2026, 5, 20),
        "ministry": datetime.date(2026, 6, 15),
    }
    calendar.province_deadline_day = 25
    calendar.save()
    assert PlanCalendar.current().kcqg_deadlines(2027)["province"] == datetime.date(2026, 5, 25)

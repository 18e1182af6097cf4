"""Đề án on plan items (issue 12): required at approval once the plan of the year and lead fund
is approved; committed, contracted, disbursed and settled per item in bounded queries; approving
beyond the item warns or is refused as programmes.ApprovalRules.plan_exceed says."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F

from programmes import plans
from programmes.models import ActivityType, AnnualPlan, ApprovalRules, FundingSource, PlanExceedRule
from projects import services
from projects.models import AdvanceRecovery, Payment, Project, Status
from projects.selectors_plans import PLAN_FIGURES_QUERIES, plan_item_figures
from projects.services.plans import project_plan_item_set

from .utils import ACCEPTANCE_DATE, actor_for, advance, make_project, prepare, step_data

pytestmark = pytest.mark.django_db

DECISION = {
    "decision_number": "123/QĐ-BCT",
    "decision_date": datetime.date(2025, 12, 20),
    "issuer": "ministry",
}


def kcqg():
    return FundingSource.objects.get(code="KCQG")


def make_plan(staff, leader, *, year=2026, support=500_000_000, code="2b", approve=True):
    plan = plans.plan_create(user=staff, year=year, funding_source=kcqg())
    plans.plan_item_save(
        user=staff,
        plan=plan,
        data={
            "activity": ActivityType.objects.get(programme__is_current=True, code=code),
            "planned_quantity": 2,
            "unit": "cơ sở",
            "planned_support": support,
            "expected_counterpart": 600_000_000,
        },
    )
    if approve:
        plans.plan_transition(user=staff, plan=plan, step="submit")
        plans.plan_transition(user=leader, plan=plan, step="approve", data=DECISION)
    return AnnualPlan.objects.get(pk=plan.pk)


def approve(leader, project):
    """Take the approve step on an appraised project (the tests' valid data)."""
    project = Project.objects.get(pk=project.pk)
    prepare(leader, project, "approve")
    return services.project_transition(
        user=actor_for(leader, project, "approve"),
        project=project,
        step="approve",
        data=step_data(project, "approve"),
    )


def appraised_on(staff, leader, item, status=Status.APPRAISED, **kwargs):
    """A project on `item` walked to `status` (appraised: ready for the approve step)."""
    project = make_project(staff, **kwargs)
    if item is not None:
        project_plan_item_set(user=staff, project=project, item=item)
    return advance(leader, project, status)


def test_without_an_approved_plan_a_project_is_approved_without_an_item(staff, leader):
    make_plan(staff, leader, approve=False)  # a draft plan asks nothing yet
    project = advance(leader, make_project(staff), Status.APPROVED)
    assert project.status == Status.APPROVED and project.plan_item is None


def test_once_the_plan_is_approved_approval_needs_an_item(staff, leader):
    project = advance(leader, make_project(staff), Status.APPRAISED)  # drafted without an item
    make_plan(staff, leader)
    with pytest.raises(ValidationError) as err:
        approve(leader, project)
    assert err.value.code == "plan_item_required"
    assert Project.objects.get(pk=project.pk).status == Status.APPRAISED


def test_an_item_of_another_year_or_activity_is_refused(staff, leader):
    plan_2027 = make_plan(staff, leader, year=2027)
    project = make_project(staff)
    with pytest.raises(ValidationError):
        project_plan_item_set(user=staff, project=project, item=plan_2027.items.get())
    plan_1a = make_plan(staff, leader, code="1a")
    with pytest.raises(ValidationError):
        project_plan_item_set(user=staff, project=project, item=plan_1a.items.get())
    assert Project.objects.get(pk=project.pk).plan_item is None


def test_observers_and_applicants_may_not_attach_a_project(staff, leader, observer, applicant_user):
    item = make_plan(staff, leader).items.get()
    project = make_project(staff)
    for user in (observer, applicant_user):
        with pytest.raises(ValidationError):
            project_plan_item_set(user=user, project=project, item=item)


def test_committed_against_planned_and_the_exceed_rule_warns_by_default(staff, leader):
    item = make_plan(staff, leader, support=500_000_000).items.get()
    first = approve(leader, appraised_on(staff, leader, item, support=300_000_000))
    [row] = plan_item_figures(item.plan)
    assert (row.planned, row.committed, row.remaining, row.over) == (
        500_000_000,
        300_000_000,
        200_000_000,
        [],
    )
    second = approve(leader, appraised_on(staff, leader, item, support=300_000_000, title="Máy thứ hai"))
    assert second.status == Status.APPROVED
    comment = second.transitions.get(step="approve").comment
    assert "vượt kinh phí dự kiến của mục 1" in comment and "500.000.000" in comment
    [row] = plan_item_figures(item.plan)
    assert row.committed == 600_000_000 and row.over == ["committed"]
    assert first.transitions.get(step="approve").comment.find("vượt") == -1


def test_the_exceed_rule_refuses_when_set_so(staff, leader):
    rules = ApprovalRules.current()
    rules.plan_exceed = PlanExceedRule.REFUSE
    rules.save()
    item = make_plan(staff, leader, support=500_000_000).items.get()
    approve(leader, appraised_on(staff, leader, item, support=300_000_000))
    project = appraised_on(staff, leader, item, support=300_000_000, title="Máy thứ hai")
    with pytest.raises(ValidationError) as err:
        approve(leader, project)
    assert err.value.error_dict["amounts"][0].code == "plan_exceeded"
    assert Project.objects.get(pk=project.pk).status == Status.APPRAISED
    # exactly the plan is allowed
    exact = approve(leader, appraised_on(staff, leader, item, support=200_000_000, title="Máy thứ ba"))
    assert exact.status == Status.APPROVED


def test_contracted_disbursed_net_of_recoveries_and_settled_per_item(staff, leader):
    item = make_plan(staff, leader, support=1_000_000_000).items.get()
    settled = appraised_on(staff, leader, item, Status.SETTLED, support=300_000_000)
    contracted = appraised_on(
        staff, leader, item, Status.CONTRACTED, support=200_000_000, title="Máy thứ hai"
    )
    Payment.objects.create(
        project=contracted,
        kind=Payment.Kind.ADVANCE,
        amount=80_000_000,
        paid_on=ACCEPTANCE_DATE,
        funding_source=kcqg(),
    )
    AdvanceRecovery.objects.create(
        project=contracted,
        amount=30_000_000,
        recovered_on=ACCEPTANCE_DATE,
        reference="TH-01",
        funding_source=kcqg(),
    )
    # a project not yet approved on the item counts as a project, not as money
    appraised_on(staff, leader, item, support=290_000_000, title="Chưa duyệt")
    [row] = plan_item_figures(item.plan)
    assert row.projects == 3
    assert row.committed == 500_000_000
    assert row.contracted == 500_000_000
    assert row.disbursed == settled.actual_support + 50_000_000 == 350_000_000
    assert row.settled == 300_000_000
    assert row.over == []


def test_a_multi_year_project_has_an_item_in_each_year_and_each_year_counts_its_own(staff, leader):
    item_2026 = make_plan(staff, leader, year=2026, support=400_000_000).items.get()
    item_2027 = make_plan(staff, leader, year=2027, support=400_000_000).items.get()
    approve(leader, appraised_on(staff, leader, item_2026, support=300_000_000, title="Đề án điểm, năm 1"))
    approve(
        leader,
        appraised_on(staff, leader, item_2027, support=250_000_000, year=2027, title="Đề án điểm, năm 2"),
    )
    assert [r.committed for r in plan_item_figures(item_2026.plan)] == [300_000_000]
    assert [r.committed for r in plan_item_figures(item_2027.plan)] == [250_000_000]


def test_projects_on_an_earlier_version_count_on_the_line_of_the_version_in_force(staff, leader):
    first = make_plan(staff, leader, support=300_000_000)
    approve(leader, appraised_on(staff, leader, first.items.get(), support=300_000_000))
    second = plans.plan_adjustment_start(user=staff, plan=first, reason="Tăng kinh phí")
    item = second.items.get()
    plans.plan_item_save(
        user=staff, plan=second, item=item, data={"activity": item.activity, "planned_support": 700_000_000}
    )
    plans.plan_transition(user=staff, plan=second, step="submit")
    plans.plan_transition(
        user=leader,
        plan=second,
        step="approve",
        data={**DECISION, "decision_date": datetime.date(2026, 2, 1)},
    )
    [row] = plan_item_figures(AnnualPlan.objects.get(pk=second.pk))
    assert (row.planned, row.committed) == (700_000_000, 300_000_000)
    # a project on the old version's item is checked against the line in force (no warning)
    project = approve(
        leader, appraised_on(staff, leader, first.items.get(), support=300_000_000, title="Thứ hai")
    )
    assert "vượt" not in project.transitions.get(step="approve").comment


def test_the_figures_take_a_bounded_number_of_queries(staff, leader, django_assert_max_num_queries):
    """At most PLAN_FIGURES_QUERIES queries with one project or three."""
    item = make_plan(staff, leader, support=2_000_000_000).items.get()
    plan = AnnualPlan.objects.get(pk=item.plan_id)
    for n in range(3):
        approve(leader, appraised_on(staff, leader, item, support=100_000_000, title=f"Đề án {n}"))
        with django_assert_max_num_queries(PLAN_FIGURES_QUERIES):
            rows = plan_item_figures(plan)
        assert rows[0].committed == (n + 1) * 100_000_000


def test_settled_counts_the_plan_sources_line_of_the_settlement_not_the_whole_support(staff, leader):
    # A co-financed đề án: its settlement records actual support per source (workflow.md); the
    # KCQG plan counts the KCQG line only, not the whole state support (actual_support).
    from programmes.models import FundingSource
    from projects.models import TransitionAmount

    item = make_plan(staff, leader, support=1_000_000_000).items.get()
    project = appraised_on(staff, leader, item, Status.SETTLED, support=300_000_000)
    settle = project.transitions.get(step="settle")
    kcdp = FundingSource.objects.get(code="KCDP")
    TransitionAmount.objects.create(transition=settle, funding_source=kcdp, amount=120_000_000)
    Project.objects.filter(pk=project.pk).update(actual_support=F("actual_support") + 120_000_000)
    [row] = plan_item_figures(item.plan)
    assert row.settled == settle.amounts.get(funding_source=kcqg()).amount == 300_000_000

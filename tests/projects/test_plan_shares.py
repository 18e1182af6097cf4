"""Multi-year đề án on plan items (issue 12, projects.PlanShare): the yearly shares' rules, the
checks at approval (sum, plan in force, the exceed rule per share's line) and at adjustment, and
the plan figures with shares and recoveries against hand-computed numbers."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from programmes.models import ApprovalRules, PlanExceedRule
from projects import services
from projects.models import AdvanceRecovery, Payment, PlanShare, Project, Status
from projects.selectors_plans import PLAN_FIGURES_QUERIES, plan_item_figures, plan_reality, share_year
from projects.services.plans import project_plan_item_set, project_plan_shares_set

from .test_plan_items import appraised_on, approve, kcqg, make_plan
from .utils import advance, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(staff, leader):
    """The 2026 and 2027 KCQG plans (approved), one 2b line each."""
    return (
        make_plan(staff, leader, year=2026, support=400_000_000).items.get(),
        make_plan(staff, leader, year=2027, support=400_000_000).items.get(),
    )


def shares(first, second, a=200_000_000, b=100_000_000):
    return [{"plan_item": first, "amount": a}, {"plan_item": second, "amount": b}]


def multi_year(
    staff,
    leader,
    items,
    *,
    support=300_000_000,
    a=200_000_000,
    b=100_000_000,
    title="Đề án điểm",
    status=Status.APPRAISED,
):
    """A 2026 đề án with shares in 2026 and 2027, walked to `status` (appraised: ready to approve)."""
    project = make_project(staff, support=support, title=title)
    project_plan_shares_set(user=staff, project=project, shares=shares(*items, a, b))
    return advance(leader, project, status)


def test_share_year_puts_money_outside_the_years_on_the_first_or_last():
    assert [share_year([2026, 2027], y) for y in (2025, 2026, 2027, 2028)] == [2026, 2026, 2027, 2027]
    assert share_year([2026, 2028], 2027) == 2026


def test_shares_set_the_first_years_item_and_an_empty_list_clears_them(staff, leader, items):
    project = multi_year(staff, leader, items)
    assert project.plan_item == items[0]
    assert list(project.plan_shares.values_list("year", "amount")) == [
        (2026, 200_000_000),
        (2027, 100_000_000),
    ]
    project_plan_shares_set(user=staff, project=project, shares=[])
    assert not PlanShare.objects.filter(project=project).exists()
    assert Project.objects.get(pk=project.pk).plan_item == items[0]


def test_shares_refused_change_nothing(staff, leader, observer, items):
    project = multi_year(staff, leader, items)
    before = list(project.plan_shares.values_list("year", "plan_item", "amount"))
    other_activity = make_plan(staff, leader, year=2028, code="1a").items.get()
    attempts = [
        (staff, [{"plan_item": items[0], "amount": 1}]),  # one year only
        (staff, [{"plan_item": items[1], "amount": 1}, {"plan_item": other_activity, "amount": 1}]),
        (staff, [{"plan_item": items[0], "amount": 1}, {"plan_item": items[0], "amount": 2}]),  # twice
        (staff, [{"plan_item": items[1], "amount": 1}, *shares(*items)[1:]]),  # not from the đề án's year
        (observer, shares(*items)),
    ]
    for user, rows in attempts:
        with pytest.raises(ValidationError):
            project_plan_shares_set(user=user, project=project, shares=rows)
    assert list(project.plan_shares.values_list("year", "plan_item", "amount")) == before
    # a one-year item cannot be set over shares
    with pytest.raises(ValidationError):
        project_plan_item_set(user=staff, project=project, item=items[0])


def test_approval_needs_the_shares_to_add_up_to_the_lead_fund_support(staff, leader, items):
    project = multi_year(staff, leader, items, a=200_000_000, b=50_000_000)
    with pytest.raises(ValidationError) as err:
        approve(leader, project)
    assert err.value.error_dict["amounts"][0].code == "shares_mismatch"
    assert Project.objects.get(pk=project.pk).status == Status.APPRAISED
    project_plan_shares_set(user=staff, project=project, shares=shares(*items, 200_000_000, 100_000_000))
    assert approve(leader, project).status == Status.APPROVED


def test_each_share_must_be_on_an_approved_plan_of_its_year(staff, leader, items):
    draft_2028 = make_plan(staff, leader, year=2028, approve=False).items.get()
    project = appraised_on(staff, leader, None, support=300_000_000)
    project_plan_shares_set(
        user=staff,
        project=project,
        shares=[
            {"plan_item": items[0], "amount": 200_000_000},
            {"plan_item": draft_2028, "amount": 100_000_000},
        ],
    )
    with pytest.raises(ValidationError) as err:
        approve(leader, project)
    assert "năm 2028" in err.value.error_dict["plan_item"][0].message
    assert Project.objects.get(pk=project.pk).status == Status.APPRAISED


def test_the_exceed_rule_applies_to_each_shares_line(staff, leader, items):
    # 2027's line already has 300 million committed by a one-year đề án of 2027
    approve(leader, appraised_on(staff, leader, items[1], support=300_000_000, year=2027, title="Năm 2027"))
    project = multi_year(staff, leader, items, a=190_000_000, b=110_000_000)  # 2027: 410 > 400
    approved = approve(leader, project)
    comment = approved.transitions.get(step="approve").comment
    assert "vượt" in comment and "300.000.000" in comment
    rules = ApprovalRules.current()
    rules.plan_exceed = PlanExceedRule.REFUSE
    rules.save()
    second = multi_year(
        staff, leader, items, support=300_000_000, a=290_000_000, b=10_000_000, title="Thứ hai"
    )
    with pytest.raises(ValidationError) as err:
        approve(leader, second)
    assert err.value.error_dict["amounts"][0].code == "plan_exceeded"  # 2027: 410 + 10 > 400
    assert Project.objects.get(pk=second.pk).status == Status.APPRAISED


def _adjust(leader, project, lead, **kwargs):
    project = Project.objects.get(pk=project.pk)
    return services.project_adjust(
        user=leader,
        project=project,
        expected_version=project.version,
        decision_number="45/QĐ-SCT",
        decision_date=datetime.date(2026, 5, 1),
        lines={"KCQG": lead, "DOI_UNG": project.total_cost - lead},
        total_cost=project.total_cost,
        **kwargs,
    )


def test_an_adjustment_keeps_the_shares_adding_up(staff, leader, items):
    project = multi_year(staff, leader, items, status=Status.APPROVED)
    with pytest.raises(ValidationError) as err:
        _adjust(leader, project, 250_000_000)
    assert err.value.code == "shares_mismatch"
    project.refresh_from_db()
    assert project.approved_support == 300_000_000 and project.budget_versions.count() == 1
    adjusted = _adjust(leader, project, 250_000_000, plan_shares=shares(*items, 150_000_000, 100_000_000))
    assert adjusted.approved_support == 250_000_000
    assert list(adjusted.plan_shares.values_list("amount", flat=True)) == [150_000_000, 100_000_000]


def test_figures_with_a_multi_year_project_and_recoveries(
    staff, leader, items, django_assert_max_num_queries
):
    """Hand-computed: one-year đề án A (2026, 150 million) and multi-year B (200 in 2026 + 100 in
    2027), both contracted; B's money dated 2025 counts in 2026, dated 2028 in 2027."""
    one_year = appraised_on(staff, leader, items[0], Status.CONTRACTED, support=150_000_000, title="A")
    multi = multi_year(staff, leader, items, title="B", status=Status.CONTRACTED)

    def pay(project, amount, day):
        Payment.objects.create(
            project=project, kind=Payment.Kind.ADVANCE, amount=amount, paid_on=day, funding_source=kcqg()
        )

    def recover(project, amount, day):
        AdvanceRecovery.objects.create(
            project=project, amount=amount, recovered_on=day, reference="TH", funding_source=kcqg()
        )

    pay(one_year, 50_000_000, datetime.date(2026, 4, 1))
    recover(one_year, 20_000_000, datetime.date(2026, 5, 1))
    pay(multi, 5_000_000, datetime.date(2025, 12, 30))
    pay(multi, 80_000_000, datetime.date(2026, 4, 1))
    pay(multi, 30_000_000, datetime.date(2027, 5, 1))
    recover(multi, 10_000_000, datetime.date(2028, 1, 10))
    with django_assert_max_num_queries(PLAN_FIGURES_QUERIES):
        [y2026] = plan_item_figures(items[0].plan)
    [y2027] = plan_item_figures(items[1].plan)
    assert (y2026.projects, y2026.committed, y2026.contracted, y2026.disbursed) == (
        2,
        350_000_000,
        350_000_000,
        50_000_000 - 20_000_000 + 5_000_000 + 80_000_000,
    )
    assert (y2027.projects, y2027.committed, y2027.contracted, y2027.disbursed) == (
        1,
        100_000_000,
        100_000_000,
        30_000_000 - 10_000_000,
    )
    # the counterpart of both đề án shows on 2026's line (B's first year)
    assert y2026.other["DOI_UNG"] == (600_000_000 - 150_000_000) + (600_000_000 - 300_000_000)


def test_settled_money_and_achieved_units_count_on_the_last_year(staff, leader, items):
    multi = multi_year(staff, leader, items, status=Status.SETTLED)
    one_year = appraised_on(staff, leader, items[0], Status.ACCEPTED, support=100_000_000, title="A")
    [y2026] = plan_item_figures(items[0].plan)
    [y2027] = plan_item_figures(items[1].plan)
    assert y2026.settled == 0 and y2027.settled == multi.actual_support > 0
    # 2b machinery: a per-facility cap, no beneficiary named: the planned number, else one
    assert (y2026.achieved, y2027.achieved) == (1, 1)
    assert one_year.status == Status.ACCEPTED
    reality = plan_reality(items[1].plan)
    assert reality.total.settled == multi.actual_support and reality.total.planned == 400_000_000


def test_achieved_counts_models_of_a_demonstration_model(staff, leader):
    item = make_plan(staff, leader, code="2a", support=3_000_000_000).items.get()
    project = make_project(
        staff, activity_code="2a", variant_key="new_tech", total=2_000_000_000, support=600_000_000, models=3
    )
    project_plan_item_set(user=staff, project=project, item=item)
    advance(leader, project, Status.ACCEPTED)
    [row] = plan_item_figures(item.plan)
    assert row.achieved == 3 and "achieved" in row.over  # planned quantity 2

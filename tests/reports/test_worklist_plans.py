"""The annual plans on the first page (issue 12, item 6): staff see the plans to prepare, with the
KCQG calendar's deadlines, and the items of this year's plans in force committed over or under what
they plan; leaders see the plans waiting for their decision; nobody else sees any of it. The
queries stay the same whatever the number of items and đề án."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from programmes import plans
from programmes.models import ActivityType, AnnualPlan, FundingSource, PlanCalendar, PlanItem
from projects.models import Project, Status
from reports import worklist
from tests.projects.utils import make_project

from .conftest import FROZEN_NOW
from .test_worklist import URL, _lines

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

DECISIONS = {
    "KCQG": {"decision_number": "123/QĐ-BCT", "issuer": "ministry"},
    "KCDP": {"decision_number": "45/QĐ-UBND", "issuer": "province_chair"},
}


def source(code):
    return FundingSource.objects.get(code=code)


def make_plan(staff, leader, *, code="KCQG", year=2026, supports=(100_000_000,), status="approved"):
    plan = plans.plan_create(user=staff, year=year, funding_source=source(code))
    for support in supports:
        plans.plan_item_save(
            user=staff,
            plan=plan,
            data={
                "activity": ActivityType.objects.get(programme__is_current=True, code="2b"),
                "planned_quantity": 1,
                "unit": "cơ sở",
                "planned_support": support,
            },
        )
    if status in ("submitted", "approved"):
        plans.plan_transition(user=staff, plan=plan, step="submit")
    if status == "approved":
        plans.plan_transition(
            user=leader,
            plan=plan,
            step="approve",
            data={**DECISIONS[code], "decision_date": datetime.date(2026, 1, 10)},
        )
    return AnnualPlan.objects.get(pk=plan.pk)


def committed_on(staff, item, support, status=Status.APPROVED):
    """A đề án on `item` whose current budget commits `support` of the plan's source."""
    project = make_project(staff, lead=item.plan.funding_source.code, support=support, total=support * 2)
    Project.objects.filter(pk=project.pk).update(status=status, plan_item=item)
    return project


def tone(client, user, key):
    html = client.get(URL).content.decode()
    line = re.search(rf'data-line="{key}">.*?</a>', html, re.S).group(0)
    return re.search(r"text-bg-(\w+)", line).group(1)


def test_staff_see_the_plans_to_prepare_with_the_kcqg_deadlines(client, staff, leader):
    lines = _lines(client, staff)
    # 15/06/2026: no plan at all, this year's and next year's of both lead funds are to prepare
    assert lines["plans-to-prepare"] == (4, "/chuong-trinh/ke-hoach/")
    html = client.get(URL).content.decode()
    assert "KCQG năm 2027: chưa lập (hạn gửi Sở 20/05/2026, gửi Bộ 15/06/2026, đã quá hạn)" in html
    assert "KCĐP năm 2026: chưa lập" in html
    assert tone(client, staff, "plans-to-prepare") == "danger"
    make_plan(staff, leader, code="KCQG")  # this year's: approved
    make_plan(staff, leader, code="KCDP", status="submitted")  # this year's: with the leader
    draft = make_plan(staff, leader, code="KCDP", year=2027, status="draft")
    assert _lines(client, staff)["plans-to-prepare"] == (2, "/chuong-trinh/ke-hoach/")
    html = client.get(URL).content.decode()
    assert "KCĐP năm 2027: đang dự thảo" in html and "KCQG năm 2027: chưa lập" in html
    make_plan(staff, leader, code="KCQG", year=2027, status="submitted")
    # one left, a draft: the line leads to it; KCĐP has no national calendar, nothing is late
    assert _lines(client, staff)["plans-to-prepare"] == (1, f"/chuong-trinh/ke-hoach/{draft.pk}/")
    assert tone(client, staff, "plans-to-prepare") == "warning"
    plans.plan_transition(user=staff, plan=draft, step="submit")
    assert "plans-to-prepare" not in _lines(client, staff)


def test_the_kcqg_deadline_turns_the_line_red_the_day_after_it(client, staff, leader, frozen_clock):
    for code in ("KCQG", "KCDP"):
        make_plan(staff, leader, code=code, status="submitted")  # this year's are on their way
    frozen_clock.move_to(datetime.datetime(2026, 5, 20, 23, 59, tzinfo=FROZEN_NOW.tzinfo))
    assert _lines(client, staff)["plans-to-prepare"][0] == 2
    assert tone(client, staff, "plans-to-prepare") == "warning"
    assert "hạn gửi Sở 20/05/2026, gửi Bộ 15/06/2026)" in client.get(URL).content.decode()
    frozen_clock.move_to(datetime.datetime(2026, 5, 21, 0, 1, tzinfo=FROZEN_NOW.tzinfo))
    assert tone(client, staff, "plans-to-prepare") == "danger"
    # the calendar is data: with the Sở's deadline on 25/05 it is not late yet
    calendar = PlanCalendar.current()
    calendar.province_deadline_day = 25
    calendar.save()
    assert tone(client, staff, "plans-to-prepare") == "warning"


def test_the_plan_years_stay_inside_the_programme():
    class Programme:
        years = range(2026, 2031)

    assert worklist.plan_years(Programme, datetime.date(2026, 6, 15)) == [2026, 2027]
    assert worklist.plan_years(Programme, datetime.date(2030, 6, 15)) == [2030]
    assert worklist.plan_years(Programme, datetime.date(2025, 6, 15)) == [2026]


def test_staff_see_the_items_of_the_plans_in_force_over_and_under_commitment(client, staff, leader):
    plan = make_plan(staff, leader, supports=(100_000_000, 50_000_000, 30_000_000, 10_000_000))
    one, two, _three, four = plan.items.order_by("line")
    committed_on(staff, one, 120_000_000)  # over by 20 M
    committed_on(staff, two, 20_000_000)  # 30 M left
    committed_on(staff, two, 40_000_000, status=Status.APPRAISED)  # not approved: commits nothing
    committed_on(staff, four, 10_000_000)  # exactly planned: neither
    lines = _lines(client, staff)
    assert lines["plan-over-kcqg"] == (1, f"/chuong-trinh/ke-hoach/{plan.pk}/")
    assert lines["plan-under-kcqg"] == (2, f"/chuong-trinh/ke-hoach/{plan.pk}/")
    html = client.get(URL).content.decode()
    assert "Kế hoạch KCQG năm 2026: đã cam kết vượt 20.000.000 đ" in html
    assert "Kế hoạch KCQG năm 2026: còn 60.000.000 đ chưa cam kết" in html
    assert tone(client, staff, "plan-over-kcqg") == "danger"
    # a plan not yet in force (submitted) and next year's approved plan are not this year's in force
    make_plan(staff, leader, code="KCDP", status="submitted")
    make_plan(staff, leader, code="KCDP", year=2027)
    assert not {k for k in _lines(client, staff) if k.endswith("-kcdp")}


def test_an_adjusted_plan_counts_on_the_version_in_force(client, staff, leader):
    plan = make_plan(staff, leader, supports=(100_000_000,))
    committed_on(staff, plan.items.get(), 120_000_000)
    adjusted = plans.plan_adjustment_start(user=staff, plan=plan, reason="Tăng kinh phí mục 1")
    item = adjusted.items.get()
    plans.plan_item_save(
        user=staff, plan=adjusted, item=item, data={"activity": item.activity, "planned_support": 150_000_000}
    )
    plans.plan_transition(user=staff, plan=adjusted, step="submit")
    assert _lines(client, staff)["plan-over-kcqg"][1] == f"/chuong-trinh/ke-hoach/{plan.pk}/"
    plans.plan_transition(
        user=leader,
        plan=adjusted,
        step="approve",
        data={
            **DECISIONS["KCQG"],
            "decision_number": "124/QĐ-BCT",
            "decision_date": datetime.date(2026, 4, 1),
        },
    )
    lines = _lines(client, staff)
    assert "plan-over-kcqg" not in lines
    assert lines["plan-under-kcqg"] == (1, f"/chuong-trinh/ke-hoach/{adjusted.pk}/")


def test_leaders_see_the_plans_waiting_for_their_decision(client, staff, leader):
    assert "plans-approve" not in _lines(client, leader)
    kcqg = make_plan(staff, leader, code="KCQG", status="submitted")
    assert _lines(client, leader)["plans-approve"] == (1, f"/chuong-trinh/ke-hoach/{kcqg.pk}/")
    make_plan(staff, leader, code="KCDP", year=2027, status="submitted")
    assert _lines(client, leader)["plans-approve"] == (2, "/chuong-trinh/ke-hoach/")
    html = client.get(URL).content.decode()
    assert "Kế hoạch KCQG năm 2026; Kế hoạch KCĐP năm 2027" in html
    # a leader does the staff's work too: the plans to prepare are on the page; staff do not approve
    assert "plans-to-prepare" in _lines(client, leader)
    assert "plans-approve" not in _lines(client, staff)


@pytest.mark.parametrize("role", ["applicant_user", "reporter", "observer"])
def test_nobody_else_sees_the_plans(client, staff, leader, role, request):
    plan = make_plan(staff, leader, supports=(100_000_000, 50_000_000))
    committed_on(staff, plan.items.order_by("line").first(), 120_000_000)
    make_plan(staff, leader, code="KCDP", status="submitted")
    keys = set(_lines(client, request.getfixturevalue(role)))
    assert not {k for k in keys if k.startswith("plan")}, keys
    assert "ke-hoach" not in client.get(URL).content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER])
def test_the_plan_lines_take_the_same_queries_whatever_the_number_of_items_and_projects(
    client, staff, leader, role
):
    """Both lead funds' plans in force: two plans' figures; one more item and đề án per line changes
    nothing."""
    user = staff if role == Role.STAFF else leader
    client.force_login(user)
    kcqg = make_plan(staff, leader, supports=(100_000_000,))
    kcdp = make_plan(staff, leader, code="KCDP", supports=(100_000_000,))
    make_plan(staff, leader, year=2027, status="submitted")
    for plan in (kcqg, kcdp):
        committed_on(staff, plan.items.get(), 120_000_000)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    before = count()
    assert {"plan-over-kcqg", "plan-over-kcdp", "plans-to-prepare"} <= set(_lines(client, user))
    for plan in (kcqg, kcdp):
        for line in (2, 3, 4):
            item = PlanItem.objects.create(
                plan=plan, line=line, year=2026, activity=plan.items.first().activity, planned_support=line
            )
            for _ in range(3):
                committed_on(staff, item, 10_000_000)
    assert count() == before

"""The staff pages of annual plans (issue 12): staff and leaders only, money as 1.234.567 đ and
dates dd/mm/yyyy, a bounded number of queries."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from programmes import plans
from tests.factories import UserFactory

from .test_plans import approved_plan, item_data

pytestmark = pytest.mark.django_db

# the plan, its items, versions and history, the figures against the đề án, session, user, menu
PLAN_PAGE_QUERIES = 26


@pytest.fixture
def plan():
    staff, leader = UserFactory(roles=[Role.STAFF]), UserFactory(roles=[Role.LEADER])
    plan = approved_plan(staff, leader, support=1_234_567_000)
    adjusted = plans.plan_adjustment_start(user=staff, plan=plan, reason="Bổ sung mục đào tạo")
    plans.plan_item_save(user=staff, plan=adjusted, data=item_data("1a", support=100_000_000))
    return plan


ROLES = [
    (Role.STAFF, 200),
    (Role.LEADER, 200),
    (Role.UNIT_REPORTER, 403),
    (Role.APPLICANT, 403),
    (Role.OBSERVER, 403),
    (None, 302),
]


@pytest.mark.parametrize(("role", "expected"), ROLES)
def test_the_plan_pages_are_for_staff_and_leaders(client, plan, role, expected):
    if role:
        client.force_login(UserFactory(roles=[role]))
    for url in (reverse("programmes:plan_list"), reverse("programmes:plan_detail", args=[plan.pk])):
        assert client.get(url).status_code == expected


def test_the_plan_page_shows_items_decision_and_history(client, plan, django_assert_max_num_queries):
    client.force_login(UserFactory(roles=[Role.STAFF]))
    with django_assert_max_num_queries(PLAN_PAGE_QUERIES):
        html = client.get(reverse("programmes:plan_detail", args=[plan.pk])).content.decode()
    assert "1.234.567.000 đ" in html and "123/QĐ-BCT" in html and "20/12/2025" in html
    assert 'data-testid="plan-history"' in html and "Ghi quyết định phê duyệt" in html
    with django_assert_max_num_queries(8):
        listing = client.get(reverse("programmes:plan_list")).content.decode()
    assert "Điều chỉnh lần 1" in listing and "Kế hoạch ban đầu" in listing

"""The annual plan pages (issue 12) for every role: create a plan, its items, the steps with the
decision, the adjustment; the plan against reality on the page and in its XLSX (the same figures);
the plan item and yearly shares on the project page. A refused POST changes nothing."""

import io
import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from openpyxl import load_workbook

from programmes import plans
from programmes.models import ActivityType, AdministrativeUnit, AnnualPlan, PlanItem
from projects.models import Project
from projects.selectors_plans import plan_reality

from .test_plan_items import DECISION, appraised_on, approve, make_plan
from .utils import make_project

pytestmark = pytest.mark.django_db

OUTSIDERS = ["reporter", "applicant_user", "observer"]
PLAN_PAGE_QUERIES = 32


def _urls(plan, item):
    return [
        reverse("programmes:plan_list"),
        reverse("programmes:plan_create"),
        reverse("programmes:plan_detail", args=[plan.pk]),
        reverse("programmes:plan_reality_xlsx", args=[plan.pk]),
        reverse("programmes:plan_item_add", args=[plan.pk]),
        reverse("programmes:plan_item_edit", args=[plan.pk, item.pk]),
        reverse("programmes:plan_step", args=[plan.pk, "submit"]),
        reverse("programmes:plan_adjust", args=[plan.pk]),
    ]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_403_and_their_posts_change_nothing(client, staff, leader, who, request):
    plan = make_plan(staff, leader, approve=False)
    item = plan.items.get()
    client.force_login(request.getfixturevalue(who))
    for url in _urls(plan, item):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("programmes:plan_item_delete", args=[plan.pk, item.pk])).status_code == 403
    assert client.post(reverse("programmes:plan_step", args=[plan.pk, "submit"])).status_code == 403
    assert PlanItem.objects.filter(pk=item.pk).exists()
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.DRAFT


def test_anonymous_is_sent_to_sign_in(client, staff, leader):
    plan = make_plan(staff, leader, approve=False)
    for url in _urls(plan, plan.items.get()):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            resolve_url(settings.LOGIN_URL)
        )


@pytest.mark.parametrize("who", ["staff", "leader"])
def test_staff_and_leaders_open_every_page(client, staff, leader, who, request):
    plan = make_plan(staff, leader, approve=False)
    client.force_login(request.getfixturevalue(who))
    for url in _urls(plan, plan.items.get()):
        if url.endswith(("/buoc/submit/", "/dieu-chinh/")):
            continue  # a step the user may not take here redirects (below)
        assert client.get(url).status_code == 200, url


def test_staff_build_a_plan_and_a_leader_approves_it(client, staff, leader):
    client.force_login(staff)
    response = client.post(
        reverse("programmes:plan_create"), {"year": 2027, "funding_source": _kcdp().pk, "note": "Kế hoạch"}
    )
    plan = AnnualPlan.objects.get(year=2027)
    assert response["Location"] == reverse("programmes:plan_detail", args=[plan.pk])
    activity = ActivityType.objects.get(programme__is_current=True, code="2b")
    response = client.post(
        reverse("programmes:plan_item_add", args=[plan.pk]),
        {
            "activity": activity.pk,
            "variant": activity.variants.get(key="machine").pk,
            "label": "Máy móc",
            "planned_quantity": 3,
            "unit": "cơ sở",
            "planned_support": "1.500.000.000",
            "expected_counterpart": "2.000.000.000",
            "communes": [],
            **_v(plan),
        },
    )
    assert response.status_code == 302
    item = plan.items.get()
    assert (item.planned_support, item.expected_counterpart, item.planned_quantity) == (
        1_500_000_000,
        2_000_000_000,
        3,
    )
    client.post(
        reverse("programmes:plan_item_edit", args=[plan.pk, item.pk]),
        {"activity": activity.pk, "planned_quantity": 4, "planned_support": "1.600.000.000", **_v(plan)},
    )
    assert PlanItem.objects.get(pk=item.pk).planned_support == 1_600_000_000
    client.post(reverse("programmes:plan_step", args=[plan.pk, "submit"]), _v(plan))
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.SUBMITTED
    # the leader returns it with what must change, staff resubmit
    client.force_login(leader)
    client.post(
        reverse("programmes:plan_step", args=[plan.pk, "return"]),
        {"comment": "Bổ sung xã dự kiến", **_v(plan)},
    )
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.DRAFT
    client.force_login(staff)
    client.post(reverse("programmes:plan_step", args=[plan.pk, "submit"]), _v(plan))
    # staff may not approve: redirected, nothing changes
    client.post(
        reverse("programmes:plan_step", args=[plan.pk, "approve"]),
        {
            "decision_number": "1/QĐ-UBND",
            "decision_date": "20/12/2025",
            "issuer": "province_chair",
            **_v(plan),
        },
    )
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.SUBMITTED
    client.force_login(leader)
    # a KCĐP plan is not the Minister's: refused, nothing changes
    response = client.post(
        reverse("programmes:plan_step", args=[plan.pk, "approve"]),
        {"decision_number": "1/QĐ-BCT", "decision_date": "20/12/2025", "issuer": "ministry", **_v(plan)},
    )
    assert response.status_code == 200 and "issuer" in response.context["form"].errors
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.SUBMITTED
    client.post(
        reverse("programmes:plan_step", args=[plan.pk, "approve"]),
        {
            "decision_number": "1/QĐ-UBND",
            "decision_date": "20/12/2025",
            "issuer": "province_chair",
            **_v(plan),
        },
    )
    plan.refresh_from_db()
    assert (plan.status, plan.decision_number, plan.issuer) == ("approved", "1/QĐ-UBND", "province_chair")
    html = client.get(reverse("programmes:plan_detail", args=[plan.pk])).content.decode()
    assert "Bổ sung xã dự kiến" in html and "Chủ tịch UBND tỉnh" in html
    # the adjustment: a new draft version with the same line, the approved one kept
    response = client.post(
        reverse("programmes:plan_adjust", args=[plan.pk]), {"reason": "Tăng kinh phí", **_v(plan)}
    )
    new = AnnualPlan.objects.get(year=2027, revision=1)
    assert response["Location"] == reverse("programmes:plan_detail", args=[new.pk])
    assert list(new.items.values_list("line", "planned_support")) == [(1, 1_600_000_000)]
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.APPROVED
    html = client.get(reverse("programmes:plan_detail", args=[new.pk])).content.decode()
    assert 'data-testid="plan-versions"' in html and "Tăng kinh phí" in html


def _item_row(html: str, line: int) -> str:
    """The row of plan line `line` in the plan page's items table."""
    table = re.search(r'data-testid="plan-items".*?</table>', html, re.S).group(0)
    return re.search(rf'<tr data-line="{line}">.*?</tr>', table, re.S).group(0)


def _communes_of(item) -> set[str]:
    return set(PlanItem.objects.get(pk=item.pk).communes.values_list("code", flat=True))


def test_an_items_communes_and_beneficiaries_are_saved_shown_and_copied_by_an_adjustment(
    client, staff, leader
):
    # Line 1 foresees nothing; line 2, added on the page, two communes and its beneficiaries.
    plan = make_plan(staff, leader, year=2027, approve=False)
    pho_hien, son_nam = (AdministrativeUnit.objects.get(code=code) for code in ("11953", "11983"))
    activity = ActivityType.objects.get(programme__is_current=True, code="2a")
    foreseen = "Các hộ làm nghề mây tre đan"
    client.force_login(staff)
    response = client.post(
        reverse("programmes:plan_item_add", args=[plan.pk]),
        {
            "activity": activity.pk,
            "planned_quantity": 2,
            "unit": "mô hình",
            "planned_support": "400.000.000",
            "communes": [pho_hien.pk, son_nam.pk],
            "beneficiaries_foreseen": foreseen,
            **_v(plan),
        },
    )
    assert response.status_code == 302
    item = plan.items.get(line=2)
    assert _communes_of(item) == {"11953", "11983"} and item.beneficiaries_foreseen == foreseen
    assert _communes_of(plan.items.get(line=1)) == set()
    html = client.get(reverse("programmes:plan_detail", args=[plan.pk])).content.decode()
    row = _item_row(html, 2)
    assert "Phố Hiến" in row and "Sơn Nam" in row and foreseen in row
    assert "Phố Hiến" not in _item_row(html, 1) and foreseen not in _item_row(html, 1)
    # the edit form opens with them chosen
    form = client.get(reverse("programmes:plan_item_edit", args=[plan.pk, item.pk])).context["form"]
    assert {c.pk for c in form.initial["communes"]} == {pho_hien.pk, son_nam.pk}
    assert form.initial["beneficiaries_foreseen"] == foreseen
    plans.plan_transition(user=staff, plan=plan, step="submit")
    plans.plan_transition(user=leader, plan=plan, step="approve", data=DECISION)
    # the adjustment copies both to the new version
    response = client.post(
        reverse("programmes:plan_adjust", args=[plan.pk]), {"reason": "Thêm xã", **_v(plan)}
    )
    new = AnnualPlan.objects.get(previous=plan)
    assert response["Location"] == reverse("programmes:plan_detail", args=[new.pk])
    copied = new.items.get(line=2)
    assert copied.pk != item.pk
    assert _communes_of(copied) == {"11953", "11983"} and copied.beneficiaries_foreseen == foreseen
    assert _communes_of(new.items.get(line=1)) == set()
    row = _item_row(client.get(reverse("programmes:plan_detail", args=[new.pk])).content.decode(), 2)
    assert "Phố Hiến" in row and "Sơn Nam" in row and foreseen in row
    # changing the new version's line leaves the approved one as it was
    response = client.post(
        reverse("programmes:plan_item_edit", args=[new.pk, copied.pk]),
        {
            "activity": activity.pk,
            "planned_quantity": 2,
            "planned_support": "400.000.000",
            "communes": [son_nam.pk],
            "beneficiaries_foreseen": "Hợp tác xã Sơn Nam",
            **_v(new),
        },
    )
    assert response.status_code == 302
    assert _communes_of(copied) == {"11983"}
    assert PlanItem.objects.get(pk=copied.pk).beneficiaries_foreseen == "Hợp tác xã Sơn Nam"
    assert _communes_of(item) == {"11953", "11983"}
    assert PlanItem.objects.get(pk=item.pk).beneficiaries_foreseen == foreseen


def _v(plan) -> dict:
    """The plan's version as its forms carry it."""
    return {"version": AnnualPlan.objects.get(pk=plan.pk).version}


def test_a_form_opened_on_an_older_version_of_the_plan_changes_nothing(client, staff, leader):
    # Two officers on one draft plan: the second save, made on the page opened before the first,
    # is refused with the stale message; so is a form without its version, and a stale delete.
    plan = make_plan(staff, leader, approve=False)
    item = plan.items.get()
    client.force_login(staff)
    opened = _v(plan)
    edit = reverse("programmes:plan_item_edit", args=[plan.pk, item.pk])
    first = {"activity": item.activity_id, "planned_quantity": 4, "planned_support": "100.000.000", **opened}
    assert client.post(edit, first).status_code == 302
    second = {**first, "planned_support": "999.000.000"}
    response = client.post(edit, second)
    assert response.status_code == 200 and "người khác cập nhật" in response.content.decode()
    assert PlanItem.objects.get(pk=item.pk).planned_support == 100_000_000
    without = {k: v for k, v in second.items() if k != "version"}
    assert client.post(edit, without).status_code == 200
    assert PlanItem.objects.get(pk=item.pk).planned_support == 100_000_000
    client.post(reverse("programmes:plan_item_delete", args=[plan.pk, item.pk]), opened)
    assert PlanItem.objects.filter(pk=item.pk).exists()
    client.post(reverse("programmes:plan_step", args=[plan.pk, "submit"]), opened)
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.DRAFT
    client.post(reverse("programmes:plan_step", args=[plan.pk, "submit"]), _v(plan))
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.SUBMITTED


def test_deleting_an_item_of_an_approved_plan_is_refused(client, staff, leader):
    plan = make_plan(staff, leader)
    item = plan.items.get()
    client.force_login(staff)
    client.post(reverse("programmes:plan_item_delete", args=[plan.pk, item.pk]), _v(plan))
    assert PlanItem.objects.filter(pk=item.pk).exists()


def _kcdp():
    from programmes.models import FundingSource

    return FundingSource.objects.get(code="KCDP")


def test_plan_page_and_xlsx_show_the_same_figures_and_mark_cells_over_plan(
    client, staff, leader, django_assert_max_num_queries
):
    item = make_plan(staff, leader, support=500_000_000).items.get()
    approve(leader, appraised_on(staff, leader, item, support=300_000_000))
    approve(leader, appraised_on(staff, leader, item, support=250_000_000, title="Thứ hai"))
    client.force_login(staff)
    with django_assert_max_num_queries(PLAN_PAGE_QUERIES):
        html = client.get(reverse("programmes:plan_detail", args=[item.plan_id])).content.decode()
    committed = re.search(r'data-cell="committed">([^<]*)', html).group(1).strip()
    assert committed == "550.000.000 đ"
    assert "kc-over" in html and "vượt kế hoạch" in html
    response = client.get(reverse("programmes:plan_reality_xlsx", args=[item.plan_id]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "STT")
    data = rows[rows.index(header) + 1]
    reality = plan_reality(item.plan)
    line = reality.rows[0]
    assert data[4:9] == (line.planned, line.committed, line.contracted, line.disbursed, line.settled)
    assert data[5] == 550_000_000 and isinstance(data[5], int)
    assert "đã phê duyệt" in data[-1]


def test_plan_page_queries_do_not_grow_with_projects(client, staff, leader, django_assert_max_num_queries):
    item = make_plan(staff, leader, support=5_000_000_000).items.get()
    client.force_login(staff)
    for n in range(3):
        approve(leader, appraised_on(staff, leader, item, support=100_000_000, title=f"Đề án {n}"))
        with django_assert_max_num_queries(PLAN_PAGE_QUERIES):
            assert client.get(reverse("programmes:plan_detail", args=[item.plan_id])).status_code == 200


def test_the_project_page_picks_the_plan_item_and_the_yearly_shares(client, staff, leader, observer):
    item = make_plan(staff, leader).items.get()
    item_2027 = make_plan(staff, leader, year=2027).items.get()
    project = make_project(staff)
    # an observer sees no form and may not post
    client.force_login(observer)
    assert 'data-testid="plan-item-form"' not in client.get(f"/de-an/{project.pk}/").content.decode()
    assert (
        client.post(reverse("projects:plan_item", args=[project.pk]), {"plan_item": item.pk}).status_code
        == 403
    )
    assert Project.objects.get(pk=project.pk).plan_item is None
    client.force_login(staff)
    assert 'data-testid="plan-item-form"' in client.get(f"/de-an/{project.pk}/").content.decode()
    client.post(reverse("projects:plan_item", args=[project.pk]), {"plan_item": item.pk})
    assert Project.objects.get(pk=project.pk).plan_item == item
    # an item of another year is not a choice: nothing changes
    client.post(reverse("projects:plan_item", args=[project.pk]), {"plan_item": item_2027.pk})
    assert Project.objects.get(pk=project.pk).plan_item == item
    url = reverse("projects:plan_shares", args=[project.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "item_2026": item.pk,
            "amount_2026": "200.000.000",
            "item_2027": item_2027.pk,
            "amount_2027": "100.000.000",
        },
    )
    assert response.status_code == 302
    assert list(project.plan_shares.values_list("year", "amount")) == [
        (2026, 200_000_000),
        (2027, 100_000_000),
    ]
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    assert 'data-testid="plan-shares"' in html and "100.000.000 đ" in html
    # one year alone is refused on the form, nothing changes
    response = client.post(url, {"item_2026": item.pk, "amount_2026": "300.000.000"})
    assert response.status_code == 200
    assert project.plan_shares.count() == 2


def test_the_menu_has_the_plans_for_staff_and_leaders_only(client, staff, observer):
    client.force_login(staff)
    assert reverse("programmes:plan_list") in client.get(reverse("accounts:dashboard")).content.decode()
    client.force_login(observer)
    assert reverse("programmes:plan_list") not in client.get(reverse("accounts:dashboard")).content.decode()

"""Issue 9 part C on the project pages: internal flags for staff only, planned and recorded dates,
the commune filter by name, the variant list by activity."""

import datetime
import re

import pytest

from accounts.roles import Role
from projects.models import Project, Status

from .utils import advance, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(staff, applicant):
    """In progress since March with no May report (late on 15/06), and no provincial ceiling."""
    project = make_project(staff, beneficiaries=[applicant])
    Project.objects.filter(pk=project.pk).update(
        status=Status.IN_PROGRESS, started_on=datetime.date(2026, 3, 16), ceiling_flag=True
    )
    return Project.objects.get(pk=project.pk)


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.STAFF, True),
        (Role.LEADER, True),
        (Role.APPLICANT, False),
        (Role.UNIT_REPORTER, False),
        (Role.OBSERVER, False),
    ],
)
def test_internal_flags_are_shown_to_staff_and_leaders_only(client, users, flagged, role, shown):
    client.force_login(users[role])
    page = client.get(f"/de-an/{flagged.pk}/").content.decode()
    assert ('data-testid="late-flag"' in page) is shown
    assert ('data-testid="ceiling-flag"' in page) is shown
    if role != Role.APPLICANT:
        listing = client.get("/de-an/").content.decode()
        assert ('data-flag="late"' in listing) is shown and ('data-flag="ceiling"' in listing) is shown


def test_the_project_page_shows_planned_dates_and_the_dates_each_step_recorded(client, staff, leader):
    project = advance(leader, make_project(staff), Status.IN_PROGRESS)
    client.force_login(staff)
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    table = html.split('data-testid="milestones"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r"<tr data-milestone=\"\d+\"><td>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td>", table
    )
    by_label = {label: (planned, recorded) for label, planned, recorded in rows}
    assert by_label["Phê duyệt"] == ("—", "02/03/2026")
    assert by_label["Ký hợp đồng"] == ("—", "10/03/2026")
    assert by_label["Bắt đầu thực hiện"] == ("01/03/2026", "16/03/2026")
    assert by_label["Kết thúc, nghiệm thu"] == ("30/11/2026", "—")
    assert by_label["Thẩm định"][1] == "02/03/2026"


def test_the_list_filters_by_commune_name_from_a_searchable_list(client, staff):
    here = make_project(staff, title="Ở Phố Hiến")
    make_project(staff, title="Ở Thượng Hồng", communes=("12127",))
    client.force_login(staff)
    html = client.get("/de-an/", {"commune": "Phường Phố Hiến"}).content.decode()
    assert f'data-project="{here.code}"' in html and "Ở Thượng Hồng" not in html
    assert (
        '<input class="form-control form-control-sm" id="f-commune" name="commune" list="communes-list"'
        in html
    )
    assert '<option value="Phường Phố Hiến"></option>' in html
    assert "Ở Phố Hiến" in client.get("/de-an/", {"commune": "11953"}).content.decode()  # a code still works


def test_the_project_form_lists_variants_by_activity(client, staff):
    client.force_login(staff)
    html = client.get("/de-an/them/").content.decode()
    select = re.search(r'<select name="variant".*?</select>', html, re.S).group(0)
    assert 'data-variants-of="id_activity"' in select and "data-activity=" in select

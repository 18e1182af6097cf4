import datetime

import pytest

from programmes.models import AdministrativeUnit
from reports.selectors import programme_progress
from tests.factories import CollaboratorFactory

pytestmark = pytest.mark.django_db


def test_home_presents_the_programme(client, django_assert_max_num_queries):
    # 12 before the public figures (issue 12 item 7): their grouped sum and the funding sources
    # add 2 on a cold cache. Warm (five minutes), the targets' progress is kept too (issue 14): 3
    # queries (the programme, its areas and items), whatever the number of projects.
    with django_assert_max_num_queries(14):
        response = client.get("/")
    assert response.status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/").status_code == 200
    html = response.content.decode()
    assert "Chương trình khuyến công tỉnh Hưng Yên giai đoạn 2026-2030" in html
    assert "Quyết định số 1966/QĐ-UBND ngày 27/11/2025" in html
    assert "Giai đoạn 2026–2030" in html and "2.026" not in html
    assert html.count('data-area="') == 6
    assert html.count('data-activity="') == 25
    assert html.count('<tr data-row="') == 5  # a row of the chart's table per target
    assert html.count("<svg") == 1 and "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]
    assert 'href="/tai-khoan/dang-nhap/"' in html
    assert '<html lang="vi">' in html


def test_progress_is_zero_without_data(programme):
    progress = {row.target.code: row for row in programme_progress(programme)}
    assert all(row.achieved == 0 for row in progress.values())
    assert progress["collaborators"].goal == 104


def test_collaborator_progress_counts_active_communes_with_an_active_collaborator(programme):
    CollaboratorFactory(commune=AdministrativeUnit.objects.get(code="11953"))
    CollaboratorFactory(commune=AdministrativeUnit.objects.get(code="11953"))  # same commune: counts once
    CollaboratorFactory(
        commune=AdministrativeUnit.objects.get(code="12364"), ended_on=datetime.date(2026, 2, 1)
    )
    merged = AdministrativeUnit.objects.get(code="12391")
    CollaboratorFactory(commune=merged)
    merged.is_active = False  # a commune merged away no longer counts, on either side
    merged.save()
    progress = {
        row.target.code: row for row in programme_progress(programme, on_date=datetime.date(2026, 6, 1))
    }
    assert progress["collaborators"].achieved == 1
    assert progress["collaborators"].goal == 103
    assert progress["collaborators"].percent == 1


def test_home_page_progress_moves_with_data(client):
    CollaboratorFactory()
    html = client.get("/").content.decode()
    row = html.split('<tr data-row="collaborators">', 1)[1].split("</tr>", 1)[0]
    assert '<td data-column="achieved" class="text-end text-nowrap kc-num">1</td>' in row
    assert '<td data-column="goal" class="text-end text-nowrap kc-num">104</td>' in row
    assert '<td data-column="percent" class="text-end text-nowrap kc-num">1%</td>' in row


def _achieved_collaborators(client):
    html = client.get("/").content.decode()
    row = html.split('<tr data-row="collaborators">', 1)[1].split("</tr>", 1)[0]
    return row.split('data-column="achieved"', 1)[1].split(">", 1)[1].split("<", 1)[0]


def test_home_page_progress_is_kept_for_a_few_minutes_then_recomputed(client):
    """The counters are computed once per five minutes (reports.home.CACHE_SECONDS), not per
    visitor: a write that sends no signal (a bulk insert) shows once the kept figures expire
    (here: cleared); a saved row shows at once (reports.figures_watch)."""
    from django.core.cache import cache

    from programmes.models import AdministrativeUnit, Collaborator

    assert _achieved_collaborators(client) == "0"
    first, second = AdministrativeUnit.objects.order_by("code")[:2]
    Collaborator.objects.bulk_create(
        [Collaborator(full_name="Bùi Văn A", commune=first, appointed_on="2026-01-05")]
    )
    assert _achieved_collaborators(client) == "0"
    cache.clear()
    assert _achieved_collaborators(client) == "1"
    Collaborator.objects.create(full_name="Trần Thị B", commune=second, appointed_on="2026-01-05")
    assert _achieved_collaborators(client) == "2"


def test_writes_to_what_the_figures_read_make_them_stale_and_others_do_not(
    client, django_capture_on_commit_callbacks
):
    """Any write to the programme's data bumps the figures' version at once and again after
    commit (reports.figures_watch): the next visit
    computes the progress again instead of waiting out the five minutes. Writes elsewhere (a
    user, a notification, a document's file) keep them."""
    from accounts.models import Notification
    from accounts.roles import Role
    from projects.figures import figures_version
    from projects.models import Status
    from tests.factories import UserFactory
    from tests.projects.utils import advance, make_project

    client.get("/")
    before = figures_version()
    staff, leader = UserFactory(roles=[Role.STAFF]), UserFactory(roles=[Role.LEADER])
    Notification.objects.create(recipient=staff, event="test", title="Thông báo")
    assert figures_version() == before
    project = make_project(staff)
    drafted = figures_version()
    assert drafted > before
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        advance(leader, project, Status.SUBMITTED)
    assert callbacks and figures_version() > drafted
    CollaboratorFactory()
    html = client.get("/").content.decode()  # a new key: computed again, the collaborator counts
    row = html.split('<tr data-row="collaborators">', 1)[1].split("</tr>", 1)[0]
    assert '<td data-column="achieved" class="text-end text-nowrap kc-num">1</td>' in row

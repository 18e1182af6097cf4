"""Staff record the selection rounds (year + recognition decision) on a page of their own, not only
in the admin: the selection-rounds target counts these rows (projects.selectors.target_achieved)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from programmes.models import Programme, SelectionRound
from projects.selectors import target_achieved
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/chuong-trinh/ky-binh-chon/"
NOW = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
ROLES = [Role.STAFF, Role.LEADER, Role.UNIT_REPORTER, Role.APPLICANT, Role.OBSERVER]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def programme(db):
    return Programme.objects.get(is_current=True)


def _data(**changes):
    data = {
        "level": "provincial",
        "year": "2026",
        "recognition_decision": "1234/QĐ-UBND",
        "recognition_date": "20/08/2026",
        "products_recognised": "25",
        "note": "",
    }
    return data | changes


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.STAFF, 200),
        (Role.LEADER, 200),
        (Role.UNIT_REPORTER, 403),
        (Role.APPLICANT, 403),
        (Role.OBSERVER, 403),
        (None, 302),
    ],
)
def test_the_page_is_for_staff_and_leaders(client, programme, role, expected):
    SelectionRound.objects.create(
        programme=programme,
        year=2026,
        recognition_decision="88/QĐ-UBND",
        recognition_date=datetime.date(2026, 5, 4),
    )
    if role:
        client.force_login(UserFactory(roles=[role]))
    response = client.get(URL)
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert "88/QĐ-UBND" in html and "04/05/2026" in html
        assert 'data-testid="round-form"' in html
    if expected == 302:
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")


@pytest.mark.parametrize("role", [Role.UNIT_REPORTER, Role.APPLICANT, Role.OBSERVER, None])
def test_nobody_else_adds_a_round(client, programme, role):
    if role:
        client.force_login(UserFactory(roles=[role]))
    response = client.post(URL, _data())
    assert response.status_code in (302, 403) and not SelectionRound.objects.exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER])
def test_staff_add_a_round_and_the_target_counts_it(client, programme, role):
    client.force_login(UserFactory(roles=[role]))
    assert target_achieved(programme, "selection_rounds") == 0
    response = client.post(URL, _data())
    assert response.status_code == 302 and response["Location"] == URL
    round_ = SelectionRound.objects.get()
    assert (round_.programme, round_.year, round_.recognition_decision) == (programme, 2026, "1234/QĐ-UBND")
    assert round_.recognition_date == datetime.date(2026, 8, 20) and round_.products_recognised == 25
    assert target_achieved(programme, "selection_rounds") == 1
    html = client.get(URL).content.decode()
    assert "Đã ghi kỳ bình chọn" in html and "1234/QĐ-UBND" in html and "20/08/2026" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recognition_date": "20/08/2025"}, "không được trước năm bình chọn"),
        ({"recognition_date": "02/09/2026"}, "không được sau hôm nay"),
        ({"year": "2019"}, "2026-2030"),
        ({"recognition_decision": "  "}, "Trường này là bắt buộc"),
    ],
)
def test_a_bad_round_is_refused_in_vietnamese_and_nothing_is_recorded(client, programme, changes, message):
    client.force_login(UserFactory(roles=[Role.STAFF]))
    response = client.post(URL, _data(**changes))
    assert response.status_code == 200 and message in response.content.decode()
    assert not SelectionRound.objects.exists()


def test_the_same_round_twice_is_refused(client, programme):
    client.force_login(UserFactory(roles=[Role.STAFF]))
    client.post(URL, _data())
    response = client.post(URL, _data())
    assert response.status_code == 200 and "đã được ghi" in response.content.decode()
    assert SelectionRound.objects.count() == 1


def test_staff_reach_it_from_the_menu(client):
    client.force_login(UserFactory(roles=[Role.STAFF]))
    assert f'href="{URL}"' in client.get("/tai-khoan/").content.decode()
    client.force_login(UserFactory(roles=[Role.OBSERVER]))
    assert f'href="{URL}"' not in client.get("/tai-khoan/").content.decode()

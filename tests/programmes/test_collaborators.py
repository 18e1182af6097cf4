"""Staff manage each commune's khuyến công collaborator on pages of their own (issue 12 item 5), and
the `collaborators` target counts communes with one in office on a date."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from programmes.models import Collaborator
from programmes.selectors import communes_with_active_collaborator
from reports.selectors import programme_progress
from tests.factories import CollaboratorFactory, UserFactory, commune

pytestmark = pytest.mark.django_db

URL = "/chuong-trinh/cong-tac-vien/"
ADD = URL + "them/"
NOW = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
PHO_HIEN, TIEN_LU, TIEN_HOA = "11953", "12364", "12361"
D = datetime.date


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff(client):
    user = UserFactory(roles=[Role.STAFF])
    client.force_login(user)
    return user


def _data(**changes):
    data = {
        "commune": "Xã Tiên Lữ",
        "full_name": "Đỗ Văn Khải",
        "position": "Cán bộ văn hoá xã",
        "phone": "0912345678",
        "email": "khai@example.test",
        "appointment_decision": "12/QĐ-SCT",
        "appointed_on": "05/01/2026",
    }
    return data | changes


# --- counting on a date -------------------------------------------------------------------------


def test_counting_on_a_date():
    CollaboratorFactory(commune=commune(PHO_HIEN), appointed_on=D(2026, 1, 1))  # counts
    CollaboratorFactory(commune=commune(PHO_HIEN), appointed_on=D(2026, 3, 1))  # same commune: once
    CollaboratorFactory(commune=commune(TIEN_LU), appointed_on=D(2026, 6, 2))  # appointed after
    CollaboratorFactory(commune=commune(TIEN_HOA), appointed_on=D(2026, 1, 1), ended_on=D(2026, 5, 31))
    ended_on_the_day = CollaboratorFactory(
        commune=commune("11977"), appointed_on=D(2026, 1, 1), ended_on=D(2026, 6, 1)
    )
    assert communes_with_active_collaborator(D(2026, 6, 1)) == 2  # Phố Hiến, and ended on the day
    assert communes_with_active_collaborator(D(2026, 6, 2)) == 2  # Phố Hiến, Tiên Lữ
    assert communes_with_active_collaborator(D(2025, 12, 31)) == 0
    ended_on_the_day.delete()
    assert communes_with_active_collaborator(D(2026, 6, 1)) == 1


def test_the_target_uses_the_selector(programme):
    CollaboratorFactory(commune=commune(PHO_HIEN), appointed_on=D(2026, 1, 1), ended_on=D(2026, 6, 30))
    rows = {row.target.measure: row for row in programme_progress(programme, on_date=D(2026, 6, 30))}
    assert rows["collaborators"].achieved == 1
    rows = {row.target.measure: row for row in programme_progress(programme, on_date=D(2026, 7, 1))}
    assert rows["collaborators"].achieved == 0


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.STAFF, 200),
        (Role.LEADER, 200),
        (Role.OBSERVER, 200),
        (Role.UNIT_REPORTER, 403),
        (Role.APPLICANT, 403),
        (None, 302),
    ],
)
def test_the_list_is_for_staff_leaders_and_observers(client, role, expected):
    CollaboratorFactory(commune=commune(TIEN_LU), phone="0987654321", email="ctv@example.test")
    if role:
        client.force_login(UserFactory(roles=[role]))
    response = client.get(URL)
    assert response.status_code == expected
    if expected != 200:
        return
    html = response.content.decode()
    assert "Xã Tiên Lữ" in html and "01/01/2026" in html
    manager = role != Role.OBSERVER
    assert ("0987654321" in html) is manager
    assert ("ctv@example.test" in html) is manager
    assert ('data-testid="add"' in html) is manager


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.UNIT_REPORTER, Role.APPLICANT])
def test_only_staff_and_leaders_write(client, role):
    c = CollaboratorFactory(commune=commune(TIEN_LU))
    client.force_login(UserFactory(roles=[role]))
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, _data(commune="Xã Tiên Hoa")).status_code == 403
    assert client.post(f"{URL}{c.pk}/", _data(version="1")).status_code == 403
    end = {"ended_on": "01/08/2026", "reason": "Nghỉ hưu", "version": "1"}
    assert client.post(f"{URL}{c.pk}/ket-thuc/", end).status_code == 403
    c.refresh_from_db()
    assert Collaborator.objects.count() == 1 and c.ended_on is None and c.full_name != "Đỗ Văn Khải"


def test_the_menu_has_the_entry(client):
    client.force_login(UserFactory(roles=[Role.OBSERVER]))
    assert URL in client.get("/").content.decode()


# --- the list's filters -------------------------------------------------------------------------


def test_filter_by_commune_ignores_diacritics(client, staff):
    CollaboratorFactory(commune=commune(TIEN_LU), full_name="Người Tiên Lữ")
    CollaboratorFactory(commune=commune(PHO_HIEN), full_name="Người Phố Hiến")
    html = client.get(URL, {"xa": "pho hien"}).content.decode()
    assert "Người Phố Hiến" in html and "Người Tiên Lữ" not in html


def test_filter_active_on_a_date(client, staff):
    CollaboratorFactory(commune=commune(TIEN_LU), full_name="Người Cũ", ended_on=D(2026, 3, 31))
    CollaboratorFactory(commune=commune(TIEN_LU), full_name="Người Mới", appointed_on=D(2026, 4, 1))
    html = client.get(URL, {"dang_lam_viec_ngay": "31/03/2026"}).content.decode()
    assert "Người Cũ" in html and "Người Mới" not in html
    html = client.get(URL, {"dang_lam_viec_ngay": "01/04/2026"}).content.decode()
    assert "Người Cũ" not in html and "Người Mới" in html
    response = client.get(URL, {"dang_lam_viec_ngay": "31-02-x"})
    html = response.content.decode()
    assert response.status_code == 200 and "Nhập ngày theo dạng dd/mm/yyyy." in html
    assert "Người Cũ" not in html and "Người Mới" not in html


def test_the_list_is_a_constant_number_of_queries(client, staff, django_assert_max_num_queries):
    for code in (PHO_HIEN, TIEN_LU, TIEN_HOA):
        CollaboratorFactory(commune=commune(code))
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


# --- add, edit, end -----------------------------------------------------------------------------


def test_staff_add_a_collaborator(client, staff):
    response = client.post(ADD, _data(commune="tien lu"))
    assert response.status_code == 302
    c = Collaborator.objects.get()
    assert (c.commune.code, c.full_name, c.appointed_on, c.phone) == (
        TIEN_LU,
        "Đỗ Văn Khải",
        D(2026, 1, 5),
        "0912345678",
    )


def test_a_second_active_collaborator_in_a_commune_is_refused(client, staff):
    CollaboratorFactory(commune=commune(TIEN_LU), full_name="Người Đang Làm", appointed_on=D(2025, 6, 1))
    response = client.post(ADD, _data())
    html = response.content.decode()
    assert response.status_code == 200 and Collaborator.objects.count() == 1
    assert "Xã Tiên Lữ đã có cộng tác viên Người Đang Làm từ 01/06/2025" in html


def test_a_successor_after_the_end_is_accepted_but_not_on_the_last_day(client, staff):
    CollaboratorFactory(commune=commune(TIEN_LU), appointed_on=D(2025, 6, 1), ended_on=D(2026, 1, 4))
    assert client.post(ADD, _data(appointed_on="04/01/2026")).status_code == 200
    assert Collaborator.objects.count() == 1
    assert client.post(ADD, _data(appointed_on="05/01/2026")).status_code == 302
    assert Collaborator.objects.count() == 2


def test_an_earlier_collaborator_cannot_be_added_over_a_later_one(client, staff):
    CollaboratorFactory(commune=commune(TIEN_LU), appointed_on=D(2026, 3, 1))
    assert client.post(ADD, _data(appointed_on="01/01/2026")).status_code == 200
    assert Collaborator.objects.count() == 1


def test_bad_input_says_why_and_changes_nothing(client, staff):
    response = client.post(ADD, _data(appointed_on="2026/13/01", commune="Xã Không Có"))
    html = response.content.decode()
    assert response.status_code == 200 and not Collaborator.objects.exists()
    assert "Không có xã, phường “Xã Không Có”" in html


def test_staff_edit_a_collaborator(client, staff):
    c = CollaboratorFactory(commune=commune(TIEN_LU))
    page = client.get(f"{URL}{c.pk}/").content.decode()
    assert 'value="Xã Tiên Lữ"' in page and 'value="01/01/2026"' in page
    response = client.post(f"{URL}{c.pk}/", _data(version=str(c.version)))
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.full_name, c.appointed_on, c.version) == ("Đỗ Văn Khải", D(2026, 1, 5), 2)


def test_a_stale_edit_is_refused(client, staff):
    c = CollaboratorFactory(commune=commune(TIEN_LU), full_name="Tên Cũ")
    Collaborator.objects.filter(pk=c.pk).update(version=2)  # saved by someone else meanwhile
    response = client.post(f"{URL}{c.pk}/", _data(version="1"))
    assert response.status_code == 200 and "vừa được người khác cập nhật" in response.content.decode()
    missing = client.post(f"{URL}{c.pk}/", _data())
    assert missing.status_code == 200 and "vừa được người khác cập nhật" in missing.content.decode()
    c.refresh_from_db()
    assert c.full_name == "Tên Cũ" and c.version == 2


def test_an_edit_cannot_make_two_active_in_a_commune(client, staff):
    CollaboratorFactory(commune=commune(TIEN_LU))
    other = CollaboratorFactory(commune=commune(TIEN_HOA))
    response = client.post(f"{URL}{other.pk}/", _data(version="1"))
    assert response.status_code == 200 and "đã có cộng tác viên" in response.content.decode()
    other.refresh_from_db()
    assert other.commune.code == TIEN_HOA and other.version == 1


def test_staff_end_an_appointment(client, staff):
    c = CollaboratorFactory(commune=commune(TIEN_LU))
    response = client.post(
        f"{URL}{c.pk}/ket-thuc/", {"ended_on": "31/07/2026", "reason": "Chuyển công tác", "version": "1"}
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.ended_on, c.end_reason, c.version) == (D(2026, 7, 31), "Chuyển công tác", 2)
    html = client.get(URL).content.decode()
    assert "31/07/2026" in html and "Chuyển công tác" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"ended_on": "31/12/2025", "reason": "Nghỉ", "version": "1"},
            "không được trước ngày bắt đầu (01/01/2026)",
        ),
        ({"ended_on": "31/07/2026", "reason": "  ", "version": "1"}, "Trường này là bắt buộc."),
        ({"ended_on": "31/07/2026", "reason": "Nghỉ", "version": "7"}, "vừa được người khác cập nhật"),
        ({"ended_on": "31/07/2026", "reason": "Nghỉ"}, "vừa được người khác cập nhật"),
    ],
)
def test_a_bad_end_changes_nothing(client, staff, data, message):
    c = CollaboratorFactory(commune=commune(TIEN_LU))
    response = client.post(f"{URL}{c.pk}/ket-thuc/", data)
    assert response.status_code == 200
    c.refresh_from_db()
    assert c.ended_on is None and c.end_reason == "" and c.version == 1
    assert message in response.content.decode()

import pytest
from django.core import mail

from accounts.models import Notification, User
from accounts.notifications import Event
from accounts.roles import user_roles
from programmes.models import ReportingUnit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["staff", "leader", "unit_reporter", "applicant", "observer"]
MANAGERS = {"staff", "leader"}


def _unit(code="11953"):
    return ReportingUnit.objects.get(commune__code=code)


@pytest.fixture
def staff(client):
    # A fixed name: a random Vietnamese one could match the searches below.
    user = UserFactory(roles=["staff"], full_name="Cán bộ Sở")
    client.force_login(user)
    return user


def _pages(account):
    return [
        ("get", "/tai-khoan/nguoi-dung/"),
        ("get", "/tai-khoan/nguoi-dung/tao-moi/"),
        ("get", f"/tai-khoan/nguoi-dung/{account.pk}/"),
        ("post", f"/tai-khoan/nguoi-dung/{account.pk}/dat-mat-khau-tam/"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_account_pages_are_for_staff_and_leaders_only(client, role):
    account = UserFactory(roles=["applicant"])
    client.force_login(UserFactory(roles=[role]))
    for method, path in _pages(account):
        response = getattr(client, method)(path)
        if role in MANAGERS:
            assert response.status_code == 200, (role, path)
        else:
            assert response.status_code == 403, (role, path)


def test_account_pages_send_anonymous_to_login(client):
    account = UserFactory()
    for method, path in _pages(account):
        response = getattr(client, method)(path)
        assert response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/"), path


def test_superusers_are_not_managed_here(client, staff):
    admin = User.objects.create_superuser(email="root@example.test", password="x", full_name="Quản trị")
    assert client.get(f"/tai-khoan/nguoi-dung/{admin.pk}/").status_code == 404
    assert client.post(f"/tai-khoan/nguoi-dung/{admin.pk}/dat-mat-khau-tam/").status_code == 404
    assert "root@example.test" not in client.get("/tai-khoan/nguoi-dung/").content.decode()


def test_staff_create_a_phone_only_commune_official_who_must_change_the_password(client, staff):
    response = client.post(
        "/tai-khoan/nguoi-dung/tao-moi/",
        {
            "full_name": "  Phạm   Thị Lan ",
            "phone": "0912 000 444",
            "roles": ["unit_reporter"],
            "reporting_units": [str(_unit("12364").pk)],
            "temporary_password": "tam-thoi-2026",
        },
    )
    assert response.status_code == 200
    assert "tam-thoi-2026" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    user = User.objects.get(phone="0912000444")
    assert user.full_name == "Phạm Thị Lan" and user.email is None and user.must_change_password
    assert user_roles(user) == {"unit_reporter"}
    assert list(user.reporting_units.all()) == [_unit("12364")]
    assert Notification.objects.filter(recipient=user, event=Event.ACCOUNT_CREATED).exists()
    assert mail.outbox == []  # no email address: nothing is sent

    client.logout()
    client.post("/tai-khoan/dang-nhap/", {"username": "0912000444", "password": "tam-thoi-2026"})
    assert client.get("/tai-khoan/").url == "/tai-khoan/doi-mat-khau/"


def test_create_generates_a_temporary_password_when_left_empty(client, staff):
    response = client.post(
        "/tai-khoan/nguoi-dung/tao-moi/",
        {"full_name": "Đỗ Văn Đức", "phone": "0912000555", "roles": ["applicant"]},
    )
    password = response.context["password"]
    assert len(password) == 10
    assert User.objects.get(phone="0912000555").check_password(password)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"full_name": "Không liên lạc", "roles": ["applicant"]}, "Cần có email hoặc số điện thoại"),
        ({"full_name": "Sai số", "phone": "12345", "roles": ["applicant"]}, "Số điện thoại không hợp lệ"),
        (
            {"full_name": "Cán bộ xã", "phone": "0912000666", "roles": ["unit_reporter"]},
            "phải thuộc ít nhất một đơn vị báo cáo",
        ),
        (
            {
                "full_name": "Mật khẩu yếu",
                "phone": "0912000777",
                "roles": [],
                "temporary_password": "12345678",
            },
            "mật khẩu",
        ),
    ],
)
def test_create_refuses_bad_input_with_a_clear_message_and_saves_nothing(client, staff, data, message):
    before = User.objects.count()
    response = client.post("/tai-khoan/nguoi-dung/tao-moi/", data)
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert User.objects.count() == before


def test_create_refuses_a_phone_already_in_use(client, staff):
    UserFactory(phone="0912000888")
    response = client.post(
        "/tai-khoan/nguoi-dung/tao-moi/", {"full_name": "Trùng", "phone": "+84 912 000 888", "roles": []}
    )
    assert response.status_code == 200
    assert "đã tồn tại" in response.content.decode()
    assert User.objects.filter(phone="0912000888").count() == 1


def test_only_a_leader_grants_the_leader_role(client, staff):
    data = {"full_name": "Phó Giám đốc", "email": "pgd@example.test", "roles": ["leader"]}
    response = client.post("/tai-khoan/nguoi-dung/tao-moi/", data)
    assert "Chỉ lãnh đạo Sở" in response.content.decode()
    assert not User.objects.filter(email="pgd@example.test").exists()

    client.force_login(UserFactory(roles=["leader"]))
    client.post("/tai-khoan/nguoi-dung/tao-moi/", data)
    assert user_roles(User.objects.get(email="pgd@example.test")) == {"leader"}


def test_staff_edit_roles_and_communes_of_an_account(client, staff):
    account = UserFactory(roles=["applicant"], phone="0912000999", email=None)
    response = client.post(
        f"/tai-khoan/nguoi-dung/{account.pk}/",
        {
            "full_name": account.full_name,
            "phone": "0912000999",
            "roles": ["applicant", "unit_reporter"],
            "reporting_units": [str(_unit("11953").pk), str(_unit("12364").pk)],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    account = User.objects.get(pk=account.pk)
    assert user_roles(account) == {"applicant", "unit_reporter"}
    assert set(account.reporting_units.all()) == {_unit("11953"), _unit("12364")}
    page = client.get(f"/tai-khoan/nguoi-dung/{account.pk}/").content.decode()
    assert 'value="unit_reporter" class="form-check-input" id="id_roles_2" checked' in page


def test_staff_cannot_lock_themselves(client, staff):
    response = client.post(
        f"/tai-khoan/nguoi-dung/{staff.pk}/",
        {"full_name": staff.full_name, "email": staff.email, "roles": ["staff"]},
    )
    assert response.status_code == 200
    assert "không thể tự khóa" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active


def test_staff_reset_a_password_to_a_temporary_one(client, staff):
    account = UserFactory(email=None, phone="0912111222")
    response = client.post(
        f"/tai-khoan/nguoi-dung/{account.pk}/dat-mat-khau-tam/", {"temporary_password": "mat-khau-tam-9"}
    )
    assert response.status_code == 200 and "mat-khau-tam-9" in response.content.decode()
    assert "no-store" in response["Cache-Control"]  # a shared office computer keeps no copy
    account.refresh_from_db()
    assert account.check_password("mat-khau-tam-9") and account.must_change_password
    assert Notification.objects.filter(recipient=account, event=Event.PASSWORD_RESET_BY_STAFF).count() == 1


def test_staff_cannot_reset_a_leader_password(client, staff):
    leader = UserFactory(roles=["leader"])
    response = client.post(f"/tai-khoan/nguoi-dung/{leader.pk}/dat-mat-khau-tam/", follow=True)
    assert "Chỉ lãnh đạo Sở" in response.content.decode()
    leader.refresh_from_db()
    assert leader.check_password("matkhau-Test-123") and not leader.must_change_password


def test_search_ignores_case_and_diacritics_and_lists_in_vietnamese_order(client, staff):
    for name in ["Đỗ Văn Đức", "Dương Thị Hoa", "Ân Văn Bình", "An Thị Đào"]:
        UserFactory(full_name=name)
    page = client.get("/tai-khoan/nguoi-dung/", {"q": "duc"}).content.decode()
    assert "Đỗ Văn Đức" in page and "Dương Thị Hoa" not in page
    names = [u.full_name for u in client.get("/tai-khoan/nguoi-dung/", {"q": "thi"}).context["page"]]
    assert names == ["An Thị Đào", "Dương Thị Hoa"]
    names = [u.full_name for u in client.get("/tai-khoan/nguoi-dung/", {"q": "van"}).context["page"]]
    assert names == ["Ân Văn Bình", "Đỗ Văn Đức"]
    UserFactory(full_name="Số Điện Thoại", phone="0987654321")
    names = [u.full_name for u in client.get("/tai-khoan/nguoi-dung/", {"q": "0987654"}).context["page"]]
    assert names == ["Số Điện Thoại"]


@pytest.mark.parametrize("count", [3, 30])
def test_user_list_query_count_is_constant(client, staff, django_assert_max_num_queries, count):
    for _ in range(count):
        UserFactory(roles=["unit_reporter"]).reporting_units.add(_unit())
    with django_assert_max_num_queries(8):
        response = client.get("/tai-khoan/nguoi-dung/")
    assert response.status_code == 200
    assert len(response.context["page"]) == count + 1


def test_user_list_pages_keep_the_vietnamese_order(client, staff):
    for n in range(60):
        UserFactory(full_name=f"Đặng Thị {n:02d}")
    first = [u.full_name for u in client.get("/tai-khoan/nguoi-dung/", {"q": "dang thi"}).context["page"]]
    second = [
        u.full_name
        for u in client.get("/tai-khoan/nguoi-dung/", {"q": "dang thi", "page": 2}).context["page"]
    ]
    assert len(first) == 50 and len(second) == 10
    assert first + second == [f"Đặng Thị {n:02d}" for n in range(60)]


def test_user_list_folds_contacts_under_the_name_at_phone_width(client, staff):
    """At 390 px the email, phone and unit columns are hidden; the contact shows under the name."""
    account = UserFactory(full_name="Phạm Thị Lan", phone="0912000444", email="lan@example.test")
    page = client.get("/tai-khoan/nguoi-dung/").content.decode()
    row = page.split(f'data-user="{account.pk}"', 1)[1].split("</tr>", 1)[0]
    folded = row.split('data-testid="contact-phone-width">', 1)[1].split("</div>", 1)[0]
    assert folded == "0912000444<br>lan@example.test"
    assert 'class="small text-muted d-md-none' in row
    assert row.count('class="d-none d-md-table-cell"') == 3

import datetime

import pytest
import time_machine

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "login", ["canbo@example.test", "CanBo@Example.test", "0912345678", "+84 912 345 678"]
)
def test_login_by_email_or_phone(client, login):
    UserFactory(email="canbo@example.test", phone="0912345678")
    response = client.post("/tai-khoan/dang-nhap/", {"username": login, "password": "matkhau-Test-123"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert response.url == "/tai-khoan/"


def test_wrong_password_gets_a_vietnamese_message(client):
    UserFactory(phone="0912345678")
    response = client.post("/tai-khoan/dang-nhap/", {"username": "0912345678", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu không đúng" in response.content.decode()


# --- Repeated wrong passwords are slowed down per login and per address ----------------------

PASSWORD = "matkhau-Test-123"
LOGIN_URL = "/tai-khoan/dang-nhap/"


def _attempt(client, login, password, **extra):
    return client.post(LOGIN_URL, {"username": login, "password": password}, **extra)


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_login_for_fifteen_minutes(client):
    UserFactory(phone="0912345678", email="canbo@example.test")
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        # the same login however it is written: phone formats and email case count together
        for login in ["0912345678", "0912 345 678", "+84 912 345 678", "0912.345.678", "0912345678"]:
            assert "mật khẩu không đúng" in _attempt(client, login, "sai").content.decode()
        response = _attempt(client, "0912345678", PASSWORD)  # even the right password now waits
        page = response.content.decode()
        assert response.status_code == 200 and not _signed_in(client)
        assert "sai mật khẩu quá nhiều lần" in page and "chờ 15 phút" in page
        clock.shift(datetime.timedelta(minutes=10))
        assert "chờ 5 phút" in _attempt(client, "0912345678", PASSWORD).content.decode()
        assert not _signed_in(client)
        clock.shift(datetime.timedelta(minutes=5, seconds=1))
        response = _attempt(client, "0912345678", PASSWORD)
        assert response.status_code == 302 and _signed_in(client)


def test_a_right_password_ends_the_count_of_its_login(client):
    UserFactory(email="canbo@example.test")
    for _ in range(4):
        _attempt(client, "canbo@example.test", "sai")
    assert _attempt(client, "CanBo@Example.test", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _attempt(client, "canbo@example.test", "sai")
    assert _attempt(client, "canbo@example.test", PASSWORD).status_code == 302


def test_a_locked_login_does_not_lock_other_accounts(client):
    UserFactory(phone="0912345678")
    UserFactory(phone="0912000111")
    for _ in range(5):
        _attempt(client, "0912345678", "sai")
    assert "quá nhiều lần" in _attempt(client, "0912345678", PASSWORD).content.decode()
    assert _attempt(client, "0912000111", PASSWORD).status_code == 302


def test_one_address_trying_many_logins_is_slowed_down(client):
    UserFactory(phone="0912000111")
    for n in range(20):
        _attempt(client, f"nguoi{n}@example.test", "sai", REMOTE_ADDR="203.0.113.5")
    response = _attempt(client, "0912000111", PASSWORD, REMOTE_ADDR="203.0.113.5")
    assert "quá nhiều lần" in response.content.decode() and not _signed_in(client)
    assert _attempt(client, "0912000111", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_behind_the_proxy_each_visitor_is_counted(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(phone="0912000111")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(20):
        _attempt(client, f"nguoi{n}@example.test", "sai", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    forged = _attempt(client, "0912000111", PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", **proxy)
    assert "quá nhiều lần" in forged.content.decode()
    other = _attempt(client, "0912000111", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert other.status_code == 302


def test_the_admin_login_is_throttled_too(client):
    root = User.objects.create_superuser(email="root@example.test", password=PASSWORD, full_name="Quản trị")
    for _ in range(5):
        client.post("/quan-tri/login/", {"username": root.email, "password": "sai"})
    response = client.post("/quan-tri/login/?next=/quan-tri/", {"username": root.email, "password": PASSWORD})
    assert response.status_code == 200 and "quá nhiều lần" in response.content.decode()
    assert client.get("/quan-tri/").status_code == 302


# --- One folded form of a login for the lookup, the stored email and the throttle (issue 10, item 8)

LONG_S = "ſotaichinh@khuyencong.teſt"  # U+017F LATIN SMALL LETTER LONG S: lower() keeps it, UPPER() is S


def test_fold_login_is_nfkc_then_casefold():
    from accounts.models import fold_login

    assert fold_login(f"  {LONG_S.upper()} ") == "sotaichinh@khuyencong.test"
    assert fold_login(LONG_S) == "sotaichinh@khuyencong.test"
    assert fold_login("ＣａｎＢｏ@Example.test") == "canbo@example.test"  # full-width letters
    assert fold_login("0912 345 678") == "0912 345 678"  # phones are normalised by the lookup


def test_the_lookup_compares_the_folded_login_exactly_never_the_databases_case_match():
    """PostgreSQL's UPPER() (what email__iexact compiles to) and Python's lower() disagree on ſ;
    the lookup compares the folded text for equality, so no database folds anything its own way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = UserFactory(email="sotaichinh@khuyencong.test")
    with CaptureQueriesContext(connection) as queries:
        assert User.objects.get_by_login(LONG_S) == user
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "LIKE" not in sql.upper() and "UPPER" not in sql.upper()
    assert "'sotaichinh@khuyencong.test'" in sql


def test_an_email_that_folds_to_another_accounts_is_refused():
    from django.core.exceptions import ValidationError

    UserFactory(email="sotaichinh@khuyencong.test")
    twin = User(full_name="Kẻ mạo danh", email=LONG_S)
    with pytest.raises(ValidationError) as refused:
        twin.full_clean(exclude=["password"])
    assert refused.value.error_dict["email"][0].code == "unique"
    assert User.objects.create_user(email="Mới@Example.test", password="x").email == "mới@example.test"


def test_a_long_s_spelling_signs_in_as_the_same_account(client):
    user = UserFactory(email="sotaichinh@khuyencong.test")
    assert _attempt(client, LONG_S, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_long_s_spelling_cannot_sign_in_while_the_real_login_is_locked(client):
    UserFactory(email="sotaichinh@khuyencong.test")
    for _ in range(5):
        _attempt(client, "sotaichinh@khuyencong.test", "sai")
    response = _attempt(client, LONG_S, PASSWORD)
    assert not _signed_in(client)
    assert "sai mật khẩu quá nhiều lần" in response.content.decode()

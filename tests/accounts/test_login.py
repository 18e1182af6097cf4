import pytest

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

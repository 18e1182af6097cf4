import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.permissions import role_required
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@role_required("staff", "leader")
def staff_view(request):
    return HttpResponse("ok")


def _get(user):
    request = RequestFactory().get("/x/")
    request.user = user
    return staff_view(request)


def test_anonymous_is_sent_to_login():
    response = _get(AnonymousUser())
    assert response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/?next=/x/")


def test_wrong_role_is_forbidden_and_right_role_passes():
    with pytest.raises(PermissionDenied):
        _get(UserFactory(roles=["applicant"]))
    assert _get(UserFactory(roles=["leader"])).status_code == 200
    assert _get(UserFactory(roles=["applicant", "staff"])).status_code == 200

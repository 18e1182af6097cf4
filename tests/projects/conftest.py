import pytest

from accounts.roles import Role
from programmes.models import ReportingUnit
from tests.factories import UserFactory

from .utils import make_applicant


@pytest.fixture
def staff(db):
    return UserFactory(roles=[Role.STAFF])


@pytest.fixture
def leader(db):
    return UserFactory(roles=[Role.LEADER])


@pytest.fixture
def observer(db):
    return UserFactory(roles=[Role.OBSERVER])


@pytest.fixture
def reporter(db):
    """A commune official of 11953 (Phố Hiến)."""
    user = UserFactory(roles=[Role.UNIT_REPORTER])
    ReportingUnit.objects.get(commune__code="11953").members.add(user)
    return user


@pytest.fixture
def applicant_user(db):
    return UserFactory(roles=[Role.APPLICANT])


@pytest.fixture
def applicant(applicant_user):
    return make_applicant(owner=applicant_user)


@pytest.fixture
def users(staff, leader, reporter, applicant_user, observer):
    return {
        Role.STAFF: staff,
        Role.LEADER: leader,
        Role.UNIT_REPORTER: reporter,
        Role.APPLICANT: applicant_user,
        Role.OBSERVER: observer,
    }

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from programmes.models import ReportingUnit
from tests.factories import UserFactory

from .utils import make_applicant

# The day the project tests live on: after the cycle's dates in tests/projects/utils.py (decision
# 02/03, contract 10/03, start 16/03, acceptance 10/06/2026), before any settlement deadline.
FROZEN_NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def frozen_clock():
    """The workflow tests never depend on today's date (a decision "not after today", a progress
    month "not in the future"); a test that needs another moment travels from here."""
    with time_machine.travel(FROZEN_NOW, tick=False) as traveller:
        yield traveller


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

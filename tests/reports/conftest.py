import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from programmes.models import ReportingUnit
from tests.factories import UserFactory

# After the cycle's dates of tests/projects/utils.py, before any settlement deadline of 2026: the
# May progress report (due 25/05) is late for a project started in March.
FROZEN_NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def frozen_clock():
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

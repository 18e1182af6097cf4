import pytest

from accounts.roles import Role
from programmes.models import ReportingUnit
from tests.factories import ApplicantFactory, SupportRequestFactory, UserFactory, commune

ROLES = ["staff", "leader", "unit_reporter", "applicant", "observer", "anonymous"]


@pytest.fixture
def people(db):
    """One user per role; the commune official reports for 11953 (Phố Hiến)."""
    users = {
        "staff": UserFactory(roles=[Role.STAFF]),
        "leader": UserFactory(roles=[Role.LEADER]),
        "unit_reporter": UserFactory(roles=[Role.UNIT_REPORTER]),
        "applicant": UserFactory(roles=[Role.APPLICANT]),
        "observer": UserFactory(roles=[Role.OBSERVER]),
        "anonymous": None,
    }
    ReportingUnit.objects.get(commune__code="11953").members.add(users["unit_reporter"])
    return users


@pytest.fixture
def own(people):
    """The applicant user's own profile (commune 11953, a personal ID as tax code) and a request."""
    applicant = ApplicantFactory(owner=people["applicant"], tax_code="034085001234", commune=commune("11953"))
    request = SupportRequestFactory(applicant=applicant)
    return applicant, request


@pytest.fixture
def other(people):
    """Someone else's profile in another commune, with a request."""
    applicant = ApplicantFactory(commune=commune("12364"))
    return applicant, SupportRequestFactory(applicant=applicant)


@pytest.fixture
def client_for(client):
    def _as(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _as

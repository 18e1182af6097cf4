import pytest
from django.core.exceptions import ValidationError

from core.concurrency import save_versioned
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _applicant():
    from applicants.models import Applicant
    from programmes.models import AdministrativeUnit

    return Applicant.objects.create(
        kind="household",
        name="Hộ A",
        representative="A",
        phone="0912345678",
        address="x",
        commune=AdministrativeUnit.objects.first(),
        owner=UserFactory(),
    )


def test_second_save_of_a_stale_form_is_refused():
    applicant = _applicant()
    first, second = type(applicant).objects.get(pk=applicant.pk), type(applicant).objects.get(pk=applicant.pk)
    first.name = "Hộ B"
    save_versioned(first, expected_version=1, fields=["name"])
    second.name = "Hộ C"
    with pytest.raises(ValidationError) as excinfo:
        save_versioned(second, expected_version=1, fields=["name"])
    assert excinfo.value.code == "stale"
    applicant.refresh_from_db()
    assert (applicant.name, applicant.version) == ("Hộ B", 2)

import datetime

import pytest
from django.db import IntegrityError, transaction

from programmes.models import AdministrativeUnit, Collaborator, Programme, ReportingUnit, SupportRule, Target

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    return pytest.raises(IntegrityError, **kwargs)


def _rule(**overrides):
    values = {
        "code": "TEST_RULE",
        "funding_source_id": SupportRule.objects.first().funding_source_id,
        "kind": "ceiling",
        "max_percent": 50,
        "legal_basis": "NQ thử nghiệm",
        "valid_from": datetime.date(2026, 1, 1),
        "status": "provincial",
    }
    values.update(overrides)
    return SupportRule(**values)


@pytest.mark.parametrize(
    "overrides",
    [
        {"valid_to": datetime.date(2025, 12, 31)},
        {"max_percent": 120},
        {"cap_vnd": -1},
        {"legal_basis": ""},
        {"valid_from": None},
        {"status": "example"},
        {"max_percent": None, "cap_vnd": None},
        {"status": "superseded"},
    ],
    ids=[
        "validity-reversed",
        "percent-over-100",
        "negative-cap",
        "no-legal-basis",
        "in-force-undated",
        "example-with-dates",
        "ceiling-without-bound",
        "superseded-without-end",
    ],
)
def test_support_rule_constraints(overrides):
    with transaction.atomic(), refused():
        _rule(**overrides).save()


def test_a_valid_rule_saves():
    _rule().save()
    assert SupportRule.objects.filter(code="TEST_RULE").exists()


def test_programme_years_and_single_current(programme):
    with transaction.atomic(), refused():
        Programme.objects.create(
            code="x",
            name="x",
            decision_number="1",
            decision_date=datetime.date(2030, 1, 1),
            issuer="x",
            start_year=2031,
            end_year=2030,
        )
    with transaction.atomic(), refused():
        Programme.objects.create(
            code="y",
            name="y",
            decision_number="1",
            decision_date=datetime.date(2030, 1, 1),
            issuer="y",
            start_year=2031,
            end_year=2035,
            is_current=True,
        )


def test_target_value_positive_and_code_unique(programme):
    with transaction.atomic(), refused():
        Target.objects.create(
            programme=programme, code="zero", name="x", unit="x", target_value=0, measure="trademarks"
        )
    with transaction.atomic(), refused():
        Target.objects.create(
            programme=programme, code="trademarks", name="x", unit="x", target_value=1, measure="trademarks"
        )


def test_commune_code_is_five_digits_and_unique():
    for code in ["1234", "12a45"]:
        with transaction.atomic(), refused():
            AdministrativeUnit.objects.create(code=code, name="x", kind="xa", full_name="Xã X")
    with transaction.atomic(), refused():
        AdministrativeUnit.objects.create(code="11953", name="x", kind="xa", full_name="Xã X")
    with transaction.atomic(), refused():
        AdministrativeUnit.objects.create(code="99999", name="x", kind="huyen", full_name="Huyện X")


def test_collaborator_dates_ordered():
    with transaction.atomic(), refused():
        Collaborator.objects.create(
            full_name="A",
            commune=AdministrativeUnit.objects.first(),
            appointed_on=datetime.date(2026, 5, 1),
            ended_on=datetime.date(2026, 4, 1),
        )


def test_reporting_unit_commune_only_for_commune_kind():
    with transaction.atomic(), refused():
        ReportingUnit.objects.create(code="x", name="x", kind="commune")
    with transaction.atomic(), refused():
        new = AdministrativeUnit.objects.create(code="99998", name="Mới", kind="xa", full_name="Xã Mới")
        ReportingUnit.objects.create(code="y", name="y", kind="department", commune=new)

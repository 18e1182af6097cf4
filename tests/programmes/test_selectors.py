import datetime

import pytest

from programmes.models import ActivityType, FundingSource, ReportingUnit, SupportRule
from programmes.selectors import communes_of, rule_in_force
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KCQG = FundingSource.KCQG


def _rule(activity_code, variant_key, on_date, fund=KCQG, kind="ceiling"):
    activity = ActivityType.objects.get(code=activity_code)
    variant = activity.variants.get(key=variant_key) if variant_key else None
    return rule_in_force(
        activity=activity,
        variant=variant,
        funding_source=FundingSource.objects.get(code=fund),
        on_date=on_date,
        kind=kind,
    )


def test_rule_in_force_follows_variant_and_dates():
    assert _rule("2b", "machine", datetime.date(2026, 6, 1)).code == "TT28_MACHINERY"
    assert _rule("2b", "line", datetime.date(2026, 6, 1)).code == "TT28_TECH_LINE"
    assert _rule("2b", "machine", datetime.date(2016, 6, 1)).code == "P14_MACHINERY"
    assert _rule("2b", "line", datetime.date(2016, 6, 1)) is None  # no line rule before 2018
    assert _rule("2a", "existing", datetime.date(2026, 6, 1)) is None  # only another province's level
    assert _rule("1a", "default", datetime.date(2026, 6, 1)) is None
    assert _rule("2b", "machine", datetime.date(2026, 6, 1), fund=FundingSource.KCDP) is None


def test_advance_rules_fall_back_to_the_catch_all():
    assert _rule("4b", "default", datetime.date(2026, 6, 1), kind="advance").code == "TT36_ADVANCE_30"
    assert _rule("2b", "machine", datetime.date(2026, 6, 1), kind="advance").code == "TT36_ADVANCE_70"


def test_a_provincial_rule_entered_by_staff_applies_from_its_date():
    activity = ActivityType.objects.get(code="2a")
    SupportRule.objects.create(
        code="HY_DEMO_EXISTING",
        activity=activity,
        variant=activity.variants.get(key="existing"),
        funding_source=FundingSource.objects.get(code=FundingSource.KCDP),
        kind="ceiling",
        max_percent=40,
        cap_vnd=200_000_000,
        legal_basis="Nghị quyết của HĐND tỉnh (thử nghiệm)",
        valid_from=datetime.date(2026, 7, 1),
        status="provincial",
    )
    assert _rule("2a", "existing", datetime.date(2026, 6, 30), fund=FundingSource.KCDP) is None
    assert (
        _rule("2a", "existing", datetime.date(2026, 7, 1), fund=FundingSource.KCDP).code == "HY_DEMO_EXISTING"
    )


def test_communes_of_a_commune_official():
    official = UserFactory(roles=["unit_reporter"])
    ReportingUnit.objects.get(commune__code="11953").members.add(official)
    ReportingUnit.objects.get(code="so-tai-chinh").members.add(official)
    assert list(communes_of(official).values_list("code", flat=True)) == ["11953"]
    staff = UserFactory(roles=["staff"])
    assert not communes_of(staff).exists()

import datetime

import pytest
from django.db.models import Count

from programmes import reference
from programmes.models import (
    ActivityType,
    ActivityVariant,
    AdministrativeUnit,
    BeneficiaryCategory,
    ContentArea,
    FundingSource,
    Indicator,
    Programme,
    ReportingUnit,
    SupportRule,
    Target,
)

pytestmark = pytest.mark.django_db


def test_programme_comes_from_the_decision(programme):
    assert programme.decision_number == "1966/QĐ-UBND"
    assert programme.decision_date == datetime.date(2025, 11, 27)
    assert programme.issuer == "Ủy ban nhân dân tỉnh Hưng Yên"
    assert (programme.start_year, programme.end_year) == (2026, 2030)
    assert programme.objectives.count("\n") == 3  # four general objectives a-d
    assert programme.objectives.startswith("Huy động và sử dụng có hiệu quả mọi nguồn lực")


def test_five_targets_with_their_values(programme):
    values = dict(programme.targets.values_list("code", "target_value"))
    assert values == {
        "demo_models": 5,
        "machinery_facilities": 119,
        "selection_rounds": 3,
        "trademarks": 10,
        "collaborators": 1,
    }
    assert programme.targets.get(code="collaborators").basis == Target.Basis.PER_COMMUNE
    assert {t.measure for t in programme.targets.all()} == set(Target.Measure.values)


def test_a_target_not_in_the_decision_is_refused(programme, monkeypatch, tmp_path):
    fake = tmp_path / "targets.csv"
    original = (reference.FIXTURES / "targets.csv").read_text(encoding="utf-8")
    fake.write_text(
        original.replace("cho 119 cơ sở", "cho 120 cơ sở").replace(",119,", ",120,"), encoding="utf-8"
    )
    for name in [
        "activity-catalogue.csv",
        "communes.csv",
        "funding-sources.csv",
        "support-rules.csv",
        "reporting-partners.csv",
        reference.DECISION_FILE,
    ]:
        (tmp_path / name).write_bytes((reference.FIXTURES / name).read_bytes())
    monkeypatch.setattr(reference, "FIXTURES", tmp_path)
    with pytest.raises(ValueError, match="not in the decision"):
        reference.load_reference(log=lambda m: None)
    assert programme.targets.get(code="machinery_facilities").target_value == 119


def test_catalogue_has_25_items_in_six_areas(programme):
    assert ContentArea.objects.filter(programme=programme).count() == 6
    per_area = dict(ContentArea.objects.annotate(n=Count("activity_types")).values_list("number", "n"))
    assert per_area == {1: 2, 2: 6, 3: 5, 4: 2, 5: 4, 6: 6}
    assert ActivityType.objects.count() == 25
    # Full wording from section III of the decision, not the short label.
    demo = ActivityType.objects.get(code="2a")
    assert demo.description.startswith("Hỗ trợ xây dựng các mô hình trình diễn kỹ thuật")
    assert not ActivityType.objects.filter(description="").exists()
    assert list(ActivityVariant.objects.filter(activity__code="3c").values_list("key", flat=True)) == [
        "trademark",
        "showroom",
    ]
    assert ActivityVariant.objects.filter(activity__code="1a").get().key == "default"


def test_beneficiary_categories_and_funding_sources():
    assert list(BeneficiaryCategory.objects.values_list("code", flat=True)) == ["a", "b", "c", "d", "đ"]
    assert BeneficiaryCategory.objects.get(code="c").label.startswith("Nghệ nhân nhân dân")
    assert list(FundingSource.objects.values_list("code", flat=True)) == ["KCQG", "KCDP", "DOI_UNG", "KHAC"]
    assert set(FundingSource.objects.filter(is_state_support=True).values_list("code", flat=True)) == {
        "KCQG",
        "KCDP",
    }


def test_communes():
    assert AdministrativeUnit.objects.count() == 104
    assert AdministrativeUnit.objects.filter(kind="xa").count() == 93
    assert AdministrativeUnit.objects.filter(kind="phuong").count() == 11
    pho_hien = AdministrativeUnit.objects.get(code="11953")
    assert (pho_hien.full_name, pho_hien.kind) == ("Phường Phố Hiến", "phuong")
    assert pho_hien.search_text == "phuong pho hien 11953"
    assert ReportingUnit.objects.filter(kind="commune").count() == 104
    assert ReportingUnit.objects.exclude(kind="commune").count() == 4


def test_support_rules():
    national = SupportRule.objects.filter(status=SupportRule.Status.NATIONAL)
    assert national.count() == 11
    assert all(
        r.funding_source.code == "KCQG" and r.legal_basis and r.valid_from and r.to_verify for r in national
    )
    machinery = SupportRule.objects.get(code="TT28_MACHINERY")
    assert machinery.activity.code == "2b" and machinery.variant.key == "machine"
    assert (machinery.max_percent, machinery.cap_vnd) == (50, 300_000_000)
    assert machinery.is_in_force_on(datetime.date(2026, 6, 1))
    assert SupportRule.objects.get(code="TT36_ADVANCE_70").applies_to_all
    superseded = SupportRule.objects.filter(status=SupportRule.Status.SUPERSEDED)
    assert superseded.count() == 22
    assert not any(r.is_in_force_on(datetime.date(2026, 6, 1)) for r in superseded)
    assert SupportRule.objects.get(code="P14_MACHINERY").is_in_force_on(datetime.date(2016, 1, 1))
    # Another province's levels are never rules here.
    assert not SupportRule.objects.filter(code__in=["TT28_DEMO_EXISTING", "TT28_SXSH_PILOT"]).exists()


def test_example_rules_from_demo_data_are_never_in_force(programme):
    reference.load_example_rules(programme)
    examples = SupportRule.objects.filter(status=SupportRule.Status.EXAMPLE)
    assert examples.count() == 2
    assert not any(r.is_in_force_on(datetime.date(2026, 6, 1)) for r in examples)


def test_loading_twice_changes_nothing():
    before = {
        m.__name__: m.objects.count()
        for m in (
            Programme,
            Target,
            ContentArea,
            ActivityType,
            ActivityVariant,
            AdministrativeUnit,
            SupportRule,
            ReportingUnit,
            Indicator,
        )
    }
    reference.load_reference(log=lambda m: None)
    after = {m: globals()[m].objects.count() for m in before}
    assert before == after

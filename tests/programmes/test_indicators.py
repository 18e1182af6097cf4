"""The unit-report indicators: loaded from fixtures/unit-report-indicators.csv (never retyped),
idempotently; each names a computation of the fixed set (or none); a project output that counts
towards an indicator carries its figure."""

import csv

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from accounts.models import User
from programmes import reference
from programmes.models import Indicator
from programmes.resources import IndicatorResource
from projects.models import ProjectOutput
from tests.factories import UserFactory
from tests.projects.utils import make_project

pytestmark = pytest.mark.django_db


def _csv_rows():
    with open(reference.FIXTURES / "unit-report-indicators.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_row_of_the_file_is_an_indicator_in_file_order():
    rows = _csv_rows()
    assert list(Indicator.objects.values_list("code", flat=True)) == [r["code"] for r in rows]
    trainees = Indicator.objects.get(code="hoc_vien")
    assert (trainees.label, trainees.unit, trainees.content_area) == (
        "Số học viên được đào tạo, tập huấn",
        "người",
        1,
    )
    assert trainees.prefill == Indicator.Prefill.TRAINEES
    assert (
        trainees.notes == "trainees in the typed outputs of projects accepted or settled in the data window"
    )
    assert Indicator.objects.get(code="kinh_phi_kcqg").content_area is None
    assert Indicator.objects.get(code="lao_dong_tang_them").prefill == Indicator.Prefill.NONE


def test_prefill_values_are_from_the_fixed_set():
    used = set(Indicator.objects.values_list("prefill", flat=True))
    assert used <= set(Indicator.Prefill.values)
    # Each computation is named once; only "none" may repeat.
    prefills = [r["prefill"] for r in _csv_rows() if r["prefill"] != "none"]
    assert len(prefills) == len(set(prefills))


def test_an_unknown_prefill_is_refused():
    indicator = Indicator(code="moi", label="Chỉ tiêu mới", unit="cái", prefill="guesswork")
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "prefill" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(code="moi", label="Chỉ tiêu mới", unit="cái", prefill="guesswork")


def test_loading_twice_keeps_one_row_per_code_and_restores_the_file():
    Indicator.objects.filter(code="hoc_vien").update(label="Sửa tay", prefill="none")
    count = Indicator.objects.count()
    reference.load_reference(log=lambda m: None)
    reference.load_reference(log=lambda m: None)
    assert Indicator.objects.count() == count == len(_csv_rows())
    trainees = Indicator.objects.get(code="hoc_vien")
    assert (trainees.label, trainees.prefill) == ("Số học viên được đào tạo, tập huấn", "trainees")


def test_an_indicator_in_use_cannot_be_deleted():
    project = make_project(UserFactory(roles=["staff"]))
    indicator = Indicator.objects.get(code="hoc_vien")
    ProjectOutput.objects.create(
        project=project, label="Học viên", quantity=30, unit="người", indicator=indicator, number=30
    )
    with pytest.raises(ProtectedError):
        indicator.delete()


def test_an_output_with_an_indicator_needs_its_number():
    project = make_project(UserFactory(roles=["staff"]))
    indicator = Indicator.objects.get(code="hoc_vien")
    output = ProjectOutput(project=project, label="Học viên", quantity=30, unit="người", indicator=indicator)
    with pytest.raises(ValidationError, match="phải có số liệu") as error:
        output.full_clean()
    assert error.value.error_dict["__all__"][0].code == "indicator_without_number"
    with pytest.raises(IntegrityError), transaction.atomic():
        output.save()
    output.number = 30
    output.full_clean()
    output.save()
    # Free-text outputs stay as they were: no indicator, no number.
    ProjectOutput(project=project, label="Máy dệt", quantity=2, unit="máy").full_clean()


def test_indicators_export_and_import_back_unchanged_in_the_admin_resource():
    exported = IndicatorResource().export()
    assert exported.headers[:3] == ["code", "label", "unit"]
    assert len(exported) == Indicator.objects.count()
    result = IndicatorResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == Indicator.objects.count()  # nothing changed


def test_indicator_admin_opens_for_a_superuser(client):
    client.force_login(User.objects.create_superuser(email="r@example.test", password="x", full_name="Q"))
    page = client.get("/quan-tri/programmes/indicator/")
    assert page.status_code == 200
    assert "Số học viên được đào tạo, tập huấn" in page.content.decode()
    assert client.get("/quan-tri/programmes/indicator/import/").status_code == 200

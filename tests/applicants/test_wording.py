"""Issue 9 A.14: the wording of official names and of rules still to be verified."""

import pytest
from django.urls import reverse

from programmes.models import ActivityVariant, ReportingUnit
from projects.workflow import STEPS_BY_KEY

pytestmark = pytest.mark.django_db


def test_commune_units_write_the_level_in_lower_case_after_ubnd():
    """NĐ 30/2020/NĐ-CP Phụ lục II: "UBND phường Phố Hiến", not "UBND Phường Phố Hiến"."""
    assert ReportingUnit.objects.get(commune__code="11953").name == "UBND phường Phố Hiến"
    assert ReportingUnit.objects.get(commune__code="12364").name.startswith("UBND xã ")
    names = ReportingUnit.objects.filter(kind="commune").values_list("name", flat=True)
    assert not [n for n in names if n.startswith(("UBND Phường", "UBND Xã"))]


def test_partner_organisations_carry_their_full_names_from_the_fixture():
    names = set(ReportingUnit.objects.filter(kind="organisation").values_list("name", flat=True))
    assert {"Hiệp hội Doanh nghiệp tỉnh Hưng Yên", "Liên minh Hợp tác xã tỉnh Hưng Yên"} <= names


def test_the_settlement_step_is_liquidation_and_settlement():
    assert str(STEPS_BY_KEY["settle"].label) == "Thanh lý, quyết toán"


def test_the_request_form_says_national_levels_are_still_to_verify(people, client_for, own):
    applicant = own[0]
    variant = ActivityVariant.objects.get(activity__code="2b", key="machine")
    html = (
        client_for(people["applicant"])
        .get(
            reverse("applicants:request_create", args=[applicant.pk]),
            {"activity": variant.activity.pk, "variant": variant.pk, "estimated_cost": "700.000.000"},
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert "TT 28/2018/TT-BTC" in html
    assert "đang áp dụng" not in html
    assert "đang chờ đối chiếu với Thông tư 64/2024/TT-BTC" in html

import pytest
from django.core.exceptions import ValidationError

from applicants.models import Applicant
from applicants.sizing import sme_class
from applicants.validators import mst_check_digit, validate_tax_code

B = 1_000_000_000


@pytest.mark.parametrize(
    "code",
    [
        "0100109106",
        "0100233583",
        "0101243150",
        "0100109106-001",
        "0100233583-999",
        " 0100 109 106 ",
        "0100109106_012",
    ],
)
def test_valid_tax_codes(code):
    validate_tax_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "0100109105",  # wrong check digit
        "0100233584",
        "010010910",  # 9 digits
        "01001091066",  # 11 digits
        "0100109106-000",  # branch 000
        "0100109106-01",  # branch of 2 digits
        "0100109105-001",  # branch of an invalid parent
        "01001O9106",  # a letter O
        "034085001234",  # 12 digits: not for a company
        "",
    ],
)
def test_invalid_tax_codes(code):
    with pytest.raises(ValidationError) as err:
        validate_tax_code(code)
    assert err.value.code.startswith("invalid_tax_code")


def test_twelve_digit_personal_number_only_when_allowed():
    validate_tax_code("034085001234", allow_personal_id=True)
    with pytest.raises(ValidationError) as err:
        validate_tax_code("03408500123", allow_personal_id=True)
    assert "12 chữ số" in err.value.messages[0]


def test_check_digit_that_would_be_ten_is_invalid():
    # find nine digits whose weighted sum is a multiple of 11: no check digit exists
    nine = next(
        str(n).zfill(9) for n in range(100000000, 100001000) if mst_check_digit(str(n).zfill(9)) is None
    )
    for last in "0123456789":
        with pytest.raises(ValidationError) as err:
            validate_tax_code(nine + last)
        assert err.value.code == "invalid_tax_code_checksum"


@pytest.mark.parametrize(
    "sector,employees,revenue,capital,expected",
    [
        ("industry", 10, 3 * B, None, "micro"),
        ("industry", 10, 4 * B, 3 * B, "micro"),  # capital alone qualifies
        ("industry", 11, 1 * B, 1 * B, "small"),
        ("industry", 100, 50 * B, 30 * B, "small"),
        ("industry", 100, 60 * B, 30 * B, "medium"),
        ("industry", 200, 200 * B, 500 * B, "medium"),
        ("industry", 201, 1 * B, 1 * B, "large"),
        ("industry", 50, 300 * B, 150 * B, "large"),
        ("trade", 10, 10 * B, None, "micro"),
        ("trade", 10, 11 * B, 4 * B, "small"),
        ("trade", 51, 50 * B, 10 * B, "medium"),
        ("trade", 101, 1 * B, 1 * B, "large"),
        ("industry", None, 1 * B, 1 * B, None),
        ("industry", 5, None, None, None),
    ],
)
def test_sme_class_nd80(sector, employees, revenue, capital, expected):
    assert sme_class(sector_group=sector, employees=employees, revenue=revenue, capital=capital) == expected


def test_applicant_derives_sme_class_and_category():
    a = Applicant(
        kind="sme", sector_group="industry", insured_employees=8, revenue_vnd=2 * B, capital_vnd=None
    )
    assert a.sme_class == "micro" and str(a.sme_class_label) == "Doanh nghiệp siêu nhỏ"
    assert Applicant(kind="sme").sme_class is None
    expected = {
        "sme": "a",
        "cooperative": "a",
        "cooperative_union": "a",
        "cooperative_group": "a",
        "household": "a",
        "craft_village": "a",
        "cleaner_production": "b",
        "cluster_investor": "b",
        "artisan": "c",
        "service_org": "d",
        "other": "đ",
    }
    assert set(expected) == set(Applicant.Kind.values)
    for kind, letter in expected.items():
        assert Applicant(kind=kind).beneficiary_category == letter


def test_sort_key_is_vietnamese_dictionary_order():
    from core.text import sort_key

    names = ["Đức", "Dũng", "Anh", "An Bình", "Ăn", "Bình", "Ông", "Ưng", "Uyên"]
    assert sorted(names, key=sort_key) == [
        "An Bình",
        "Anh",
        "Ăn",
        "Bình",
        "Dũng",
        "Đức",
        "Ông",
        "Uyên",
        "Ưng",
    ]


# --- the request's ceiling reads the territory of support rules (issue 9 A5) ---------------------


def _kcdp_rule(code, *, cap, communes=(), basis):
    import datetime

    from programmes.models import ActivityVariant, FundingSource, SupportRule

    variant = ActivityVariant.objects.get(activity__code="2b", key="machine")
    rule = SupportRule.objects.create(
        code=code,
        activity=variant.activity,
        variant=variant,
        funding_source=FundingSource.objects.get(code="KCDP"),
        kind="ceiling",
        max_percent=50,
        cap_vnd=cap,
        cap_unit="facility",
        legal_basis=basis,
        valid_from=datetime.date(2026, 1, 1),
        status="provincial",
    )
    rule.communes.set(communes)
    return rule


@pytest.fixture
def scoped_rules(db):
    """Three KCĐP rules for machinery: the whole province's (250 tr), former Hưng Yên's, scoped to
    Phố Hiến (200 tr), and former Thái Bình's, scoped to one of its communes (100 tr)."""
    from programmes.models import AdministrativeUnit

    thai_binh = AdministrativeUnit.objects.filter(former_province__icontains="Thái Bình").first()
    pho_hien = AdministrativeUnit.objects.get(code="11953")
    _kcdp_rule("HY_ALL", cap=250_000_000, basis="Nghị quyết toàn tỉnh")
    _kcdp_rule("HY_OLD", cap=200_000_000, communes=[pho_hien], basis="Nghị quyết Hưng Yên cũ")
    _kcdp_rule("TB_OLD", cap=100_000_000, communes=[thai_binh], basis="Nghị quyết Thái Bình cũ")
    return pho_hien, thai_binh


def test_the_request_preview_offers_the_rule_of_the_applicants_territory(client, scoped_rules):
    """An applicant in Phố Hiến sees its former province's resolution, never Thái Bình's; one in
    a former Thái Bình commune the other way round (the project uses the same selection)."""
    from django.urls import reverse

    from programmes.models import ActivityVariant
    from tests.factories import ApplicantFactory

    pho_hien, thai_binh = scoped_rules
    variant = ActivityVariant.objects.get(activity__code="2b", key="machine")
    typed = {"activity": variant.activity.pk, "variant": variant.pk, "estimated_cost": "700.000.000"}
    for commune, shown, hidden in [
        (pho_hien, "Nghị quyết Hưng Yên cũ", ("Nghị quyết Thái Bình cũ", "Nghị quyết toàn tỉnh")),
        (thai_binh, "Nghị quyết Thái Bình cũ", ("Nghị quyết Hưng Yên cũ", "Nghị quyết toàn tỉnh")),
    ]:
        applicant = ApplicantFactory(commune=commune)
        client.force_login(applicant.owner)
        url = reverse("applicants:request_create", args=[applicant.pk])
        html = client.get(url, typed, HTTP_HX_REQUEST="true").content.decode()
        assert shown in html, commune
        for basis in hidden:
            assert basis not in html, (commune, basis)


def test_the_request_check_holds_the_applicant_to_its_territorys_rule(scoped_rules):
    """The check at submission reads the same rules as the preview: former Thái Bình's generous
    resolution (80%, up to 500 tr) lets 320 tr of support on 400 tr through there, not in Phố Hiến
    (whose limits are KCQG's 200 tr and its own 200 tr)."""
    from django.core.exceptions import ValidationError

    from applicants import services
    from programmes.models import ActivityVariant
    from tests.factories import ApplicantFactory

    pho_hien, thai_binh = scoped_rules
    generous = _kcdp_rule(
        "TB_GENEROUS", cap=500_000_000, communes=[thai_binh], basis="Nghị quyết Thái Bình mới"
    )
    generous.max_percent = 80
    generous.valid_from = generous.valid_from.replace(month=2)
    generous.save()
    variant = ActivityVariant.objects.get(activity__code="2b", key="machine")
    there = services.ceilings_for(
        activity=variant.activity, variant=variant, cost=400_000_000, communes=[thai_binh]
    )
    assert [(c.fund, c.rule.code, c.amount) for c in there] == [
        ("KCĐP", "TB_GENEROUS", 320_000_000),
        ("KCQG", "TT28_MACHINERY", 200_000_000),
    ]
    data = {
        "year": 2026,
        "activity": variant.activity,
        "variant": variant,
        "title": "Máy chẻ nan",
        "description": "Mua máy chẻ nan tự động",
        "estimated_cost": 400_000_000,
        "counterpart": 80_000_000,
    }
    applicant = ApplicantFactory(commune=thai_binh)
    request = services.support_request_create(
        applicant=applicant, actor=applicant.owner, data=data, submit=True
    )
    assert request.status == "submitted" and request.requested_support == 320_000_000
    applicant = ApplicantFactory(commune=pho_hien)
    with pytest.raises(ValidationError, match="vượt mức tối đa 200.000.000 đồng"):
        services.support_request_create(applicant=applicant, actor=applicant.owner, data=data, submit=True)

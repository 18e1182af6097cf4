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

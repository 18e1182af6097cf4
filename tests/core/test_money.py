from decimal import Decimal

import pytest

from core.money import format_trieu, format_vnd, group, parse_vnd


@pytest.mark.parametrize("value,text", [(0, "0 đ"), (1234567, "1.234.567 đ"), (600_000_000, "600.000.000 đ")])
def test_format_vnd(value, text):
    assert format_vnd(value) == text


def test_nothing_is_a_dash():
    assert format_vnd(None) == "—" and format_trieu("") == "—"


@pytest.mark.parametrize(
    "value,text",
    [(1_250_000_000, "1.250"), (1_500_000, "1,5"), (1_234_567, "1,235"), (0, "0"), (-2_500_000, "-2,5")],
)
def test_format_trieu(value, text):
    assert format_trieu(value) == text


@pytest.mark.parametrize(
    "text,value",
    [("1.500.000", 1500000), ("1 500 000 đ", 1500000), ("600000000 đồng", 600000000), ("", None)],
)
def test_parse_vnd(text, value):
    assert parse_vnd(text) == value


def test_parse_refuses_what_is_not_a_whole_number():
    with pytest.raises(ValueError):
        parse_vnd("12abc")


def test_group():
    assert group(12345) == "12.345"


@pytest.mark.parametrize(
    ("cell", "value"), [(1500000.0, 1500000), (Decimal("2500000"), 2500000), (0.0, 0), (Decimal("7.000"), 7)]
)
def test_parse_vnd_reads_whole_numeric_cells(cell, value):
    # A spreadsheet's numeric cell arrives as a float or Decimal: its value, not its text.
    assert parse_vnd(cell) == value


@pytest.mark.parametrize("cell", [1.5, Decimal("1.5"), float("nan"), float("inf")])
def test_parse_vnd_refuses_fractional_cells(cell):
    # 1.5 used to be read from its text "1.5" as 15 đồng.
    with pytest.raises(ValueError):
        parse_vnd(cell)

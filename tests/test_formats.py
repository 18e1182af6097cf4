import datetime

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, number_format


class DateForm(forms.Form):
    day = forms.DateField()


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def test_date_input_is_day_first():
    form = DateForm({"day": "09/03/2026"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 3, 9)


def test_bad_date_gets_a_vietnamese_message():
    form = DateForm({"day": "31/02/2026"})
    assert not form.is_valid()
    assert "ngày hợp lệ" in str(form.errors["day"]).lower() or "hợp lệ" in str(form.errors["day"])


def test_dates_print_dd_mm_yyyy():
    assert date_format(datetime.date(2026, 3, 9), "SHORT_DATE_FORMAT") == "09/03/2026"
    assert Template("{{ d }}").render(Context({"d": datetime.date(2026, 3, 9)})) == "09/03/2026"


def test_money_groups_with_dots():
    assert number_format(1234567890, use_l10n=True, force_grouping=True) == "1.234.567.890"
    assert Template("{{ n }}").render(Context({"n": 1234567890})) == "1.234.567.890"
    assert Template("{% load kc %}{{ n|vnd }}").render(Context({"n": 1234567})) == "1.234.567 đ"
    assert Template("{% load kc %}{{ n|trieu }}").render(Context({"n": 1_250_000_000})) == "1.250"
    assert Template("{% load kc %}{{ n|trieu }}").render(Context({"n": 2_500_000})) == "2,5"


def test_a_year_prints_without_grouping():
    assert Template("{{ y }}").render(Context({"y": 2026})) == "2.026"  # the trap
    assert Template("{% load l10n %}{{ y|unlocalize }}").render(Context({"y": 2026})) == "2026"

"""The shared form helpers: money typed the Vietnamese way and shown back with dots, Bootstrap
classes, and a service's errors on the form."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core.forms import BootstrapMixin, MoneyField, apply_service_errors, bootstrap


class Money(forms.Form):
    amount = MoneyField(required=False, min_value=0)


@pytest.mark.parametrize(
    "typed,value",
    [
        ("1.500.000", 1_500_000),
        ("1 500 000 đ", 1_500_000),
        ("600000000 đồng", 600_000_000),
        ("2,000", 2000),
        ("", None),
        ("đ", None),
    ],
)
def test_money_is_read_as_people_write_it(typed, value):
    form = Money({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == value


@pytest.mark.parametrize(
    "typed,message",
    [
        ("bảy trăm triệu", "Nhập số tiền bằng chữ số, ví dụ 600.000.000."),
        ("-5", "Số tiền không được âm."),
        ("9223372036854775807", "Số tiền quá lớn."),
    ],
)
def test_bad_money_gets_a_plain_vietnamese_message(typed, message):
    form = Money({"amount": typed})
    assert form.errors["amount"] == [message]


def test_money_is_shown_back_grouped_with_dots_and_a_bad_value_as_typed():
    assert 'value="1.234.567"' in str(Money(initial={"amount": 1234567})["amount"])
    html = str(Money({"amount": "abc"})["amount"])
    assert 'value="abc"' in html and 'inputmode="numeric"' in html
    assert 'type="text"' in html and "min=" not in html and "max=" not in html


class Everything(BootstrapMixin, forms.Form):
    text = forms.CharField()
    choice = forms.ChoiceField(choices=[("a", "A")])
    several = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)
    flag = forms.BooleanField(required=False)
    styled = forms.CharField(widget=forms.TextInput(attrs={"class": "text-end"}))


def test_bootstrap_classes_for_each_kind_of_widget():
    form = Everything()
    classes = {name: field.widget.attrs["class"] for name, field in form.fields.items()}
    assert classes == {
        "text": "form-control",
        "choice": "form-select",
        "several": "form-check-input",
        "flag": "form-check-input",
        "styled": "text-end form-control",
    }
    bootstrap(form)  # a second call adds nothing
    assert form.fields["text"].widget.attrs["class"] == "form-control"


class Named(forms.Form):
    name = forms.CharField(required=False)


def test_service_errors_land_on_their_field_or_on_top():
    form = Named({"name": "x"})
    assert form.is_valid()
    apply_service_errors(
        form,
        ValidationError(
            {"name": ["Tên đã có."], "tax_code": ["Mã số thuế sai."], "__all__": ["Không được."]}
        ),
    )
    assert form.errors["name"] == ["Tên đã có."]
    assert form.non_field_errors() == ["Mã số thuế sai.", "Không được."]
    plain = Named({"name": "x"})
    plain.is_valid()
    apply_service_errors(plain, ValidationError(["Một.", "Hai."]))
    assert plain.non_field_errors() == ["Một.", "Hai."] and "name" not in plain.errors

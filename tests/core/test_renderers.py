"""core.renderers.QuickRenderer writes the commonest widgets in Python: the markup must be the
one Django's templates give, for every kind of value and attribute."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.forms import bootstrap
from core.renderers import QUICK_RENDERER

DJANGO = DjangoTemplates()

WIDGETS = [
    (forms.TextInput(attrs={"placeholder": _("Tìm kiếm"), "class": "form-control"}), "Máy <dệt> \"A\" & 'B'"),
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.NumberInput(attrs={"step": "0.001", "min": 0, "required": True, "disabled": False}), 1234567),
    (forms.NumberInput(), 0),
    (forms.NumberInput(), 12.5),
    (forms.HiddenInput(), 7),
    (forms.PasswordInput(), "secret"),
    (forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 12, 22)),
    (forms.DateInput(format="%d/%m/%Y"), datetime.date(2026, 12, 22)),
    (forms.EmailInput(), "a@b.vn"),
    (forms.FileInput(attrs={"accept": ".pdf"}), None),
    (forms.Textarea(attrs={"rows": 3}), "Dòng 1\n<b>Dòng 2</b> & 3"),
    (forms.Textarea(), ""),
    (forms.Textarea(), 2026),
    (forms.TextInput(attrs={"data-x": mark_safe("<i>")}), mark_safe("<b>safe</b>")),
    (forms.Select(choices=[("", "---"), ("a", "Tiên Lữ <x>"), ("b", _("Năm")), (2026, 2026)]), "a"),
    (forms.Select(choices=[("", "---"), (1, 1234567)]), 1),
    (
        forms.Select(choices=[("Nhóm <1>", [("a", "A"), ("b", "B")]), ("c", "C"), ("Nhóm 2", [("d", "D")])]),
        "d",
    ),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")], attrs={"size": 3}), ["a", "c"]),
    (forms.NullBooleanSelect(), True),
    (forms.CheckboxInput(), True),  # not one of ours: handed to Django's template
    (forms.RadioSelect(choices=[("a", "A"), ("b", "B")]), "b"),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda w: type(w).__name__)
def test_each_widget_is_written_as_djangos_templates_write_it(widget, value):
    attrs = {"id": "id_f", "aria-describedby": "id_f_help"}
    expected = widget.render("f", value, attrs=attrs, renderer=DJANGO)
    assert widget.render("f", value, attrs=attrs, renderer=QUICK_RENDERER) == expected


def test_what_users_typed_stays_escaped():
    html = forms.TextInput().render("q", 'x" onfocus="alert(1)', renderer=QUICK_RENDERER)
    assert html == '<input type="text" name="q" value="x&quot; onfocus=&quot;alert(1)">'
    html = forms.Select(choices=[("<v>", "<l>")]).render("s", "<v>", renderer=QUICK_RENDERER)
    assert '<option value="&lt;v&gt;" selected>&lt;l&gt;</option>' in html


def test_our_forms_use_it_and_a_bound_form_with_errors_renders_the_same():
    class Form(forms.Form):
        name = forms.CharField(label=_("Tên"), max_length=5)
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B <b>")])
        count = forms.IntegerField(min_value=1)
        note = forms.CharField(widget=forms.Textarea, required=False)

    data = {"name": "quá dài <x>", "kind": "z", "count": "0", "note": "<script>"}
    ours = Form(data)
    bootstrap(ours)
    assert ours.renderer is QUICK_RENDERER
    theirs = Form(data, renderer=DJANGO)
    bootstrap(theirs)
    theirs.renderer = DJANGO
    assert not ours.is_valid() and not theirs.is_valid()
    for name in ("name", "kind", "count", "note"):
        assert str(ours[name]) == str(theirs[name])
    assert "&lt;script&gt;" in str(ours["note"]) and "<script>" not in str(ours["note"])

"""Form helpers every app's pages share: the money field, Bootstrap classes on widgets, and the one
way a service's ValidationError lands on a form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .money import group, parse_vnd
from .renderers import QUICK_RENDERER


class MoneyField(forms.IntegerField):
    """Whole đồng, typed as people write it ("1.500.000", "1 500 000 đ", "600000000 đồng") and
    shown back grouped with dots ("1.500.000"), the way Vietnamese writes money."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    # Django's own Vietnamese ("Nhập một số tổng thể.", "… bằng với 0 .") reads badly.
    default_error_messages = {
        "invalid": _("Nhập số tiền bằng chữ số, ví dụ 600.000.000."),
        "min_value": _("Số tiền không được âm."),
        "max_value": _("Số tiền quá lớn."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", 10**15)  # a quadrillion đồng: far above any support, inside BIGINT
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        # A text input: no number-input min/max/step attributes (they would refuse "1.500.000").
        return {}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_vnd(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return group(value)
        return value


class DatalistInput(forms.TextInput):
    """A text input with a <datalist> of its choices' labels: a choice among many (104 communes)
    that a phone narrows as one types, where a <select> would only scroll. The field resolves the
    typed label back to its row; an initial row (its pk) is shown by its label. No script."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.choices = []

    def _options(self):
        return [(str(value), str(label)) for value, label in self.choices if value != ""]

    def render(self, name, value, attrs=None, renderer=None):
        options = self._options()
        if value is not None and not isinstance(value, str):  # a row's pk (an initial value)
            value = dict(options).get(str(value), value)
        list_id = f"{(attrs or {}).get('id') or self.attrs.get('id') or name}-list"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        items = format_html_join("", '<option value="{}"></option>', ((label,) for _value, label in options))
        return html + format_html('<datalist id="{}">{}</datalist>', list_id, items)


def _bootstrap_class(widget):
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def bootstrap(form):
    """Bootstrap classes on every widget of `form`, so templates can render fields plainly. A class a
    widget already carries is kept, and calling this twice adds nothing. The form's widgets are
    written by our quicker renderer (core.renderers), with the same markup."""
    form.renderer = QUICK_RENDERER
    for field in form.fields.values():
        widget = field.widget
        css = _bootstrap_class(widget)
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])


class BootstrapMixin:
    """`bootstrap(self)` once the fields exist."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


def apply_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: each field's errors on that field when the form
    has it, everything else (a field the form does not show, a plain message) on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.error_list)

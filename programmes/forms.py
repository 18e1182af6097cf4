"""The programme's forms: the account form pages with the reporting units a commune or department
official reports for (accounts' own forms plus the units field, which only programmes may know),
and the selection rounds staff record."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserCreateForm, UserEditForm
from core.forms import BootstrapMixin, DatalistInput

from .models import AdministrativeUnit, SelectionRound
from .selectors import communes_named, reporting_units_for_choice


class CommuneField(forms.ModelChoiceField):
    """One commune among the province's 104, typed into a searchable list (core.forms.DatalistInput)
    and resolved by programmes.selectors.communes_named: "Xã Tiên Lữ", "tien lu" or "12364"."""

    widget = DatalistInput
    default_error_messages = {
        "invalid_choice": _(
            "Không có xã, phường “%(value)s” trong danh sách. Gõ vài chữ của tên rồi chọn một tên "
            "trong danh sách, ví dụ “Phường Phố Hiến”."
        ),
        "ambiguous": _("Có nhiều xã, phường tên “%(value)s”: chọn tên đầy đủ trong danh sách."),
    }

    def __init__(self, queryset=None, **kwargs):
        if queryset is None:
            queryset = AdministrativeUnit.objects.filter(is_active=True)
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, obj):
        return obj.full_name

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, AdministrativeUnit):
            return value
        found = communes_named(value, self.queryset)
        if len(found) > 1:
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": value})
        if not found:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return found[0]

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            chosen = self.to_python(data)
        except ValidationError:
            return True
        return str(getattr(chosen, "pk", "")) != str(self.prepare_value(initial) or "")


class ReportingUnitsMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in reporting_units_for_choice()}
        self.fields["reporting_units"] = forms.MultipleChoiceField(
            label=_("Đơn vị báo cáo (xã, phường, đơn vị phối hợp)"),
            required=False,
            choices=[(pk, u.name) for pk, u in self.units.items()],
            help_text=_(
                "Chỉ cho cán bộ xã, phường, đơn vị phối hợp. Trên máy tính, giữ Ctrl để chọn nhiều đơn vị."
            ),
            widget=forms.SelectMultiple(attrs={"size": 8, "class": "form-select"}),
        )
        names = [name for name in self.fields if name != "reporting_units"]
        self.order_fields([*names[: names.index("roles") + 1], "reporting_units"])  # right after roles

    def clean(self):
        data = super().clean()
        data["reporting_units"] = [self.units[pk] for pk in data.get("reporting_units", [])]
        return data


class AccountCreateForm(ReportingUnitsMixin, UserCreateForm):
    pass


class AccountEditForm(ReportingUnitsMixin, UserEditForm):
    pass


class SelectionRoundForm(BootstrapMixin, forms.ModelForm):
    """A selection round as staff record it; the rules are the service's
    (programmes.services.selection_round_add)."""

    recognition_date = forms.DateField(
        label=_("Ngày quyết định công nhận"), widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )

    class Meta:
        model = SelectionRound
        fields = ["level", "year", "recognition_decision", "recognition_date", "products_recognised", "note"]
        help_texts = {
            "year": _("Năm tổ chức bình chọn, ví dụ 2026."),
            "recognition_decision": _("Số quyết định công nhận sản phẩm tiêu biểu, ví dụ 1234/QĐ-UBND."),
            "products_recognised": _("Không bắt buộc."),
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["inputmode"] = "numeric"
        self.fields["year"].error_messages["invalid"] = _("Nhập năm bằng 4 chữ số, ví dụ 2026.")

    def validate_unique(self):
        # One round per programme, level, year and decision: the service says so (the form has no
        # programme to check against).
        pass

"""The account form pages with the reporting units a commune or department official reports for:
accounts' own forms plus the units field, which only programmes may know."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserCreateForm, UserEditForm

from .selectors import reporting_units_for_choice


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

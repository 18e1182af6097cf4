"""Forms of the unit report pages. They check shape (numbers, dates); the services check meaning
(completeness, lateness, who may act) and their errors land back on the fields."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, MoneyField, bootstrap
from core.money import format_trieu
from core.text import fold
from core.workflow import Step
from programmes.models import ReportingUnit

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "autocomplete": "off"}
MILLION = 1_000_000


def scale_of_unit(unit: str) -> int:
    """Đồng per unit typed: a figure in triệu đồng is typed in millions and stored in đồng; one in
    đồng as it is; a count is a count."""
    return MILLION if fold(unit) in ("trieu dong", "trieu") else 1


def scale_of(indicator) -> int:
    return scale_of_unit(indicator.unit)


def is_money(indicator) -> bool:
    return fold(indicator.unit) in ("trieu dong", "trieu", "dong", "vnd")


class CountField(MoneyField):
    """A whole number typed the Vietnamese way ("1.250"), not negative."""

    default_error_messages = {
        "invalid": _("Nhập số bằng chữ số, ví dụ 1.250."),
        "min_value": _("Số liệu không được âm."),
        "max_value": _("Số liệu quá lớn."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(*args, **kwargs)


class TrieuField(forms.CharField):
    """Money typed in triệu đồng as reports write it ("1.250", "1,5", "350 triệu") and kept in
    whole đồng; shown back in triệu (core.money.format_trieu)."""

    default_error_messages = {
        "invalid": _("Nhập số triệu đồng bằng chữ số, ví dụ 1.250 hoặc 1,5."),
        "min_value": _("Số tiền không được âm."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = re.sub(r"triệu|trieu|đồng|dong|\s", "", str(value or ""), flags=re.IGNORECASE)
        if not text:
            return None
        text = text.replace(".", "").replace(",", ".")
        try:
            millions = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        dong = millions * MILLION
        if dong != dong.to_integral_value() or abs(dong) > 10**15:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if dong < 0:
            raise ValidationError(self.error_messages["min_value"], code="min_value")
        return int(dong)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_trieu(value)
        return value


def value_field(indicator, **kwargs):
    if scale_of(indicator) == MILLION:
        return TrieuField(**kwargs)
    if is_money(indicator):
        return MoneyField(min_value=0, **kwargs)
    return CountField(**kwargs)


class UnitReportForm(forms.Form):
    """A unit's figures (one per indicator, with a note where it differs from the portal's) and its
    narrative. Nothing is required here: a draft saves as it is; submission is checked by the
    service."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    results = forms.CharField(
        label=_("Kết quả thực hiện"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    difficulties = forms.CharField(
        label=_("Khó khăn, vướng mắc"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    proposals = forms.CharField(
        label=_("Đề xuất, kiến nghị"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"value_{indicator.pk}"] = value_field(
                indicator, label=indicator.label, required=False
            )
            self.fields[f"note_{indicator.pk}"] = forms.CharField(
                label=_("Giải trình: %(label)s") % {"label": indicator.label},
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
        bootstrap(self)

    def values(self) -> dict:
        return {
            i.pk: {
                "value": self.cleaned_data.get(f"value_{i.pk}"),
                "note": self.cleaned_data.get(f"note_{i.pk}") or "",
            }
            for i in self.indicators
        }

    def narrative(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in ("results", "difficulties", "proposals")}


class ReviewForm(forms.Form):
    """The fields of one review step (a comment or reason, the day wanted back), built from the
    step's declaration; all optional here, the engine says what a step requires. (The projects'
    TransitionForm knows a project's sources and choices; a report's steps need only these two.)"""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, step: Step, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        for f in step.fields:
            if f.kind == "date":
                self.fields[f.name] = forms.DateField(
                    label=f.label, required=False, widget=forms.DateInput(attrs=DATE_ATTRS)
                )
            else:
                self.fields[f.name] = forms.CharField(
                    label=f.label, required=False, widget=forms.Textarea(attrs={"rows": 2})
                )
        bootstrap(self)

    def step_data(self) -> dict:
        return {f.name: self.cleaned_data.get(f.name) for f in self.step.fields}


class PeriodOpenForm(BootstrapMixin, forms.Form):
    """The period's year and its dates (empty: the decision's defaults)."""

    year = forms.IntegerField(label=_("Năm báo cáo"), min_value=2000, max_value=2100)
    opens_on = forms.DateField(
        label=_("Bắt đầu nhận báo cáo (mặc định 01/12)"),
        required=False,
        widget=forms.DateInput(attrs=DATE_ATTRS),
    )
    unit_deadline = forms.DateField(
        label=_("Hạn đơn vị gửi (hết ngày; mặc định 22/12)"),
        required=False,
        widget=forms.DateInput(attrs=DATE_ATTRS),
    )
    province_deadline = forms.DateField(
        label=_("Hạn báo cáo UBND tỉnh (hết ngày; mặc định 31/12)"),
        required=False,
        widget=forms.DateInput(attrs=DATE_ATTRS),
    )
    data_from = forms.DateField(
        label=_("Số liệu từ ngày (mặc định 15/12 năm trước)"),
        required=False,
        widget=forms.DateInput(attrs=DATE_ATTRS),
    )
    data_to = forms.DateField(
        label=_("Số liệu đến ngày (mặc định 14/12)"), required=False, widget=forms.DateInput(attrs=DATE_ATTRS)
    )
    reminder_offsets = forms.CharField(
        label=_("Nhắc hạn trước hạn (ngày, cách nhau bằng dấu phẩy; số âm là sau hạn)"),
        required=False,
        initial="7, 3, 1, -1",
        max_length=60,
    )

    def clean_reminder_offsets(self):
        text = self.cleaned_data["reminder_offsets"].strip()
        if not text:
            return None
        try:
            return [int(part) for part in re.split(r"[,;\s]+", text) if part]
        except ValueError:
            raise ValidationError(
                _("Nhập các số nguyên cách nhau bằng dấu phẩy, ví dụ 7, 3, 1, -1.")
            ) from None


class ExpectedUnitForm(BootstrapMixin, forms.Form):
    """Staff add a unit to the period, or excuse one, with the reason."""

    ACTIONS = (("add", _("Bổ sung đơn vị phải báo cáo")), ("excuse", _("Miễn báo cáo")))

    action = forms.ChoiceField(label=_("Thao tác"), choices=ACTIONS)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"), queryset=ReportingUnit.objects.filter(is_active=True).select_related("commune")
    )
    reason = forms.CharField(label=_("Lý do"), max_length=500, required=False)

"""Forms of the compiled reports' pages (issue 13): shape only; reports.yearly_jobs decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin

from .models import ReportingPeriod
from .yearly_jobs import EDITABLE
from .yearly_models import Audience, ReportKind, ReportRequest


class RequestOpenForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại báo cáo"), choices=ReportKind.choices)
    audience = forms.ChoiceField(label=_("Nơi nhận báo cáo"), choices=Audience.choices)
    period = forms.ModelChoiceField(
        label=_("Kỳ báo cáo năm"), queryset=ReportingPeriod.objects.order_by("-year"), required=False
    )
    year = forms.IntegerField(label=_("Năm (báo cáo quý)"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quý"),
        choices=[("", "—"), (1, "I"), (2, "II"), (3, "III"), (4, "IV")],
        coerce=int,
        required=False,
        empty_value=None,
    )
    date_from = forms.DateField(label=_("Từ ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    date_to = forms.DateField(label=_("Đến ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"])

    def window(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        if kind == ReportKind.YEARLY:
            return {"period": data.get("period")}
        if kind == ReportKind.QUARTERLY:
            return {"year": data.get("year"), "quarter": data.get("quarter")}
        return {"date_from": data.get("date_from"), "date_to": data.get("date_to")}


class PassagesForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ReportRequest
        fields = list(EDITABLE)
        widgets = {
            name: forms.Textarea(attrs={"rows": 5})
            for name in ("direction", "achievements", "shortcomings", "next_year", "proposals")
        } | {"recipients": forms.Textarea(attrs={"rows": 5})}

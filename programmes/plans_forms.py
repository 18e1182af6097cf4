"""The forms of the annual plan pages (issue 12): shape only; programmes.plans says what is allowed.
A step's form is built from its declaration in programmes.plans_workflow (the fields it records)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, MoneyField, bootstrap
from core.workflow import Step

from .forms import VERSION_ERRORS, VariantSelect, VersionedMixin
from .models import ActivityType, ActivityVariant, AdministrativeUnit, DecisionIssuer, FundingSource

DATE_INPUT = {"placeholder": "dd/mm/yyyy"}


def version_field():
    """The plan's version the form was opened on (programmes.plans refuses a stale one)."""
    return forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)


class PlanForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Năm kế hoạch"), min_value=2000, max_value=2100)
    funding_source = forms.ModelChoiceField(
        label=_("Nguồn kinh phí"), queryset=FundingSource.objects.filter(can_lead=True)
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class _VariantField(forms.ModelChoiceField):
    widget = VariantSelect

    def label_from_instance(self, obj):
        return obj.label


class _ActivityField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code}. {obj.short_label}"


class PlanItemForm(VersionedMixin, forms.Form):
    version = version_field()
    activity = _ActivityField(label=_("Hoạt động"), queryset=ActivityType.objects.none())
    variant = _VariantField(
        label=_("Trường hợp"), queryset=ActivityVariant.objects.select_related("activity"), required=False
    )
    label = forms.CharField(label=_("Nội dung"), max_length=400, required=False)
    planned_quantity = forms.IntegerField(label=_("Số lượng dự kiến"), min_value=0, initial=0)
    unit = forms.CharField(label=_("Đơn vị tính"), max_length=50, required=False)
    planned_support = MoneyField(label=_("Kinh phí hỗ trợ dự kiến (đồng)"), min_value=0)
    expected_counterpart = MoneyField(label=_("Vốn đối ứng dự kiến (đồng)"), min_value=0, required=False)
    communes = forms.ModelMultipleChoiceField(
        label=_("Xã, phường dự kiến"),
        queryset=AdministrativeUnit.objects.filter(is_active=True).order_by("sort_key", "code"),
        required=False,
    )
    beneficiaries_foreseen = forms.CharField(
        label=_("Đối tượng thụ hưởng dự kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = ActivityType.objects.filter(programme=plan.programme_id).order_by(
            "sort_order"
        )
        self.fields["communes"].label_from_instance = lambda c: c.full_name
        # only the chosen activity's variants are shown (static/js/portal.js)
        self.fields["variant"].widget.attrs["data-variants-of"] = self["activity"].id_for_label
        bootstrap(self)

    def item_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("communes", "version")}
        data["expected_counterpart"] = data.get("expected_counterpart") or 0
        return data


class PlanStepForm(VersionedMixin, forms.Form):
    """The fields one step of programmes.plans_workflow records; all optional here: the engine
    says which are missing (the table is the one source of what a step requires)."""

    version = version_field()

    def __init__(self, *args, step: Step, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        for f in step.fields:
            if f.kind == "note":
                self.fields[f.name] = forms.CharField(
                    label=f.label, required=False, widget=forms.Textarea(attrs={"rows": 3})
                )
            elif f.kind == "date":
                self.fields[f.name] = forms.DateField(
                    label=f.label, required=False, widget=forms.DateInput(attrs=DATE_INPUT)
                )
            elif f.kind == "choice":
                self.fields[f.name] = forms.ChoiceField(
                    label=f.label, required=False, choices=[("", "---------"), *DecisionIssuer.Issuer.choices]
                )
            else:
                self.fields[f.name] = forms.CharField(label=f.label, required=False, max_length=400)
        bootstrap(self)

    def step_data(self) -> dict:
        return {f.name: self.cleaned_data.get(f.name) for f in self.step.fields}


class AdjustmentForm(VersionedMixin, BootstrapMixin, forms.Form):
    version = version_field()
    reason = forms.CharField(
        label=_("Lý do điều chỉnh"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

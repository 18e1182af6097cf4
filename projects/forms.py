"""Forms validate shape; the services validate meaning."""

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from applicants.forms import VariantSelect
from applicants.models import Applicant, SupportRequest
from core.forms import BootstrapMixin, MoneyField, bootstrap
from core.workflow import Field
from programmes.models import ActivityType, ActivityVariant, AdministrativeUnit, FundingSource, Indicator

from .models import DocumentKind, Payment, Project, ProjectTransition
from .services import EDITABLE_FIELDS

DATE_INPUT = {"placeholder": "dd/mm/yyyy"}


def _date_field(label, required=False):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE_INPUT))


def _money_field(label, required=False):
    return MoneyField(label=label, required=required, min_value=0)


def add_amount_fields(form, sources, prefix="amount_", label_format="{name}"):
    for source in sources:
        form.fields[f"{prefix}{source.code}"] = _money_field(label_format.format(name=source.name))


def amounts_from(cleaned, sources, prefix="amount_"):
    return {
        s.code: cleaned.get(f"{prefix}{s.code}")
        for s in sources
        if cleaned.get(f"{prefix}{s.code}") is not None
    }


class ApplicantSearchWidget(forms.Widget):
    """Beneficiaries chosen by searching as one types (htmx), the chosen ones kept as hidden
    inputs: a select of every applicant (10,500 options, 830 KB) made the page too heavy. The
    small static script adds and removes the chosen ones (CSP allows no inline script)."""

    template_name = "projects/widgets/applicant_search.html"
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # no hidden input at all means none chosen

    def format_value(self, value):
        if value is None:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(getattr(v, "pk", v)) for v in values if v not in (None, "")]

    def _render(self, template_name, context, renderer=None):
        # the project's templates (the default form renderer looks only in Django's own)
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 (a template's output)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        pks = [int(v) for v in context["widget"]["value"] if str(v).isdigit()]
        chosen = Applicant.objects.filter(pk__in=pks).only("pk", "name", "tax_code") if pks else []
        context["widget"]["chosen"] = chosen
        context["widget"]["search_url"] = reverse("projects:beneficiary_search")
        return context


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    beneficiaries = forms.ModelMultipleChoiceField(
        label=_("Đơn vị thụ hưởng"),
        queryset=Applicant.objects.none(),
        required=False,
        widget=ApplicantSearchWidget,
    )
    communes = forms.ModelMultipleChoiceField(
        label=_("Địa bàn (xã, phường)"),
        queryset=AdministrativeUnit.objects.filter(is_active=True),
        required=False,
    )
    total_cost = _money_field(_("Tổng kinh phí (đồng)"), required=True)
    eligible_cost = _money_field(_("Chi phí được tính hỗ trợ (đồng; để trống = tổng kinh phí)"))
    start_date = _date_field(_("Ngày bắt đầu dự kiến"))
    end_date = _date_field(_("Ngày kết thúc dự kiến"))
    models_count = forms.IntegerField(
        label=_("Số mô hình (mức tối đa tính theo mô hình)"), min_value=1, required=False
    )
    planned_beneficiaries = forms.IntegerField(
        label=_("Số cơ sở thụ hưởng dự kiến (đề án nhóm chưa có danh sách)"), min_value=1, required=False
    )

    # the people and places right after who carries the project out
    field_order = [
        *EDITABLE_FIELDS[: EDITABLE_FIELDS.index("implementing_unit") + 1],
        "beneficiaries",
        "communes",
    ]

    class Meta:
        model = Project
        fields = [*EDITABLE_FIELDS, "beneficiaries", "communes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = list(FundingSource.objects.all())
        self.fields["activity"].queryset = ActivityType.objects.filter(is_active=True).select_related(
            "programme"
        )
        self.fields["variant"].queryset = ActivityVariant.objects.select_related("activity")
        self.fields["variant"].label_from_instance = lambda v: v.label
        # only the chosen activity's variants are shown (static/js/portal.js)
        self.fields["variant"].widget = VariantSelect(
            attrs={"data-variants-of": self["activity"].id_for_label}
        )
        self.fields["variant"].widget.choices = self.fields["variant"].choices
        self.fields["lead_fund"].queryset = FundingSource.objects.filter(can_lead=True)
        self.fields["beneficiaries"].queryset = Applicant.objects.all()
        add_amount_fields(self, self.sources, label_format=_("{name} (đồng)"))
        bootstrap(self)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["beneficiaries"].initial = list(self.instance.beneficiaries.all())
            self.fields["communes"].initial = list(self.instance.communes.all())
            lines = {line.funding_source_id: line.amount for line in self.instance.current_budget.lines.all()}
            for source in self.sources:
                self.fields[f"amount_{source.code}"].initial = lines.get(source.pk)

    def lines(self):
        return amounts_from(self.cleaned_data, self.sources)

    def clean_models_count(self):
        return self.cleaned_data.get("models_count") or 1

    def data_dict(self):
        return {n: self.cleaned_data.get(n) for n in EDITABLE_FIELDS}


class OutputForm(BootstrapMixin, forms.Form):
    label = forms.CharField(
        label=_("Kết quả"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("Kết quả, ví dụ: mô hình trình diễn, học viên")}),
    )
    quantity = forms.DecimalField(
        label=_("Số lượng"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"placeholder": _("Số lượng")}),
    )
    unit = forms.CharField(
        label=_("Đơn vị tính"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("Đơn vị tính")}),
    )
    # The unit-report indicator this output counts towards, and its figure in the indicator's unit.
    indicator = forms.ModelChoiceField(
        label=_("Chỉ tiêu báo cáo"), required=False, queryset=Indicator.objects.filter(is_active=True)
    )
    number = forms.IntegerField(label=_("Số liệu theo chỉ tiêu"), required=False, min_value=0)


OutputFormSet = forms.formset_factory(OutputForm, extra=3, max_num=30)


class FromRequestForm(forms.Form):
    support_request = forms.ModelChoiceField(
        label=_("Đề nghị hỗ trợ đã chấp nhận"),
        queryset=SupportRequest.objects.none(),
    )
    lead_fund = forms.ModelChoiceField(
        label=_("Nguồn kinh phí chủ trì"), queryset=FundingSource.objects.none()
    )
    implementing_unit = forms.CharField(
        label=_("Đơn vị thực hiện"), max_length=300, initial=_("Trung tâm Khuyến công và Xúc tiến thương mại")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_request"].queryset = SupportRequest.objects.filter(
            status=SupportRequest.Status.ACCEPTED, project__isnull=True
        ).select_related("applicant")
        self.fields["support_request"].label_from_instance = lambda r: (
            f"{r.code} — {r.title} ({r.applicant.name})"
        )
        self.fields["lead_fund"].queryset = FundingSource.objects.filter(can_lead=True)
        bootstrap(self)


class TransitionForm(forms.Form):
    """The fields of one step of the table, built from `Step.fields`. All optional here: the
    service says which are missing, so the table is the one source of what a step requires.
    An `amounts` initial value ({source code: amount}) fills the per-source fields."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, step, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.state_sources = list(FundingSource.objects.filter(is_state_support=True))
        for code, amount in (self.initial.pop("amounts", None) or {}).items():
            self.initial[f"amount_{code}"] = amount
        for f in step.fields:
            self._add(f)
        bootstrap(self)

    def _add(self, f: Field):
        if f.kind == "note":
            rows = 3 if f.required else 2
            self.fields[f.name] = forms.CharField(
                label=f.label, required=False, widget=forms.Textarea(attrs={"rows": rows})
            )
        elif f.kind == "text":
            self.fields[f.name] = forms.CharField(label=f.label, required=False, max_length=400)
        elif f.kind == "date":
            self.fields[f.name] = _date_field(f.label)
        elif f.kind == "money":
            self.fields[f.name] = _money_field(f.label)
        elif f.kind == "number":
            self.fields[f.name] = forms.IntegerField(label=f.label, required=False, min_value=1)
        elif f.kind == "choice":
            self.fields[f.name] = forms.ChoiceField(
                label=f.label,
                required=False,
                choices=[("", "---------"), *ProjectTransition._meta.get_field(f.name).choices],
            )
        elif f.kind == "document":
            self.fields[f.name] = forms.FileField(label=f.label, required=False)
        elif f.kind == "amounts":
            add_amount_fields(self, self.state_sources, label_format=str(f.label) + " — {name} (đồng)")

    def step_data(self):
        data = {}
        for f in self.step.fields:
            if f.kind == "amounts":
                data["amounts"] = amounts_from(self.cleaned_data, self.state_sources)
            else:
                data[f.name] = self.cleaned_data.get(f.name)
        return data


class AdjustForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision_number = forms.CharField(label=_("Số quyết định điều chỉnh"), max_length=60)
    decision_date = _date_field(_("Ngày quyết định"), required=True)
    total_cost = _money_field(_("Tổng kinh phí mới (đồng)"), required=True)
    eligible_cost = _money_field(_("Chi phí được tính hỗ trợ (đồng; để trống = tổng kinh phí)"))
    models_count = forms.IntegerField(
        label=_("Số mô hình mới (để trống = giữ nguyên)"), min_value=1, required=False
    )
    planned_beneficiaries = forms.IntegerField(
        label=_("Số cơ sở thụ hưởng dự kiến mới (đề án nhóm; để trống = giữ nguyên)"),
        min_value=1,
        required=False,
    )
    legal_basis = forms.CharField(
        label=_("Căn cứ pháp lý áp dụng khi chưa có quy định mức hỗ trợ (số, ngày nghị quyết, quyết định)"),
        max_length=300,
        required=False,
    )
    start_date = _date_field(_("Ngày bắt đầu mới"))
    end_date = _date_field(_("Ngày kết thúc mới"))
    # the same search-as-you-type picker as the project form (a select of every applicant was
    # too heavy: issue 10 item 11)
    beneficiaries = forms.ModelMultipleChoiceField(
        label=_("Đơn vị thụ hưởng"),
        queryset=Applicant.objects.all(),
        required=False,
        widget=ApplicantSearchWidget,
    )
    communes = forms.ModelMultipleChoiceField(
        label=_("Địa bàn (xã, phường)"),
        queryset=AdministrativeUnit.objects.filter(is_active=True),
        required=False,
    )
    reason = forms.CharField(label=_("Nội dung điều chỉnh"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = list(FundingSource.objects.all())
        add_amount_fields(self, self.sources, label_format=_("{name} (đồng)"))
        bootstrap(self)

    def lines(self):
        return amounts_from(self.cleaned_data, self.sources)


class SharesForm(forms.Form):
    """Each named beneficiary's share of the state support: one money field per beneficiary
    (`share_<applicant id>`), empty for none."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, beneficiaries, shares=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.beneficiaries = list(beneficiaries)
        for applicant in self.beneficiaries:
            label = applicant.name + (f" ({applicant.tax_code})" if applicant.tax_code else "")
            field = _money_field(label + " — " + str(_("phần hỗ trợ (đồng)")))
            field.initial = (shares or {}).get(applicant.pk)
            self.fields[f"share_{applicant.pk}"] = field
        bootstrap(self)

    def shares(self) -> dict:
        """{applicant id: amount or None} for every beneficiary on the form."""
        return {a.pk: self.cleaned_data.get(f"share_{a.pk}") for a in self.beneficiaries}


class ProgressForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    month = _date_field(_("Tháng báo cáo (ngày bất kỳ trong tháng)"), required=True)
    percent = forms.DecimalField(label=_("Tiến độ (%)"), min_value=0, max_value=100, decimal_places=2)
    spent = _money_field(_("Kinh phí đã thực hiện (đồng)"))
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("Tệp báo cáo (không bắt buộc)"), required=False)


class PaymentForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Loại"), choices=Payment.Kind.choices)
    funding_source = forms.ModelChoiceField(
        label=_("Nguồn kinh phí"),
        queryset=FundingSource.objects.filter(is_state_support=True),
        required=False,
        empty_label=_("Nguồn chủ trì"),
    )
    amount = _money_field(_("Số tiền (đồng)"), required=True)
    paid_on = _date_field(_("Ngày chi"), required=True)
    reference = forms.CharField(label=_("Số chứng từ"), required=False, max_length=60)


class RecoveryForm(BootstrapMixin, forms.Form):
    """Thu hồi tạm ứng: an advance paid back, with its date and document."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    funding_source = forms.ModelChoiceField(
        label=_("Nguồn kinh phí"),
        queryset=FundingSource.objects.filter(is_state_support=True),
        required=False,
        empty_label=_("Nguồn chủ trì"),
    )
    amount = _money_field(_("Số tiền thu hồi (đồng)"), required=True)
    recovered_on = _date_field(_("Ngày thu hồi"), required=True)
    reference = forms.CharField(label=_("Số chứng từ thu hồi"), max_length=60)
    file = forms.FileField(label=_("Tệp chứng từ (không bắt buộc)"), required=False)


class ConfirmProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    entry = forms.IntegerField(widget=forms.HiddenInput)


class DocumentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại tài liệu"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("Tệp (PDF, ảnh JPEG/PNG, Word, Excel)"))

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, v) for k, v in DocumentKind.choices if k in kinds]


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx) theo mẫu"))

"""The programme's forms: the account form pages with the reporting units a commune or department
official reports for (accounts' own forms plus the units field, which only programmes may know),
and the selection rounds staff record."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserCreateForm, UserEditForm
from core.concurrency import STALE_MESSAGE
from core.forms import BootstrapMixin, DatalistInput

from .models import AdministrativeUnit, Collaborator, SelectionRound
from .selectors import communes_named, reporting_units_for_choice


class VariantSelect(forms.Select):
    """A variant select whose options name their activity (data-activity), so that the page shows
    only the chosen activity's variants (static/js/portal.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-activity"] = str(instance.activity_id)
        return option


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


DATE_WIDGET = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
VERSION_ERRORS = {"required": STALE_MESSAGE, "invalid": STALE_MESSAGE}


class VersionedMixin:
    """The hidden version the form was opened on (core.concurrency); a missing one is refused like a
    concurrent edit, said on top of the form."""

    def clean(self):
        data = super().clean()
        stale = self.errors.pop("version", None)
        if stale:
            raise ValidationError(stale.as_data())
        return data


class CollaboratorForm(VersionedMixin, BootstrapMixin, forms.Form):
    """A commune's collaborator as staff record it; the rules are the service's
    (programmes.services.collaborator_create / collaborator_update)."""

    commune = CommuneField(label=_("Xã, phường"))
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    position = forms.CharField(label=_("Chức vụ, nơi công tác"), max_length=200, required=False)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=15, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    appointment_decision = forms.CharField(
        label=_("Quyết định công nhận"),
        max_length=100,
        required=False,
        help_text=_("Số, ngày của văn bản công nhận cộng tác viên, ví dụ 123/QĐ-SCT ngày 05/01/2026."),
    )
    appointed_on = forms.DateField(label=_("Ngày bắt đầu"), widget=forms.DateInput(attrs=DATE_WIDGET))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=VERSION_ERRORS)

    def __init__(self, *args, instance: Collaborator | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "commune": instance.commune_id,
                    "full_name": instance.full_name,
                    "position": instance.position,
                    "phone": instance.phone,
                    "email": instance.email,
                    "appointment_decision": instance.appointment_decision,
                    "appointed_on": instance.appointed_on,
                    "version": instance.version,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["version"].required = True


class CollaboratorEndForm(VersionedMixin, BootstrapMixin, forms.Form):
    ended_on = forms.DateField(
        label=_("Ngày kết thúc nhiệm vụ"),
        widget=forms.DateInput(attrs=DATE_WIDGET),
        help_text=_("Cộng tác viên còn được tính là đang làm việc trong ngày này."),
    )
    reason = forms.CharField(
        label=_("Lý do kết thúc"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=True, error_messages=VERSION_ERRORS)

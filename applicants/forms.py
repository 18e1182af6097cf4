from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import STALE_MESSAGE
from core.forms import BootstrapMixin, MoneyField
from core.text import clean_text
from core.validators import normalize_phone, validate_phone
from programmes.forms import CommuneField, VariantSelect
from programmes.models import ActivityType, ActivityVariant

from .models import Applicant, ArtisanTitle, SupportRequest
from .validators import normalize_tax_code
from .workflow import TRIAGE

YEAR_ERRORS = {"invalid": _("Nhập năm bằng 4 chữ số, ví dụ 2026.")}
# A form without the version it was opened on cannot tell a concurrent edit apart: refused like one.
VERSION_ERRORS = {"required": STALE_MESSAGE, "invalid": STALE_MESSAGE}


def version_field():
    """The hidden version an edit form carries (core.concurrency): required when it edits a row."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=VERSION_ERRORS)


def require_version(form):
    if form.instance.pk:
        form.fields["version"].required = True
        form.fields["version"].initial = form.instance.version


class VersionedFormMixin:
    """A missing or unreadable version is said on top of the form: the field itself is hidden."""

    def clean(self):
        data = super().clean()
        stale = self.errors.pop("version", None)
        if stale:
            raise ValidationError(stale.as_data())
        return data


COUNT_ERRORS = {"invalid": _("Nhập một số nguyên, ví dụ 12."), "min_value": _("Số này không được âm.")}


HELP = {
    "kind": _("Chọn đúng loại hình theo giấy đăng ký. Nghệ nhân chọn “Nghệ nhân”."),
    "name": _(
        "Tên ghi trên giấy chứng nhận đăng ký (ví dụ: Hộ kinh doanh Nguyễn Văn A, HTX Mây tre đan Phú Hòa)."
    ),
    "tax_code": _(
        "10 chữ số; đơn vị phụ thuộc thêm “-” và 3 chữ số (ví dụ 0100109106-001). Hộ kinh doanh, nghệ nhân "
        "có thể nhập số định danh cá nhân 12 chữ số (số căn cước)."
    ),
    "registration_number": _(
        "Số trên giấy chứng nhận đăng ký doanh nghiệp, hợp tác xã hoặc hộ kinh doanh (nếu có)."
    ),
    "representative": _("Họ và tên người đại diện theo pháp luật hoặc chủ hộ."),
    "phone": _("Số điện thoại di động để đăng nhập và nhận thông báo, ví dụ 0912 345 678."),
    "email": _("Không bắt buộc."),
    "address": _("Số nhà, thôn/xóm/tổ dân phố."),
    "commune": _(
        "Xã, phường nơi cơ sở sản xuất (theo địa giới mới từ 01/7/2025): gõ vài chữ của tên rồi chọn trong danh sách."
    ),
    "sector": _("Ví dụ: mây tre đan, dệt may, chế biến nông sản, cơ khí."),
    "sector_group": _("Dùng để xác định quy mô doanh nghiệp theo Nghị định 80/2021/NĐ-CP."),
    "insured_employees": _("Số lao động tham gia bảo hiểm xã hội bình quân năm (tự kê khai)."),
    "revenue_vnd": _("Tổng doanh thu năm trước, đơn vị đồng (tự kê khai)."),
    "capital_vnd": _("Tổng nguồn vốn, đơn vị đồng (tự kê khai)."),
}

PROFILE_FIELDS = [
    "kind",
    "name",
    "tax_code",
    "registration_number",
    "representative",
    "representative_title",
    "phone",
    "email",
    "address",
    "commune",
    "sector",
    "sector_group",
    "founded_year",
    "insured_employees",
    "revenue_vnd",
    "capital_vnd",
]


class ApplicantForm(VersionedFormMixin, BootstrapMixin, forms.ModelForm):
    # a searchable list of the 104 communes (a select only scrolls on a phone)
    commune = CommuneField(label=_("Xã, phường"), help_text=HELP["commune"])
    revenue_vnd = MoneyField(
        label=_("Doanh thu năm (đồng)"), required=False, min_value=0, help_text=HELP["revenue_vnd"]
    )
    capital_vnd = MoneyField(
        label=_("Tổng nguồn vốn (đồng)"), required=False, min_value=0, help_text=HELP["capital_vnd"]
    )
    version = version_field()

    class Meta:
        model = Applicant
        fields = PROFILE_FIELDS
        help_texts = HELP
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["founded_year"].widget.attrs["inputmode"] = "numeric"
        self.fields["kind"].choices = [("", _("— Chọn loại hình —")), *Applicant.Kind.choices]
        self.fields["founded_year"].error_messages.update(YEAR_ERRORS)
        self.fields["insured_employees"].error_messages.update(COUNT_ERRORS)
        self.fields["commune"].widget.attrs["placeholder"] = _("Gõ tên xã, phường, ví dụ Tiên Lữ")
        require_version(self)

    def clean_tax_code(self):
        return normalize_tax_code(self.cleaned_data.get("tax_code")) or None

    def clean_registration_number(self):
        return clean_text(self.cleaned_data.get("registration_number")) or None

    def clean_phone(self):
        phone = self.cleaned_data.get("phone")
        validate_phone(phone)
        return normalize_phone(phone)

    def clean_founded_year(self):
        year = self.cleaned_data.get("founded_year")
        if year and not 1900 <= year <= timezone.localdate().year:
            raise ValidationError(_("Năm thành lập không hợp lệ."))
        return year

    def validate_unique(self):
        # Duplicates are told apart in the service, with a message that says whom to contact.
        pass


class ArtisanTitleForm(BootstrapMixin, forms.Form):
    title = forms.ChoiceField(
        label=_("Danh hiệu nghệ nhân"), choices=[("", "—")] + list(ArtisanTitle.Title.choices), required=False
    )
    title_year = forms.IntegerField(
        label=_("Năm được phong tặng"),
        required=False,
        min_value=1990,
        max_value=2100,
        error_messages={
            **YEAR_ERRORS,
            "min_value": _("Năm được phong tặng không hợp lệ."),
            "max_value": _("Năm được phong tặng không hợp lệ."),
        },
    )
    craft = forms.CharField(label=_("Nghề"), required=False, max_length=200)
    decision = forms.CharField(label=_("Quyết định phong tặng (số, ngày)"), required=False, max_length=100)

    def clean(self):
        data = super().clean()
        if data.get("title") and not (data.get("title_year") and data.get("craft")):
            raise ValidationError(_("Nghệ nhân cần ghi năm được phong tặng và nghề."))
        return data

    def as_data(self):
        d = self.cleaned_data
        return {
            "title": d.get("title"),
            "year": d.get("title_year"),
            "craft": d.get("craft"),
            "decision": d.get("decision"),
        }


class RegistrationForm(ApplicantForm):
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
        min_length=8,
        help_text=_("Ít nhất 8 ký tự. Dùng để đăng nhập cùng số điện thoại."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )
    consent = forms.BooleanField(
        label=_("Tôi đã đọc và đồng ý với thông báo xử lý dữ liệu cá nhân"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Hai lần nhập mật khẩu không khớp."))
        if data.get("password1"):
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(data["password1"])
            except ValidationError as error:
                self.add_error("password1", error)
        if not data.get("consent"):
            self.add_error("consent", _("Bạn cần đồng ý với thông báo xử lý dữ liệu cá nhân để đăng ký."))
        # After an error elsewhere on the form the typed password stays; only a password that is
        # itself at fault is typed again.
        keep = "password1" not in self.errors and "password2" not in self.errors
        for name in ("password1", "password2"):
            self.fields[name].widget.render_value = keep
        return data


class StaffEntryForm(ApplicantForm):
    create_account = forms.BooleanField(
        label=_("Tạo tài khoản cho cơ sở (mật khẩu tạm, phải đổi khi đăng nhập lần đầu)"),
        required=False,
        initial=True,
    )
    paper_consent = forms.BooleanField(
        label=_("Hồ sơ giấy có bản đồng ý xử lý dữ liệu cá nhân do người đại diện ký"),
        help_text=_(
            "Bắt buộc: bản ký theo thông báo xử lý dữ liệu cá nhân đang áp dụng, lưu cùng hồ sơ giấy."
        ),
        required=True,
        error_messages={
            "required": _("Hồ sơ giấy phải có bản đồng ý xử lý dữ liệu cá nhân đã ký trước khi nhập.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = False

    def clean_phone(self):
        phone = self.cleaned_data.get("phone")
        if not phone:
            return ""
        validate_phone(phone)
        return normalize_phone(phone)


class ReviewForm(BootstrapMixin, forms.Form):
    # No answer is chosen beforehand: the reviewer picks one (a preselected "Xác minh" was sent
    # by mistake).
    decision = forms.ChoiceField(
        choices=[
            ("", _("— Chọn quyết định —")),
            ("verified", _("Xác minh")),
            ("changes_requested", _("Yêu cầu bổ sung")),
            ("rejected", _("Từ chối")),
        ],
        label=_("Quyết định"),
    )
    reason = forms.CharField(
        label=_("Lý do / nội dung cần bổ sung"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class VariantChoiceField(forms.ModelChoiceField):
    widget = VariantSelect

    def label_from_instance(self, obj):
        return obj.label


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code}. {obj.short_label}"


class SupportRequestForm(VersionedFormMixin, BootstrapMixin, forms.ModelForm):
    activity = ActivityChoiceField(
        queryset=ActivityType.objects.filter(is_active=True).order_by("sort_order"),
        label=_("Hoạt động khuyến công"),
        help_text=_("Nội dung hỗ trợ theo danh mục của Chương trình khuyến công 2026-2030."),
    )
    variant = VariantChoiceField(
        queryset=ActivityVariant.objects.select_related("activity").order_by(
            "activity__sort_order", "sort_order"
        ),
        label=_("Trường hợp"),
        required=False,
        help_text=_("Ví dụ: máy móc đơn lẻ hay cả dây chuyền công nghệ. Mức hỗ trợ tối đa tùy trường hợp."),
    )
    estimated_cost = MoneyField(
        label=_("Tổng kinh phí dự kiến (đồng)"), min_value=0, help_text=_("Ví dụ: 600.000.000")
    )
    counterpart = MoneyField(
        label=_("Vốn đối ứng cơ sở cam kết (đồng)"),
        min_value=0,
        help_text=_("Phần cơ sở tự chi. Phần còn lại là kinh phí đề nghị hỗ trợ."),
    )
    no_other_support = forms.BooleanField(
        label=_(
            "Cơ sở cam kết các nội dung chi phí đề nghị hỗ trợ chưa được và sẽ không đề nghị hỗ trợ "
            "từ nguồn kinh phí nhà nước nào khác"
        ),
        help_text=_("Cần có cam kết này trước khi đề án hỗ trợ cơ sở được trình thẩm định."),
        required=False,
    )
    version = version_field()

    class Meta:
        model = SupportRequest
        fields = ["year", "activity", "variant", "title", "description", "estimated_cost", "counterpart"]
        help_texts = {
            "year": _("Năm thực hiện."),
            "title": _("Ví dụ: Hỗ trợ máy dệt tự động."),
            "description": _("Cơ sở cần hỗ trợ gì, để làm gì, hiệu quả dự kiến."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].empty_label = _("— Chọn hoạt động —")
        self.fields["year"].error_messages.update(YEAR_ERRORS)
        self.fields["variant"].empty_label = _("— Chưa rõ / không phân trường hợp —")
        self.fields["variant"].widget.attrs["data-variants-of"] = self["activity"].id_for_label
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year
        require_version(self)
        for name in ("activity", "variant", "estimated_cost"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": "",
                    "hx-target": "#ceiling",
                    "hx-swap": "outerHTML",
                    "hx-trigger": "change",
                    "hx-include": "closest form",
                    "hx-sync": "closest form:replace",
                }
            )

    def clean_year(self):
        year = self.cleaned_data.get("year")
        this_year = timezone.localdate().year
        if year and not this_year - 1 <= year <= this_year + 2:
            raise ValidationError(
                _("Năm đề nghị phải từ %(a)s đến %(b)s.") % {"a": this_year - 1, "b": this_year + 2}
            )
        return year

    def data_for_service(self):
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class TriageForm(BootstrapMixin, forms.Form):
    action = forms.ChoiceField(choices=[(step.key, step.label) for step in TRIAGE.steps])
    reason = forms.CharField(
        label=_("Lý do / nội dung cần bổ sung"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class LookupForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Mã theo dõi"), max_length=20, help_text=_("Ví dụ: YC-2026-000123"))
    secret = forms.CharField(label=_("Mã số thuế hoặc số điện thoại của cơ sở"), max_length=20)


class MemberForm(BootstrapMixin, forms.Form):
    contact = forms.CharField(
        label=_("Số điện thoại hoặc email"),
        max_length=254,
        help_text=_("Số điện thoại (ví dụ 0912 345 678) hoặc email của người cần mời."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        required=False,
        help_text=_(
            "Chỉ cần khi người đó chưa có tài khoản: hệ thống tạo tài khoản với mật khẩu tạm, "
            "người đó phải đổi khi đăng nhập lần đầu."
        ),
    )

    def __init__(self, *args, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:  # an owner invites: it never creates an account nor learns who holds one
            del self.fields["full_name"]


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx) hoặc CSV (UTF-8)"))


def applicant_kind_choices():
    return Applicant.Kind.choices


def request_status_choices():
    return SupportRequest.Status.choices

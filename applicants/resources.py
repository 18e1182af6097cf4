"""Import and export of applicants and support requests (XLSX), through core.spreadsheets."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.spreadsheets import require_columns, run_import
from core.text import fold
from core.validators import normalize_phone, validate_phone
from programmes.models import AdministrativeUnit

from .models import Applicant, SupportRequest
from .services import applicant_prepare

# (column header, field); the header is what the template file and the export carry.
APPLICANT_COLUMNS = [
    ("Loại hình", "kind"),
    ("Tên cơ sở", "name"),
    ("Mã số thuế", "tax_code"),
    ("Số đăng ký kinh doanh", "registration_number"),
    ("Người đại diện", "representative"),
    ("Điện thoại", "phone"),
    ("Email", "email"),
    ("Địa chỉ", "address"),
    ("Mã xã, phường", "commune"),
    ("Ngành nghề", "sector"),
    ("Năm thành lập", "founded_year"),
    ("Lao động BHXH", "insured_employees"),
    ("Doanh thu năm (đồng)", "revenue_vnd"),
    ("Tổng nguồn vốn (đồng)", "capital_vnd"),
]
REQUIRED = ["Loại hình", "Tên cơ sở", "Người đại diện", "Điện thoại", "Địa chỉ", "Mã xã, phường"]
INTEGER_FIELDS = {"founded_year", "insured_employees", "revenue_vnd", "capital_vnd"}


def applicant_export_rows(queryset, *, with_personal_ids=True):
    """Headers and rows (an iterator, read in chunks) of the applicant export. Labels come from a
    dict built once, not `get_…_display()` per cell (13% of an export's time, issue 14)."""
    headers = (
        ["STT"]
        + [h for h, _f in APPLICANT_COLUMNS]
        + ["Loại đối tượng", "Quy mô (NĐ 80/2021)", "Tình trạng xác minh", "Hồ sơ giấy"]
    )
    kinds = {key: str(label) for key, label in Applicant.Kind.choices}
    checks = {key: str(label) for key, label in Applicant.Verification.choices}

    def rows():
        for index, a in enumerate(queryset.iterator(chunk_size=2000), start=1):
            tax = a.tax_code
            if tax and not with_personal_ids and a.tax_code_is_personal_id:
                tax = ""
            yield [
                index,
                kinds.get(a.kind, a.kind),
                a.name,
                tax,
                a.registration_number,
                a.representative,
                a.phone,
                a.email,
                a.address,
                a.commune.code,
                a.sector,
                a.founded_year,
                a.insured_employees,
                a.revenue_vnd,
                a.capital_vnd,
                a.beneficiary_category,
                str(a.sme_class_label),
                checks.get(a.verification_status, a.verification_status),
                a.entered_by_staff,
            ]

    return headers, rows()


class ApplicantRowBuilder:
    """Turns one row of an import file into a validated, unsaved Applicant (verified, entered by
    staff). Duplicates against the database and within the file are row errors."""

    def __init__(self, *, actor):
        self.actor = actor
        self.communes = {u.code: u for u in AdministrativeUnit.objects.all()}
        self.communes_by_name = {fold(u.full_name): u for u in self.communes.values()}
        self.kinds = {}
        for key, label in Applicant.Kind.choices:
            self.kinds[fold(key)] = key
            self.kinds[fold(label)] = key
        self.tax_codes = set(Applicant.objects.exclude(tax_code=None).values_list("tax_code", flat=True))
        self.registrations = set(
            Applicant.objects.exclude(registration_number=None).values_list("registration_number", flat=True)
        )
        self.seen_tax = {}
        self.seen_reg = {}

    def __call__(self, data, line):
        errors = []
        values = {field: data.get(header, "") for header, field in APPLICANT_COLUMNS}
        kind, commune = self._kind(values["kind"], errors), self._commune(values["commune"], errors)
        self._integers(values, errors)
        self._phone(values, errors)
        if not kind or not commune:
            raise ValidationError(errors)
        values["kind"], values["commune"] = kind, commune
        applicant = Applicant(
            **values,
            entered_by_staff=True,
            created_by=self.actor,
            verification_status=Applicant.Verification.VERIFIED,
        )
        try:
            applicant_prepare(applicant)
            # Uniqueness is checked against the sets loaded once above, the commune is already a
            # loaded row and the two check constraints repeat the fields' own validators: skipping
            # their per-row queries keeps a 5,000-row import fast.
            applicant.full_clean(
                exclude=["owner", "created_by", "commune"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors.extend(_messages_with_labels(error))
        self._unique(applicant, line, errors)
        if errors:
            raise ValidationError(errors)
        return applicant

    def _kind(self, text, errors):
        kind = self.kinds.get(fold(text))
        if not kind:
            errors.append(_("Loại hình “%(v)s” không có trong danh mục.") % {"v": text})
        return kind

    def _commune(self, text, errors):
        commune = self.communes.get(text.zfill(5) if text.isdigit() else text)
        commune = commune or self.communes_by_name.get(fold(text))
        if not commune:
            errors.append(_("Không tìm thấy xã, phường có mã “%(v)s”.") % {"v": text})
        return commune

    @staticmethod
    def _integers(values, errors):
        for field in INTEGER_FIELDS:
            raw = values[field].replace(".", "").replace(",", "").replace(" ", "")
            if not raw:
                values[field] = None
                continue
            try:
                values[field] = int(raw)
            except ValueError:
                label = next(h for h, f in APPLICANT_COLUMNS if f == field)
                errors.append(
                    _("%(col)s phải là số nguyên, không phải “%(v)s”.") % {"col": label, "v": values[field]}
                )
                values[field] = None

    @staticmethod
    def _phone(values, errors):
        values["phone"] = _import_phone(values["phone"])
        if values["phone"]:
            try:
                validate_phone(values["phone"])
            except ValidationError as error:
                errors.extend(error.messages)

    def _unique(self, applicant, line, errors):
        """The tax code and registration number are new to the database and to the file."""
        if applicant.tax_code:
            _unique_one(
                applicant.tax_code,
                self.tax_codes,
                self.seen_tax,
                line,
                errors,
                taken=_("Mã số thuế %(v)s đã có trong hệ thống."),
                repeated=_("Mã số thuế %(v)s trùng với dòng %(line)s."),
            )
        if applicant.registration_number:
            _unique_one(
                applicant.registration_number,
                self.registrations,
                self.seen_reg,
                line,
                errors,
                taken=_("Số đăng ký %(v)s đã có trong hệ thống."),
                repeated=_("Số đăng ký %(v)s trùng với dòng %(line)s."),
            )


def _unique_one(value, stored, seen, line, errors, *, taken, repeated):
    if value in stored:
        errors.append(taken % {"v": value})
    elif value in seen:
        errors.append(repeated % {"v": value, "line": seen[value]})
    seen.setdefault(value, line)


def _import_phone(text):
    """A phone as typed in a spreadsheet. Excel drops the leading 0 of a number typed as a number
    ("912345678"): a 9-digit mobile number gets it back."""
    phone = normalize_phone(text)
    if len(phone) == 9 and phone.isdigit() and phone[0] in "35789":
        phone = "0" + phone
    return phone


def _messages_with_labels(error):
    messages = []
    for name, errors in error.message_dict.items():
        label = str(Applicant._meta.get_field(name).verbose_name) if name != "__all__" else ""
        for message in errors:
            messages.append(f"{label.capitalize()}: {message}" if label else message)
    return messages


def applicant_import(table, *, actor, dry_run):
    """Preview (`dry_run`) or write an applicant import: all or nothing."""
    require_columns(table, REQUIRED)
    return run_import(table.rows, ApplicantRowBuilder(actor=actor), dry_run=dry_run)


def request_export_rows(queryset):
    """Headers and rows (an iterator, read in chunks) of the support-request export, with the
    status labels from a dict built once."""
    headers = [
        "Mã theo dõi",
        "Cơ sở",
        "Mã số thuế",
        "Xã, phường",
        "Năm",
        "Hoạt động",
        "Nội dung",
        "Tổng kinh phí (đồng)",
        "Vốn đối ứng (đồng)",
        "Đề nghị hỗ trợ (đồng)",
        "Trạng thái",
        "Ngày gửi",
        "Hồ sơ giấy",
    ]
    statuses = {key: str(label) for key, label in SupportRequest.Status.choices}
    rows = (
        [
            r.code,
            r.applicant.name,
            r.applicant.tax_code,
            r.applicant.commune.full_name,
            r.year,
            r.activity.code,
            r.title,
            r.estimated_cost,
            r.counterpart,
            r.requested_support,
            statuses.get(r.status, r.status),
            r.submitted_at,
            r.entered_by_staff,
        ]
        for r in queryset.iterator(chunk_size=2000)
    )
    return headers, rows


_PERSONAL_LABELS = {
    "full_name": "Họ và tên",
    "email": "Email",
    "phone": "Điện thoại",
    "date_joined": "Ngày tạo tài khoản",
    "kind": "Loại hình",
    "name": "Tên cơ sở",
    "tax_code": "Mã số thuế / số định danh",
    "registration_number": "Số đăng ký kinh doanh",
    "representative": "Người đại diện",
    "address": "Địa chỉ",
    "commune": "Xã, phường",
    "sector": "Ngành nghề",
    "founded_year": "Năm thành lập",
    "insured_employees": "Lao động BHXH",
    "revenue_vnd": "Doanh thu năm (đồng)",
    "capital_vnd": "Tổng nguồn vốn (đồng)",
    "verification_status": "Tình trạng xác minh",
    "privacy_consent_at": "Đồng ý xử lý dữ liệu cá nhân lúc",
    "title": "Nội dung",
    "year": "Năm",
    "craft": "Nghề",
    "decision": "Quyết định",
    "reason": "Lý do",
    "at": "Lúc",
    "code": "Mã theo dõi",
    "description": "Nhu cầu hỗ trợ",
    "estimated_cost": "Tổng kinh phí dự kiến (đồng)",
    "counterpart": "Vốn đối ứng (đồng)",
    "requested_support": "Kinh phí đề nghị hỗ trợ (đồng)",
    "status": "Trạng thái",
    "to": "Chuyển sang",
    "comment": "Ghi chú",
}
_PERSONAL_LABELS.update(
    {
        "notice_version": "Phiên bản thông báo",
        "notice_valid_from": "Thông báo áp dụng từ ngày",
        "given_at": "Đồng ý lúc",
        "on_paper": "Bằng giấy",
        "withdrawn_at": "Rút lại lúc",
        "activity": "Hoạt động",
        "support_request": "Đề nghị hỗ trợ",
        "statement": "Nội dung cam kết",
        "declared_at": "Cam kết lúc",
    }
)
_PERSONAL_DATETIMES = {"date_joined", "privacy_consent_at", "at", "given_at", "withdrawn_at", "declared_at"}
_PERSONAL_DATES = {"notice_valid_from"}


def personal_data_rows(data):
    """The own-data download (selectors.personal_data) as rows of one sheet: section, item,
    value, with Vietnamese labels and dates as dates."""

    def value_of(key, value):
        if key in _PERSONAL_DATETIMES and value:
            return datetime.datetime.fromisoformat(value)
        if key in _PERSONAL_DATES and value:
            return datetime.date.fromisoformat(value)
        if isinstance(value, bool):
            return "Có" if value else "Không"
        return value

    def fields(section, item):
        return [
            [section, _PERSONAL_LABELS.get(key, key), value_of(key, value)]
            for key, value in item.items()
            if not isinstance(value, list)
        ]

    rows = fields("Tài khoản", data["account"])
    for applicant in data["applicants"]:
        section = f"Cơ sở: {applicant['name']}"
        rows += fields(section, applicant)
        for title in applicant["artisan_titles"]:
            rows += fields(f"{section} — danh hiệu nghệ nhân", title)
        for review in applicant["reviews"]:
            rows += fields(f"{section} — xác minh", review)
        for consent in applicant["privacy_consents"]:
            rows += fields(f"{section} — đồng ý xử lý dữ liệu cá nhân", consent)
        for declaration in applicant["declarations"]:
            rows += fields(f"{section} — cam kết không nhận hỗ trợ khác", declaration)
        for request in applicant["support_requests"]:
            name = f"Đề nghị {request['code'] or '(nháp)'}"
            rows += fields(name, request)
            for step in request["steps"]:
                rows += fields(f"{name} — bước xử lý", step)
    return ["Mục", "Thông tin", "Giá trị"], rows

"""Projects in and out of spreadsheets: the export of a filtered list and the import of past
years' projects (all or nothing, row errors), on the shared core.spreadsheets helpers."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from applicants.models import Applicant
from core.spreadsheets import require_columns, run_import
from core.text import clean_text, fold
from programmes.models import ActivityType, ActivityVariant, AdministrativeUnit, FundingSource, Programme

from .models import Project, Status
from .services import project_create

# --- export -------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "Mã đề án",
    "Tên đề án",
    "Năm",
    "Hoạt động",
    "Trường hợp",
    "Nguồn chủ trì",
    "Trạng thái",
    "Đơn vị thực hiện",
    "Đơn vị thụ hưởng",
    "Địa bàn",
    "Tổng kinh phí (đồng)",
    "Kinh phí hỗ trợ (đồng)",
    "Vốn đối ứng và khác (đồng)",
    "Số quyết định",
    "Ngày quyết định",
    "Ngày nghiệm thu",
    "Kinh phí hỗ trợ nghiệm thu (đồng)",
]


def export_rows(queryset):
    """Rows of the export, streamed in chunks: exactly the rows of the filtered list."""
    rows = (
        queryset.select_related("activity", "variant", "lead_fund")
        .prefetch_related(None)  # the list's own prefetches load whole rows
        .prefetch_related(
            # only the columns the cells need (a whole applicant row is about 30 columns)
            Prefetch("beneficiaries", queryset=Applicant.objects.only("id", "name")),
            Prefetch("communes", queryset=AdministrativeUnit.objects.only("id", "full_name")),
        )
    )
    statuses = {key: str(label) for key, label in Status.choices}
    for p in rows.iterator(chunk_size=1000):
        yield [
            p.code,
            p.title,
            p.year,
            p.activity.code,
            p.variant.label if p.variant else "",
            p.lead_fund.short_name,
            statuses.get(p.status, p.status),
            p.implementing_unit,
            "; ".join(a.name for a in p.beneficiaries.all()),
            "; ".join(c.full_name for c in p.communes.all()),
            p.total_cost,
            p.current_support,
            p.counterpart,
            p.decision_number,
            p.decision_date,
            p.acceptance_date,
            p.accepted_support,
        ]


# --- import -------------------------------------------------------------------------------------

IMPORT_COLUMNS = [
    "Mã đề án",
    "Tên đề án",
    "Năm",
    "Mã hoạt động",
    "Trường hợp",
    "Nguồn chủ trì",
    "Đơn vị thực hiện",
    "Mã số thuế đơn vị thụ hưởng",
    "Mã xã",
    "Tổng kinh phí",
    "Kinh phí KCQG",
    "Kinh phí KCĐP",
    "Vốn đối ứng",
    "Nguồn khác",
    "Trạng thái",
    "Số quyết định",
    "Ngày quyết định",
    "Ngày nghiệm thu",
    "Kinh phí hỗ trợ nghiệm thu",
]
IMPORT_STATUSES = {
    "da phe duyet": Status.APPROVED,
    "approved": Status.APPROVED,
    "dang thuc hien": Status.IN_PROGRESS,
    "in_progress": Status.IN_PROGRESS,
    "da nghiem thu": Status.ACCEPTED,
    "accepted": Status.ACCEPTED,
    "da quyet toan": Status.SETTLED,
    "settled": Status.SETTLED,
    "da huy": Status.CANCELLED,
    "cancelled": Status.CANCELLED,
    "khong phe duyet": Status.REJECTED,
    "rejected": Status.REJECTED,
}
LINE_COLUMNS = {
    "Kinh phí KCQG": "KCQG",
    "Kinh phí KCĐP": "KCDP",
    "Vốn đối ứng": "DOI_UNG",
    "Nguồn khác": "KHAC",
}


@dataclass
class ImportedProject:
    """A checked row: the arguments of project_create and, for the preview, the project it makes."""

    line: int
    project: Project
    create: dict = field(default_factory=dict)


def _int(value, label, errors, required=False):
    text = (value or "").replace(".", "").replace(",", "").replace(" ", "")
    if not text:
        if required:
            errors.append(_("thiếu %(col)s") % {"col": label})
        return None if not required else 0
    try:
        number = int(text)
    except ValueError:
        errors.append(_("%(col)s “%(value)s” không phải số") % {"col": label, "value": value})
        return 0
    if number < 0:
        errors.append(_("%(col)s không được âm") % {"col": label})
    return number


def _date(value, label, errors):
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%d/%m/%Y").date()  # noqa: DTZ007 (a date, no time)
    except ValueError:
        errors.append(_("%(col)s “%(value)s” không đúng dạng dd/mm/yyyy") % {"col": label, "value": value})
        return None


def _codes(value, *, pad=0):
    """The codes of a cell that lists several, separated by “;”."""
    return [c.zfill(pad) for c in (part.strip() for part in (value or "").split(";")) if c]


class ProjectImporter:
    """Checks every row first (its cells here, the project through project_create, the service the
    form uses, in a savepoint rolled back); writes nothing unless every row is valid."""

    def __init__(self, user):
        self.user = user
        programme = Programme.objects.filter(is_current=True).first()
        self.activities = {a.code: a for a in ActivityType.objects.filter(programme=programme)}
        self.variants = {(v.activity_id, v.key): v for v in ActivityVariant.objects.all()}
        self.sources = {s.code: s for s in FundingSource.objects.all()}
        self.leads = {fold(s.short_name).upper(): s for s in self.sources.values() if s.can_lead}
        self.leads.update({s.code: s for s in self.sources.values() if s.can_lead})
        self.communes = {c.code: c for c in AdministrativeUnit.objects.all()}
        self.existing_codes = set(Project.objects.values_list("code", flat=True))
        self.seen = set()

    def _code(self, data, errors):
        code = clean_text(data.get("Mã đề án")).upper()
        if not code:
            errors.append(_("thiếu mã đề án"))
        elif code in self.existing_codes:
            errors.append(_("mã đề án %(code)s đã có") % {"code": code})
        elif code in self.seen:
            errors.append(_("mã đề án %(code)s lặp trong tệp") % {"code": code})
        self.seen.add(code)
        return code

    def _activity(self, data, errors):
        activity = self.activities.get(clean_text(data.get("Mã hoạt động")))
        if activity is None:
            errors.append(
                _("mã hoạt động “%(v)s” không có trong danh mục") % {"v": data.get("Mã hoạt động", "")}
            )
            return None, None
        variant_key = clean_text(data.get("Trường hợp")) or "default"
        variant = self.variants.get((activity.pk, variant_key))
        if variant is None:
            errors.append(_("trường hợp “%(v)s” không thuộc hoạt động") % {"v": variant_key})
        return activity, variant

    def _lead(self, data, errors):
        lead = self.leads.get(clean_text(data.get("Nguồn chủ trì")).upper()) or self.leads.get(
            fold(data.get("Nguồn chủ trì")).upper()
        )
        if lead is None:
            errors.append(_("nguồn chủ trì phải là KCQG hoặc KCĐP"))
        return lead

    def _lines(self, data, total, errors):
        lines = {}
        for column, source_code in LINE_COLUMNS.items():
            amount = _int(data.get(column), column, errors)
            if amount:
                lines[source_code] = amount
        if sum(lines.values()) != total:
            errors.append(_("các nguồn cộng lại khác tổng kinh phí"))
        return lines

    def _recorded(self, data, status, support, errors):
        """The decision and acceptance the past project already has."""
        acceptance_date = _date(data.get("Ngày nghiệm thu"), "Ngày nghiệm thu", errors)
        if status in (Status.ACCEPTED, Status.SETTLED) and acceptance_date is None:
            errors.append(_("đề án đã nghiệm thu cần ngày nghiệm thu"))
        return {
            "decision_number": clean_text(data.get("Số quyết định")),
            "decision_date": _date(data.get("Ngày quyết định"), "Ngày quyết định", errors),
            "approved_support": support if status != Status.REJECTED else None,
            "acceptance_date": acceptance_date,
            "accepted_support": _int(
                data.get("Kinh phí hỗ trợ nghiệm thu"), "Kinh phí hỗ trợ nghiệm thu", errors
            ),
        }

    def _people(self, data, errors):
        beneficiaries = []
        for tax_code in _codes(data.get("Mã số thuế đơn vị thụ hưởng")):
            applicant = Applicant.objects.filter(tax_code=tax_code).first()
            if applicant is None:
                errors.append(_("không có cơ sở mã số thuế %(v)s") % {"v": tax_code})
            else:
                beneficiaries.append(applicant)
        communes = []
        for commune_code in _codes(data.get("Mã xã"), pad=5):
            if commune_code not in self.communes:
                errors.append(_("mã xã %(v)s không có") % {"v": commune_code})
            else:
                communes.append(self.communes[commune_code])
        return beneficiaries, communes

    def _arguments(self, data):
        """project_create's arguments from one row, or a ValidationError listing its errors."""
        errors = []
        code = self._code(data, errors)
        title = clean_text(data.get("Tên đề án"))
        if not title:
            errors.append(_("thiếu tên đề án"))
        year = _int(data.get("Năm"), "Năm", errors, required=True)
        activity, variant = self._activity(data, errors)
        lead = self._lead(data, errors)
        status = IMPORT_STATUSES.get(fold(data.get("Trạng thái")))
        if status is None:
            errors.append(_("trạng thái “%(v)s” không hợp lệ") % {"v": data.get("Trạng thái", "")})
        total = _int(data.get("Tổng kinh phí"), "Tổng kinh phí", errors, required=True)
        lines = self._lines(data, total, errors)
        support = sum(a for c, a in lines.items() if self.sources[c].is_state_support)
        recorded = self._recorded(data, status, support, errors)
        beneficiaries, communes = self._people(data, errors)
        if errors:
            raise ValidationError(errors)
        values = {
            "title": title,
            "year": year,
            "activity": activity,
            "variant": variant,
            "lead_fund": lead,
            "implementing_unit": clean_text(data.get("Đơn vị thực hiện")) or "—",
            "total_cost": total,
            "eligible_cost": total,
        }
        return {
            "data": values,
            "lines": lines,
            "beneficiaries": beneficiaries,
            "communes": communes,
            "code": code,
            "status": status,
            "recorded": recorded,
            "history_step": "import",
            "history_comment": _("Nhập từ tệp dữ liệu các năm trước"),
        }

    def _create(self, arguments):
        return project_create(user=self.user, **arguments)[0]

    def build(self, data, line):
        arguments = self._arguments(data)
        savepoint = transaction.savepoint()
        try:
            project = self._create(arguments)
        except ValidationError as error:
            raise ValidationError(error_messages_flat(error)) from None
        finally:
            transaction.savepoint_rollback(savepoint)
        return ImportedProject(line=line, project=project, create=arguments)

    def save(self, rows):
        for row in rows:
            row.project = self._create(row.create)


def error_messages_flat(error):
    """A service's refusal as the row's messages (without the model's field names)."""
    if hasattr(error, "error_dict"):
        return [m for messages in error.message_dict.values() for m in messages]
    return error.messages


def import_projects(*, user, table, dry_run):
    require_columns(
        table,
        ["Mã đề án", "Tên đề án", "Năm", "Mã hoạt động", "Nguồn chủ trì", "Tổng kinh phí", "Trạng thái"],
    )
    importer = ProjectImporter(user)
    with transaction.atomic():
        return run_import(table.rows, importer.build, dry_run=dry_run, save=importer.save)

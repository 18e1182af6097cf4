"""Projects in and out of spreadsheets: the export of a filtered list and the import of past
years' projects (all or nothing, row errors), on the shared core.spreadsheets helpers."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from applicants.models import Applicant
from core.spreadsheets import require_columns, run_import
from core.text import clean_text, sort_key
from programmes.models import ActivityType, ActivityVariant, AdministrativeUnit, FundingSource, Programme

from .models import BudgetLine, BudgetVersion, Project, ProjectTransition, Status
from .services import _refresh_search

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
    rows = queryset.select_related("activity", "variant", "lead_fund").prefetch_related(
        "beneficiaries", "communes"
    )
    for p in rows.iterator(chunk_size=1000):
        yield [
            p.code,
            p.title,
            p.year,
            p.activity.code,
            p.variant.label if p.variant else "",
            p.lead_fund.short_name,
            p.get_status_display(),
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
    line: int
    project: Project
    lines: dict
    beneficiaries: list = field(default_factory=list)
    communes: list = field(default_factory=list)


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


class ProjectImporter:
    """Builds and checks every row first; writes nothing unless every row is valid."""

    def __init__(self, user):
        from core.text import fold

        self.user = user
        self.fold = fold
        programme = Programme.objects.filter(is_current=True).first()
        self.activities = {a.code: a for a in ActivityType.objects.filter(programme=programme)}
        self.variants = {(v.activity_id, v.key): v for v in ActivityVariant.objects.all()}
        self.sources = {s.code: s for s in FundingSource.objects.all()}
        self.leads = {self.fold(s.short_name).upper(): s for s in self.sources.values() if s.can_lead}
        self.leads.update({s.code: s for s in self.sources.values() if s.can_lead})
        self.communes = {c.code: c for c in AdministrativeUnit.objects.all()}
        self.existing_codes = set(Project.objects.values_list("code", flat=True))
        self.seen = set()

    def build(self, data, line):
        errors = []
        code = clean_text(data.get("Mã đề án")).upper()
        if not code:
            errors.append(_("thiếu mã đề án"))
        elif code in self.existing_codes:
            errors.append(_("mã đề án %(code)s đã có") % {"code": code})
        elif code in self.seen:
            errors.append(_("mã đề án %(code)s lặp trong tệp") % {"code": code})
        self.seen.add(code)
        title = clean_text(data.get("Tên đề án"))
        if not title:
            errors.append(_("thiếu tên đề án"))
        year = _int(data.get("Năm"), "Năm", errors, required=True)
        activity = self.activities.get(clean_text(data.get("Mã hoạt động")))
        if activity is None:
            errors.append(
                _("mã hoạt động “%(v)s” không có trong danh mục") % {"v": data.get("Mã hoạt động", "")}
            )
        variant_key = clean_text(data.get("Trường hợp")) or "default"
        variant = self.variants.get((activity.pk, variant_key)) if activity else None
        if activity and variant is None:
            errors.append(_("trường hợp “%(v)s” không thuộc hoạt động") % {"v": variant_key})
        lead = self.leads.get(clean_text(data.get("Nguồn chủ trì")).upper()) or self.leads.get(
            self.fold(data.get("Nguồn chủ trì")).upper()
        )
        if lead is None:
            errors.append(_("nguồn chủ trì phải là KCQG hoặc KCĐP"))
        status = IMPORT_STATUSES.get(self.fold(data.get("Trạng thái")))
        if status is None:
            errors.append(_("trạng thái “%(v)s” không hợp lệ") % {"v": data.get("Trạng thái", "")})
        total = _int(data.get("Tổng kinh phí"), "Tổng kinh phí", errors, required=True)
        lines = {}
        for column, source_code in LINE_COLUMNS.items():
            amount = _int(data.get(column), column, errors)
            if amount:
                lines[self.sources[source_code]] = amount
        if sum(lines.values()) != total:
            errors.append(_("các nguồn cộng lại khác tổng kinh phí"))
        decision_date = _date(data.get("Ngày quyết định"), "Ngày quyết định", errors)
        acceptance_date = _date(data.get("Ngày nghiệm thu"), "Ngày nghiệm thu", errors)
        accepted_support = _int(data.get("Kinh phí hỗ trợ nghiệm thu"), "Kinh phí hỗ trợ nghiệm thu", errors)
        if status in (Status.ACCEPTED, Status.SETTLED) and acceptance_date is None:
            errors.append(_("đề án đã nghiệm thu cần ngày nghiệm thu"))
        beneficiaries = []
        for tax_code in filter(
            None, (t.strip() for t in (data.get("Mã số thuế đơn vị thụ hưởng") or "").split(";"))
        ):
            applicant = Applicant.objects.filter(tax_code=tax_code).first()
            if applicant is None:
                errors.append(_("không có cơ sở mã số thuế %(v)s") % {"v": tax_code})
            else:
                beneficiaries.append(applicant)
        communes = []
        for commune_code in filter(None, (c.strip().zfill(5) for c in (data.get("Mã xã") or "").split(";"))):
            if commune_code not in self.communes:
                errors.append(_("mã xã %(v)s không có") % {"v": commune_code})
            else:
                communes.append(self.communes[commune_code])
        if errors:
            raise ValidationError(errors)
        support = sum(a for s, a in lines.items() if s.is_state_support)
        project = Project(
            code=code,
            title=title,
            year=year,
            activity=activity,
            variant=variant,
            lead_fund=lead,
            implementing_unit=clean_text(data.get("Đơn vị thực hiện")) or "—",
            total_cost=total,
            eligible_cost=total,
            state_support=support,
            status=status,
            decision_number=clean_text(data.get("Số quyết định")),
            decision_date=decision_date,
            approved_support=support if status != Status.REJECTED else None,
            acceptance_date=acceptance_date,
            accepted_support=accepted_support,
            created_by=self.user,
            sort_key=sort_key(title),
        )
        try:
            project.full_clean(exclude=["code"] if code else None)
        except ValidationError as error:
            raise ValidationError([m for msgs in error.message_dict.values() for m in msgs]) from None
        return ImportedProject(
            line=line, project=project, lines=lines, beneficiaries=beneficiaries, communes=communes
        )

    def save(self, rows):
        for row in rows:
            project = row.project
            project.save()
            budget = BudgetVersion.objects.create(
                project=project,
                number=1,
                total_cost=project.total_cost,
                eligible_cost=project.eligible_cost,
                created_by=self.user,
            )
            BudgetLine.objects.bulk_create(
                [BudgetLine(budget=budget, funding_source=s, amount=a) for s, a in row.lines.items()]
            )
            Project.objects.filter(pk=project.pk).update(current_budget=budget)
            project.current_budget = budget
            project.beneficiaries.set(row.beneficiaries)
            project.communes.set(row.communes)
            _refresh_search(project)
            ProjectTransition.objects.create(
                project=project,
                step="import",
                from_status="",
                to_status=project.status,
                actor=self.user,
                comment=_("Nhập từ tệp dữ liệu các năm trước"),
                budget=budget,
            )


def import_projects(*, user, table, dry_run):
    require_columns(
        table,
        ["Mã đề án", "Tên đề án", "Năm", "Mã hoạt động", "Nguồn chủ trì", "Tổng kinh phí", "Trạng thái"],
    )
    importer = ProjectImporter(user)
    with transaction.atomic():
        return run_import(table.rows, importer.build, dry_run=dry_run, save=importer.save)

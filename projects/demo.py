"""Demo projects for `make run`: a handful in several states, some accepted so that the home page's
targets move. Idempotent: a project whose title exists is left alone."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from applicants.models import Applicant
from programmes.models import ActivityType, AdministrativeUnit, FundingSource

from . import services
from .models import Payment, Project, Status

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PATH = ["submit", "appraise", "approve", "contract", "start", "accept", "settle"]
TARGET_INDEX = {
    Status.DRAFT: 0,
    Status.SUBMITTED: 1,
    Status.APPRAISED: 2,
    Status.APPROVED: 3,
    Status.CONTRACTED: 4,
    Status.IN_PROGRESS: 5,
    Status.ACCEPTED: 6,
    Status.SETTLED: 7,
}

# (title, activity, variant, lead fund, total, support, status, applicant index or None, commune)
DEMO_PROJECTS = [
    (
        "Mô hình trình diễn kỹ thuật dệt thổ cẩm bằng máy Jacquard",
        "2a",
        "new_tech",
        "KCQG",
        1_200_000_000,
        350_000_000,
        Status.ACCEPTED,
        1,
        "11953",
    ),
    (
        "Hỗ trợ ứng dụng máy chẻ nan tự động cho hộ mây tre đan",
        "2b",
        "machine",
        "KCQG",
        320_000_000,
        150_000_000,
        Status.SETTLED,
        0,
        "12364",
    ),
    (
        "Xây dựng và đăng ký nhãn hiệu “Mây tre Tiên Lữ”",
        "3c",
        "trademark",
        "KCDP",
        60_000_000,
        30_000_000,
        Status.ACCEPTED,
        0,
        "12364",
    ),
    (
        "Bình chọn sản phẩm công nghiệp nông thôn tiêu biểu cấp tỉnh năm 2026",
        "3a",
        "provincial_round",
        "KCDP",
        400_000_000,
        400_000_000,
        Status.IN_PROGRESS,
        None,
        "11953",
    ),
    (
        "Hỗ trợ dây chuyền sấy và đóng gói nông sản",
        "2b",
        "line",
        "KCQG",
        900_000_000,
        400_000_000,
        Status.SUBMITTED,
        1,
        "11953",
    ),
    (
        "Đào tạo khởi sự doanh nghiệp cho cơ sở CNNT",
        "1a",
        "default",
        "KCDP",
        150_000_000,
        150_000_000,
        Status.DRAFT,
        None,
        "12025",
    ),
]


def _pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _file(kind):
    """A file for a checklist row: a photo is an image, anything else a PDF."""
    if kind == "photo":
        return SimpleUploadedFile(f"{kind}.png", PNG, content_type="image/png")
    return _pdf(f"{kind}.pdf")


def _demo_applicants():
    rows = []
    for phone, name, commune, kind in [
        ("0912000005", "Hộ kinh doanh mây tre đan Đỗ Văn Đức", "12364", Applicant.Kind.HOUSEHOLD),
        ("0912000006", "HTX Dệt may Phụng Công", "11953", Applicant.Kind.COOPERATIVE),
    ]:
        owner = User.objects.filter(phone=phone).first()
        applicant = Applicant.objects.filter(owner=owner).first() if owner else None
        applicant = applicant or Applicant.objects.filter(name=name).first()
        if applicant is None:
            applicant = Applicant.objects.create(
                kind=kind,
                name=name,
                representative=owner.full_name if owner else name,
                phone=phone,
                address="—",
                commune=AdministrativeUnit.objects.get(code=commune),
                owner=owner,
            )
        rows.append(applicant)
    return rows


def _data(project, step):
    lead = project.lead_fund.code
    day = datetime.date(2026, 3, 2)
    return {
        "submit": {},
        "appraise": {
            "appraisal_result": "pass",
            "appraisal_date": day,
            "comment": "Đạt yêu cầu",
            "document": _pdf("phieu-tham-dinh.pdf"),
        },
        "approve": {
            "decision_number": "215/QĐ-SCT",
            "decision_date": day,
            "amounts": {lead: project.state_support},
        },
        "contract": {
            "contract_number": "15/2026/HĐ-KC",
            "contract_date": datetime.date(2026, 3, 12),
            "contract_parties": "Trung tâm Khuyến công; đơn vị thụ hưởng",
            "contract_value": project.approved_support,
        },
        "start": {"start_date": datetime.date(2026, 3, 20)},
        "accept": {
            "acceptance_number": "NT-08/2026",
            "acceptance_date": datetime.date(2026, 9, 25),
            "accepted_cost": project.total_cost,
            "amounts": {lead: project.contract_value},
            "document": _pdf("bien-ban-nghiem-thu.pdf"),
        },
        "settle": {
            "settlement_date": datetime.date(2026, 10, 10),
            "actual_cost": project.total_cost,
            "amounts": {lead: project.accepted_support},
            "liquidation_number": "TL-08/2026",
            "document": _pdf("thanh-ly.pdf"),
        },
    }[step]


@transaction.atomic
def load_demo(log=print):
    staff = User.objects.filter(groups__name=Role.STAFF).first()
    leader = User.objects.filter(groups__name=Role.LEADER).first()
    if staff is None or leader is None:
        log("Demo projects skipped: no staff or leader account.")
        return
    applicants = _demo_applicants()
    created = 0
    for title, code, variant, lead, total, support, status, who, commune in DEMO_PROJECTS:
        if Project.objects.filter(title=title).exists():
            continue
        activity = ActivityType.objects.get(programme__is_current=True, code=code)
        project, _warnings = services.project_create(
            user=staff,
            data={
                "title": title,
                "year": 2026,
                "activity": activity,
                "variant": activity.variants.get(key=variant),
                "lead_fund": FundingSource.objects.get(code=lead),
                "implementing_unit": "Trung tâm Khuyến công và Xúc tiến thương mại tỉnh Hưng Yên",
                "total_cost": total,
                "units_covered": 1,
                "start_date": datetime.date(2026, 3, 1),
                "end_date": datetime.date(2026, 11, 30),
                "objectives": "Nâng cao năng suất, chất lượng sản phẩm công nghiệp nông thôn",
            },
            lines={lead: support, **({"DOI_UNG": total - support} if total > support else {})},
            outputs=[{"label": "Cơ sở được hỗ trợ", "quantity": 1, "unit": "cơ sở"}],
            beneficiaries=[applicants[who]] if who is not None else [],
            communes=[AdministrativeUnit.objects.get(code=commune)],
        )
        for step in PATH[: TARGET_INDEX[status]]:
            project = Project.objects.get(pk=project.pk)
            if step in ("submit", "accept", "settle"):
                for row in services.missing_documents(project, step):
                    services.project_document_add(
                        user=staff, project=project, kind=row.kind, uploaded=_file(row.kind)
                    )
            if step == "settle":
                services.payment_record(
                    user=staff,
                    project=project,
                    kind=Payment.Kind.FINAL,
                    amount=project.accepted_support,
                    paid_on=datetime.date(2026, 10, 5),
                )
            project = services.project_transition(
                user=leader, project=project, step=step, data=_data(project, step)
            )
        if status == Status.IN_PROGRESS:
            services.progress_entry_add(
                user=staff, project=project, month=datetime.date(2026, 4, 1), percent=35, spent=120_000_000
            )
        created += 1
    log(f"Đề án mẫu: thêm {created} đề án.")

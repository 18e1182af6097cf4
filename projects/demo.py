"""Demo projects for `make run`: a handful in several states, some accepted so that the home page's
targets move. Idempotent: a project whose title exists is left alone."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from applicants import services as applicant_services
from applicants.models import Applicant
from programmes.models import ActivityType, AdministrativeUnit, FundingSource

from . import services
from .models import DocumentKind, Payment, Project, ProjectDocument, ProjectTransition, Status

# khuyencong.demo's accounts: the Trung tâm officer who prepares, the Sở officer who appraises
PREPARER_PHONE = "0912000008"
APPRAISER_PHONE = "0912000001"
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


def _kind_pdf(kind):
    """A file named as a person would name it: "Báo giá máy móc, thiết bị.pdf"."""
    return _pdf(str(DocumentKind(kind).label).replace(" / ", ", ").replace("/", "-") + ".pdf")


# The business day of each step of the demo cycle (its history row and files carry it, so that
# the timeline's times agree with the dates the steps record).
PREPARED_ON = datetime.date(2026, 2, 20)
STEP_DAYS = {
    "create": PREPARED_ON,
    "submit": datetime.date(2026, 2, 25),
    "appraise": datetime.date(2026, 3, 2),
    "approve": datetime.date(2026, 3, 2),
    "contract": datetime.date(2026, 3, 12),
    "start": datetime.date(2026, 3, 20),
    "accept": datetime.date(2026, 9, 25),
    "settle": datetime.date(2026, 10, 5),
}


def _at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _date_history(project):
    """Move the demo project's history rows and files to the business days of their steps."""
    # the dossier's files came with the submission; a step's own file (its sheet, its minutes) on its day
    ProjectDocument.objects.filter(project=project).update(uploaded_at=_at(STEP_DAYS["submit"], 8))
    for row in ProjectTransition.objects.filter(project=project):
        day = STEP_DAYS.get(row.step, PREPARED_ON)
        ProjectTransition.objects.filter(pk=row.pk).update(at=_at(day, 10))
        if row.document_id:
            ProjectDocument.objects.filter(pk=row.document_id).update(uploaded_at=_at(day, 9))
    Project.objects.filter(pk=project.pk).update(created_at=_at(PREPARED_ON, 8))


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
                verification_status=Applicant.Verification.VERIFIED,
            )
        rows.append(applicant)
    return rows


# Who issues and who signs, by lead fund: a KCQG đề án is approved by the Minister of Industry and
# Trade and contracted by the ministry's khuyến công department (party A); a KCĐP one is approved
# by the provincial chairman (programmes.DecisionIssuer). No provincial support rule is loaded, so
# a KCĐP approval records the legal basis it applied.
APPROVAL = {
    "KCQG": {"decision_number": "1215/QĐ-BCT", "issuer": "ministry"},
    "KCDP": {
        "decision_number": "215/QĐ-UBND",
        "issuer": "province_chair",
        "legal_basis": "Quyết định 1966/QĐ-UBND ngày 27/11/2025 của UBND tỉnh Hưng Yên (chưa có nghị quyết "
        "của HĐND tỉnh về mức hỗ trợ)",
    },
}
CONTRACT_PARTIES = {
    "KCQG": "Bên A: Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công (Bộ Công Thương); "
    "Bên B: Trung tâm Khuyến công và Xúc tiến thương mại tỉnh Hưng Yên",
    "KCDP": "Bên A: Trung tâm Khuyến công và Xúc tiến thương mại tỉnh Hưng Yên; Bên B: đơn vị thụ hưởng",
}


def _data(project, step):
    lead = project.lead_fund.code
    day = datetime.date(2026, 3, 2)
    return {
        "submit": {},
        "appraise": {
            "appraisal_date": day,
            "comment": "Đạt yêu cầu",
            "document": _pdf("Phiếu thẩm định.pdf"),
        },
        "approve": {
            **APPROVAL[lead],
            "decision_date": day,
            "amounts": {lead: project.state_support},
        },
        "contract": {
            "contract_number": "15/2026/HĐ-KC",
            "contract_date": datetime.date(2026, 3, 12),
            "contract_parties": CONTRACT_PARTIES[lead],
            "contract_value": project.approved_support,
        },
        "start": {"start_date": datetime.date(2026, 3, 20)},
        "accept": {
            "acceptance_number": "NT-08/2026",
            "acceptance_date": datetime.date(2026, 9, 25),
            "accepted_cost": project.total_cost,
            "amounts": {lead: project.contract_value},
            "document": _pdf("Biên bản nghiệm thu.pdf"),
        },
        "settle": {
            "settlement_date": datetime.date(2026, 10, 10),
            "actual_cost": project.total_cost,
            "amounts": {lead: project.accepted_support},
            "liquidation_number": "TL-08/2026",
            "document": _pdf("Biên bản thanh lý.pdf"),
        },
    }[step]


@transaction.atomic
def load_demo(log=print):
    # the Trung tâm officer prepares and submits, the Sở officer appraises, the leader decides
    preparer = User.objects.filter(phone=PREPARER_PHONE, groups__name=Role.STAFF).first()
    staff = User.objects.filter(phone=APPRAISER_PHONE, groups__name=Role.STAFF).first()
    leader = User.objects.filter(groups__name=Role.LEADER).first()
    if preparer is None or staff is None or leader is None:
        log("Demo projects skipped: no preparer, appraiser or leader account.")
        return
    actors = {"submit": preparer, "appraise": staff}
    applicants = _demo_applicants()
    created = 0
    for title, code, variant, lead, total, support, status, who, commune in DEMO_PROJECTS:
        if Project.objects.filter(title=title).exists():
            continue
        activity = ActivityType.objects.get(programme__is_current=True, code=code)
        project, _warnings = services.project_create(
            user=preparer,
            data={
                "title": title,
                "year": 2026,
                "activity": activity,
                "variant": activity.variants.get(key=variant),
                "lead_fund": FundingSource.objects.get(code=lead),
                "implementing_unit": "Trung tâm Khuyến công và Xúc tiến thương mại tỉnh Hưng Yên",
                "total_cost": total,
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
            if step == "submit":
                for beneficiary in project.beneficiaries.all():
                    applicant_services.no_other_support_declare(
                        applicant=beneficiary,
                        actor=staff,
                        year=project.year,
                        activity=project.activity,
                        on_paper=True,
                    )
            if step in ("submit", "accept", "settle"):
                for row in services.missing_documents(project, step):
                    services.project_document_add(
                        user=preparer,
                        project=project,
                        kind=row.kind,
                        uploaded=_file(row.kind) if row.kind == "photo" else _kind_pdf(row.kind),
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
                user=actors.get(step, leader), project=project, step=step, data=_data(project, step)
            )
        _date_history(project)
        if status == Status.IN_PROGRESS:
            services.progress_entry_add(
                user=staff, project=project, month=datetime.date(2026, 4, 1), percent=35, spent=120_000_000
            )
        created += 1
    log(f"Đề án mẫu: thêm {created} đề án.")

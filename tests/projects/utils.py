"""Helpers for project tests: build projects through the services and walk them along the table."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from applicants.models import Applicant
from programmes.models import ActivityType, AdministrativeUnit, FundingSource
from projects import services
from projects.models import Payment, Project, Status

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

DECISION_DATE = datetime.date(2026, 3, 2)
CONTRACT_DATE = datetime.date(2026, 3, 10)
START_DATE = datetime.date(2026, 3, 16)
ACCEPTANCE_DATE = datetime.date(2026, 9, 30)


def pdf(name="tai-lieu.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fund(code):
    return FundingSource.objects.get(code=code)


def activity(code):
    return ActivityType.objects.get(programme__is_current=True, code=code)


def make_applicant(
    *, owner=None, commune_code="11953", name="Hợp tác xã Mây tre đan Đức Long", tax_code=None
):
    applicant = Applicant.objects.create(
        kind=Applicant.Kind.COOPERATIVE,
        name=name,
        tax_code=tax_code,
        representative="Nguyễn Văn An",
        phone="0912345678",
        address="Thôn Đông",
        commune=AdministrativeUnit.objects.get(code=commune_code),
        owner=owner,
    )
    return applicant


def make_project(
    user,
    *,
    activity_code="2b",
    variant_key="machine",
    lead="KCQG",
    total=600_000_000,
    support=300_000_000,
    eligible=None,
    units=1,
    year=2026,
    beneficiaries=(),
    communes=("11953",),
    title="Hỗ trợ máy dệt tự động",
    other_state=0,
):
    act = activity(activity_code)
    variant = act.variants.get(key=variant_key) if variant_key else None
    lines = {lead: support, "DOI_UNG": total - support - other_state}
    if other_state:
        lines["KCDP" if lead == "KCQG" else "KCQG"] = other_state
    project, _warnings = services.project_create(
        user=user,
        data={
            "title": title,
            "year": year,
            "activity": act,
            "variant": variant,
            "lead_fund": fund(lead),
            "implementing_unit": "Trung tâm Khuyến công và Xúc tiến thương mại",
            "total_cost": total,
            "eligible_cost": eligible,
            "units_covered": units,
            "start_date": datetime.date(year, 3, 1),
            "end_date": datetime.date(year, 11, 30),
        },
        lines=lines,
        outputs=[{"label": "Máy dệt", "quantity": 2, "unit": "máy"}],
        beneficiaries=beneficiaries,
        communes=[AdministrativeUnit.objects.get(code=c) for c in communes],
    )
    return project


def upload_required(user, project, step="submit"):
    for row in services.missing_documents(project, step):
        services.project_document_add(user=user, project=project, kind=row.kind, uploaded=pdf())


def step_data(project, step):
    """Valid data for `step` on `project` as it stands."""
    lead = project.lead_fund.code
    if step == "return":
        return {"comment": "Bổ sung báo giá"}
    if step == "appraise":
        return {
            "appraisal_result": "pass",
            "appraisal_date": DECISION_DATE,
            "comment": "Đạt",
            "document": pdf("phieu.pdf"),
        }
    if step == "approve":
        return {
            "decision_number": "123/QĐ-SCT",
            "decision_date": DECISION_DATE,
            "amounts": {lead: project.state_support},
        }
    if step in ("reject", "cancel"):
        return {"reason": "Không phù hợp"}
    if step == "stop":
        return {"reason": "Cơ sở ngừng sản xuất", "decision_number": "45/QĐ-SCT", "decision_date": START_DATE}
    if step == "contract":
        return {
            "contract_number": "HĐ-01/2026",
            "contract_date": CONTRACT_DATE,
            "contract_parties": "Trung tâm Khuyến công; HTX Đức Long",
            "contract_value": project.approved_support,
        }
    if step == "start":
        return {"start_date": START_DATE}
    if step == "accept":
        return {
            "acceptance_number": "NT-01",
            "acceptance_date": ACCEPTANCE_DATE,
            "accepted_cost": project.total_cost,
            "amounts": {lead: project.contract_value},
            "document": pdf("bien-ban.pdf"),
        }
    if step == "settle":
        return {
            "actual_cost": project.total_cost,
            "amounts": {lead: project.accepted_support},
            "liquidation_number": "TL-01",
            "document": pdf("thanh-ly.pdf"),
        }
    return {}


PATH = {
    Status.DRAFT: [],
    Status.SUBMITTED: ["submit"],
    Status.RETURNED: ["submit", "return"],
    Status.APPRAISED: ["submit", "appraise"],
    Status.APPROVED: ["submit", "appraise", "approve"],
    Status.CONTRACTED: ["submit", "appraise", "approve", "contract"],
    Status.IN_PROGRESS: ["submit", "appraise", "approve", "contract", "start"],
    Status.ACCEPTED: ["submit", "appraise", "approve", "contract", "start", "accept"],
    Status.SETTLED: ["submit", "appraise", "approve", "contract", "start", "accept", "settle"],
}


def prepare(leader, project, step):
    """What a step needs beyond its fields: documents before submitting, payments before settling."""
    if step == "submit":
        upload_required(leader, project)
    if step == "settle" and not project.payments.exists():
        services.payment_record(
            user=leader,
            project=project,
            kind=Payment.Kind.FINAL,
            amount=project.accepted_support,
            paid_on=ACCEPTANCE_DATE,
        )


def advance(leader, project, status):
    """Walk `project` to `status` along the table (a leader may take every step)."""
    for step in PATH[status]:
        project = Project.objects.get(pk=project.pk)
        prepare(leader, project, step)
        project = services.project_transition(
            user=leader, project=project, step=step, data=step_data(project, step)
        )
    return Project.objects.get(pk=project.pk)

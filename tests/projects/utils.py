"""Helpers for project tests: build projects through the services and walk them along the table."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from accounts.roles import Role
from applicants import services as applicant_services
from applicants.models import Applicant
from programmes.models import ActivityType, AdministrativeUnit, DecisionIssuer, FundingSource
from projects import services
from projects.models import Payment, Project, ProjectTransition, Status
from projects.workflow import STEPS_BY_KEY

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

DECISION_DATE = datetime.date(2026, 3, 2)
CONTRACT_DATE = datetime.date(2026, 3, 10)
START_DATE = datetime.date(2026, 3, 16)
ACCEPTANCE_DATE = datetime.date(2026, 6, 10)
SETTLEMENT_DATE = datetime.date(2026, 6, 12)


def pdf(name="tai-lieu.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fund(code):
    return FundingSource.objects.get(code=code)


def activity(code):
    return ActivityType.objects.get(programme__is_current=True, code=code)


def make_applicant(
    *,
    owner=None,
    commune_code="11953",
    name="Hợp tác xã Mây tre đan Đức Long",
    tax_code=None,
    verification_status=Applicant.Verification.VERIFIED,
):
    """A cooperative (category a); verified, as a beneficiary must be when its project is submitted."""
    applicant = Applicant.objects.create(
        kind=Applicant.Kind.COOPERATIVE,
        verification_status=verification_status,
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
    models=None,
    units=None,
    planned=None,
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
            # the number of models, what a per-model cap counts (`units`: its older name, when a
            # free "units covered" still existed; a per-facility cap counts the beneficiaries)
            "models_count": models or units or 1,
            "planned_beneficiaries": planned,
            "start_date": datetime.date(year, 3, 1),
            "end_date": datetime.date(year, 11, 30),
        },
        lines=lines,
        outputs=[{"label": "Máy dệt", "quantity": 2, "unit": "máy"}],
        beneficiaries=beneficiaries,
        communes=[AdministrativeUnit.objects.get(code=c) for c in communes],
    )
    return project


def declare_for_beneficiaries(user, project):
    """Each beneficiary's declaration that the cost items get no other state support, recorded by
    staff from paper (required at submission, tests/applicants/test_eligibility.py)."""
    for beneficiary in project.beneficiaries.all():
        applicant_services.no_other_support_declare(
            applicant=beneficiary, actor=user, year=project.year, activity=project.activity, on_paper=True
        )


def png(name="anh.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def upload_required(user, project, step="submit"):
    if step == "submit":
        declare_for_beneficiaries(user, project)
    for row in services.missing_documents(project, step):
        uploaded = png() if row.kind == "photo" else pdf()
        services.project_document_add(user=user, project=project, kind=row.kind, uploaded=uploaded)


# The day each stage of the cycle is dated, by the field that records it (any other date field:
# the start date). In order, and before the frozen clock of conftest.py (15/06/2026).
DATES = {
    "appraisal_date": DECISION_DATE,
    "decision_date": DECISION_DATE,
    "contract_date": CONTRACT_DATE,
    "start_date": START_DATE,
    "acceptance_date": ACCEPTANCE_DATE,
    "settlement_date": SETTLEMENT_DATE,
    # a reduced approval's counterpart commitment is dated on or before the decision
    "counterpart_commitment_date": DECISION_DATE,
}


def _support_so_far(project):
    """The support the cycle has reached: accepted, else contracted, else proposed."""
    for figure in (project.accepted_support, project.contract_value, project.state_support):
        if figure is not None:
            return figure
    return 0


def _text(project, step, f):
    return f"{step.key.upper()}-01/{project.year}"


def _note(project, step, f):
    return f"{f.label} — {step.label}"


def _date(project, step, f):
    return DATES.get(f.name, START_DATE)


def _money(project, step, f):
    """The figure the field starts from (its declared `initial`), else the project's total cost."""
    return getattr(project, f.initial) if f.initial else project.total_cost


def _choice(project, step, f):
    if f.name == "issuer":  # one the lead fund allows (programmes.DecisionIssuer)
        return DecisionIssuer.objects.filter(funding_source=project.lead_fund).first().issuer
    return ProjectTransition._meta.get_field(f.name).choices[0][0]


def _number(project, step, f):
    """A number field (a reduced scale at approval) is left empty: nothing is reduced."""
    return None


def _document(project, step, f):
    return pdf(f"{step.key}.pdf")


def _amounts(project, step, f):
    return {project.lead_fund.code: _support_so_far(project)}


# A valid value of each field kind, for a project as it stands at the step.
KIND_VALUES = {
    "text": _text,
    "note": _note,
    "date": _date,
    "money": _money,
    "number": _number,
    "choice": _choice,
    "document": _document,
    "amounts": _amounts,
}


def step_data(project, step):
    """Valid data for `step` on `project` as it stands, one value per declared field by its kind."""
    spec = STEPS_BY_KEY[step]
    return {f.name: KIND_VALUES[f.kind](project, spec, f) for f in spec.fields}


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


def needs_named_units(project) -> bool:
    """Whether a state line of `project` falls under a per-facility or per-trademark cap on the
    tests' decision date: its approval then needs the beneficiaries named or a planned number."""
    from programmes.selectors import rule_in_force
    from projects.services.budget import PER_BENEFICIARY

    funds = {project.lead_fund} | {s for s in services.budget_lines(project) if s.is_state_support}
    communes = list(project.communes.all())
    for source in funds:
        rule = rule_in_force(
            activity=project.activity,
            variant=project.variant,
            funding_source=source,
            on_date=DECISION_DATE,
            communes=communes,
        )
        if rule is not None and rule.cap_vnd is not None and rule.cap_unit in PER_BENEFICIARY:
            return True
    return False


def name_a_facility(project):
    """A walk names one verified facility in the project's commune for a project whose approval
    needs named units (a per-facility cap, issue 9 A4) when the test named none and planned none."""
    if project.planned_beneficiaries or project.beneficiaries.exists() or not needs_named_units(project):
        return
    commune = project.communes.first()
    project.beneficiaries.add(
        make_applicant(
            commune_code=commune.code if commune else "11953", name=f"Cơ sở thụ hưởng của {project.code}"
        )
    )


def prepare(leader, project, step, *, name_facility=True):
    """What a step needs beyond its fields: a facility named where the cap counts facilities (see
    name_a_facility; `name_facility=False` leaves a project without any), the documents the
    checklist asks at that step (submission, acceptance, settlement), payments before settling."""
    if step == "submit" and name_facility:
        name_a_facility(project)
    if step in ("submit", "accept", "settle"):
        upload_required(leader, project, step)
    if step == "settle" and not project.payments.exists():
        services.payment_record(
            user=leader,
            project=project,
            kind=Payment.Kind.FINAL,
            amount=project.accepted_support,
            paid_on=ACCEPTANCE_DATE,
        )


def appraiser():
    """A staff officer who prepared none of the tests' projects: the appraiser is never the one who
    created or submitted the đề án (programmes.ApprovalRules)."""
    from tests.factories import UserFactory

    return User.objects.filter(email=APPRAISER_EMAIL).first() or UserFactory(
        roles=[Role.STAFF], email=APPRAISER_EMAIL, full_name="Cán bộ thẩm định"
    )


APPRAISER_EMAIL = "thamdinh@example.test"


def actor_for(leader, project, step):
    """Who takes `step` in a walk: the project's creator submits it (its preparer), an officer who
    prepared nothing appraises it, a leader takes every other step."""
    if step == "submit":
        return project.created_by or leader
    if step in ("appraise", "appraise_fail"):
        return appraiser()
    return leader


def advance(leader, project, status, *, name_facility=True):
    """Walk `project` to `status` along the table (see actor_for: who takes each step; prepare:
    what each step needs beyond its fields)."""
    for step in PATH[status]:
        project = Project.objects.get(pk=project.pk)
        prepare(leader, project, step, name_facility=name_facility)
        project = services.project_transition(
            user=actor_for(leader, project, step), project=project, step=step, data=step_data(project, step)
        )
    return Project.objects.get(pk=project.pk)

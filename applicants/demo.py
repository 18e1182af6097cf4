"""Demo applicants and support requests for `make run` (linked to the demo applicant users)."""

import datetime

from django.db import transaction

from accounts.models import User
from accounts.roles import Role, grant_roles
from core.deadlines import local_zone
from programmes.models import ActivityType, ActivityVariant, AdministrativeUnit

from .models import Applicant, ApplicantReview, ArtisanTitle, SupportRequest, SupportRequestEvent
from .services import (
    applicant_prepare,
    support_request_create,
    support_request_triage,
)

# (owner phone or None, kind, name, tax code, commune code, representative, phone, sector, status)
DEMO_APPLICANTS = [
    (
        "0912000005",
        "household",
        "Hộ kinh doanh mây tre đan Đỗ Văn Đức",
        "034085001234",
        "12364",
        "Đỗ Văn Đức",
        "0912000005",
        "Mây tre đan",
        "verified",
    ),
    (
        "0912000006",
        "cooperative",
        "HTX Dệt may Phụng Công",
        "0900000027",
        "11953",
        "Vũ Thị Mai",
        "0912000006",
        "Dệt may",
        "verified",
    ),
    (
        None,
        "artisan",
        "Nghệ nhân Nguyễn Văn Lộc",
        "034070005678",
        "12025",
        "Nguyễn Văn Lộc",
        "0987654321",
        "Chạm khắc gỗ",
        "verified",
    ),
    (
        None,
        "sme",
        "Công ty TNHH Cơ khí Tiên Lữ",
        "0900000034",
        "12364",
        "Trần Văn Bình",
        "0977111222",
        "Cơ khí",
        "pending",
    ),
    (
        None,
        "craft_village",
        "Làng nghề hương xạ Cao Thôn",
        None,
        "11953",
        "Lê Thị Hoa",
        "0966333444",
        "Làm hương",
        "pending",
    ),
]


@transaction.atomic
def load_demo(log=print):
    if Applicant.objects.filter(name=DEMO_APPLICANTS[0][2]).exists():
        log("Dữ liệu mẫu cơ sở đã có.")
        return
    staff = User.objects.filter(phone="0912000001").first()
    made = {}
    for owner_phone, kind, name, tax, commune, rep, phone, sector, status in DEMO_APPLICANTS:
        owner = User.objects.filter(phone=owner_phone).first() if owner_phone else None
        if owner:
            grant_roles(owner, Role.APPLICANT)
        applicant = Applicant(
            kind=kind,
            name=name,
            tax_code=tax,
            representative=rep,
            phone=phone,
            address="Thôn Đông",
            commune=AdministrativeUnit.objects.get(code=commune),
            sector=sector,
            founded_year=2015,
            insured_employees=8,
            revenue_vnd=2_500_000_000,
            capital_vnd=1_200_000_000,
            verification_status=status,
            owner=owner,
            entered_by_staff=owner is None,
            created_by=staff,
        )
        applicant_prepare(applicant)
        applicant.save()
        if owner:
            applicant.members.add(owner)
        ApplicantReview.objects.create(
            applicant=applicant, decision=ApplicantReview.Decision.SUBMITTED, actor=owner
        )
        if status == "verified":
            ApplicantReview.objects.create(
                applicant=applicant, decision=ApplicantReview.Decision.VERIFIED, actor=staff
            )
        made[name] = applicant
    artisan = made["Nghệ nhân Nguyễn Văn Lộc"]
    ArtisanTitle.objects.create(
        applicant=artisan,
        title=ArtisanTitle.Title.MERITORIOUS,
        year=2022,
        craft="Chạm khắc gỗ",
        decision="QĐ 2202/QĐ-CTN",
    )
    machine = ActivityVariant.objects.get(activity__code="2b", key="machine")
    trademark = ActivityVariant.objects.get(activity__code="3c", key="trademark")
    plans = [
        (
            "Hộ kinh doanh mây tre đan Đỗ Văn Đức",
            machine,
            "Hỗ trợ máy chẻ nan tự động",
            400_000_000,
            220_000_000,
            "submitted",
        ),
        (
            "HTX Dệt may Phụng Công",
            machine,
            "Hỗ trợ máy dệt kim điện tử",
            560_000_000,
            300_000_000,
            "accepted",
        ),
        (
            "HTX Dệt may Phụng Công",
            trademark,
            "Đăng ký nhãn hiệu tập thể",
            60_000_000,
            30_000_000,
            "returned",
        ),
        (
            "Nghệ nhân Nguyễn Văn Lộc",
            None,
            "Tham gia hội chợ thủ công mỹ nghệ",
            80_000_000,
            20_000_000,
            "declined",
        ),
        (
            "Hộ kinh doanh mây tre đan Đỗ Văn Đức",
            trademark,
            "Thiết kế nhãn hiệu mây tre",
            40_000_000,
            20_000_000,
            "draft",
        ),
    ]
    fair = ActivityType.objects.get(code="3b")
    for name, variant, title, cost, counterpart, status in plans:
        applicant = made[name]
        activity = variant.activity if variant else fair
        request = support_request_create(
            applicant=applicant,
            actor=applicant.owner or staff,
            data={
                "year": 2026,
                "activity": activity,
                "variant": variant,
                "title": title,
                "description": title + ".",
                "estimated_cost": cost,
                "counterpart": counterpart,
            },
            submit=status != SupportRequest.Status.DRAFT,
        )
        action = {"accepted": "accept", "returned": "return", "declined": "decline"}.get(status)
        if action and staff:
            support_request_triage(
                request=request,
                actor=staff,
                action=action,
                reason="" if action == "accept" else "Cần bổ sung báo giá.",
            )
        _date_request(request)
    log(f"Cơ sở mẫu: {len(made)} cơ sở, {len(plans)} đề nghị hỗ trợ.")


# The business days of the demo requests: written in January, triaged a week later (the projects
# made from them are prepared in February, projects.demo).
WRITTEN_AT = datetime.datetime(2026, 1, 12, 9, 0, tzinfo=local_zone())
TRIAGED_AT = datetime.datetime(2026, 1, 19, 14, 0, tzinfo=local_zone())


def _date_request(request):
    """Move a demo request's history to its business days (it was just made, "now")."""
    events = list(SupportRequestEvent.objects.filter(request=request).order_by("at", "id"))
    for index, event in enumerate(events):
        at = WRITTEN_AT if index == 0 or event.to_status == SupportRequest.Status.SUBMITTED else TRIAGED_AT
        SupportRequestEvent.objects.filter(pk=event.pk).update(at=at)
    submitted = WRITTEN_AT if request.code else None
    SupportRequest.objects.filter(pk=request.pk).update(created_at=WRITTEN_AT, submitted_at=submitted)

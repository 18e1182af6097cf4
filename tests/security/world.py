"""The access matrix's world: one user per role and, for every kind of row a URL names, a row that
belongs to someone else (another facility, another commune, another officer), plus a few rows the
matrix's applicant and commune official own. Built once per module (tests/security/conftest.py)."""

import datetime
import hashlib
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from accounts.models import Notification, User
from accounts.roles import Role
from applicants.models import MemberInvitation
from core.models import FileJob
from programmes import plans
from programmes.models import ActivityType, FundingSource, ReportingUnit
from projects.models import Status
from reports import services as report_services
from reports import yearly_jobs
from reports.models import (
    GeneratedReport,
    GeneratedReportSignedCopy,
    UnitReport,
    UnitReportPdf,
    UnitReportSignedCopy,
)
from reports.yearly_models import Audience, ReportKind
from tests.factories import ApplicantFactory, CollaboratorFactory, SupportRequestFactory, UserFactory, commune
from tests.projects.utils import PDF, advance, make_project

# After the project cycle's dates of tests/projects/utils.py, inside 2026's reporting window.
NOW = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

# The roles of the matrix, in the order of the table's letters.
ROLES = ("anonymous", "applicant", "commune", "department", "staff", "leader", "observer", "superuser")

OWN_COMMUNE, OTHER_COMMUNE = "11953", "12364"  # Phố Hiến (the official's), Tiên Lữ (someone else's)


def _users() -> dict:
    users = {
        "anonymous": None,
        "applicant": UserFactory(roles=[Role.APPLICANT], full_name="Cơ sở của ma trận"),
        "commune": UserFactory(roles=[Role.UNIT_REPORTER]),
        "department": UserFactory(roles=[Role.UNIT_REPORTER]),
        "staff": UserFactory(roles=[Role.STAFF]),
        "leader": UserFactory(roles=[Role.LEADER]),
        "observer": UserFactory(roles=[Role.OBSERVER]),
        "superuser": User.objects.create_superuser(
            email="root@example.test", phone="0900000999", password="x", full_name="Quản trị"
        ),
    }
    ReportingUnit.objects.get(commune__code=OWN_COMMUNE).members.add(users["commune"])
    # A partner department: a reporting unit without a commune.
    department = ReportingUnit.objects.create(
        code="so-nong-nghiep-ma-tran", name="Sở Nông nghiệp và Môi trường", kind=ReportingUnit.Kind.DEPARTMENT
    )
    department.members.add(users["department"])
    return users


def _file(row, field, name, data=PDF):
    getattr(row, field).save(name, ContentFile(data), save=False)
    row.checksum = hashlib.sha256(data).hexdigest()
    return row


def _projects(w: dict) -> None:
    preparer, leader = w["preparer"], w["other_leader"]
    other = make_project(preparer, beneficiaries=[w["other_applicant"]], communes=(OTHER_COMMUNE,))
    w["project"] = advance(leader, other, Status.APPROVED)
    w["document"] = w["project"].documents.order_by("pk").first()
    w["draft_project"] = make_project(
        preparer, beneficiaries=[w["other_applicant"]], communes=(OTHER_COMMUNE,), title="Đề án dự thảo"
    )
    own = make_project(
        preparer, beneficiaries=[w["own_applicant"]], communes=(OWN_COMMUNE,), title="Đề án của mình"
    )
    w["own_project"] = advance(leader, own, Status.APPROVED)


def _reports(w: dict) -> None:
    staff = w["preparer"]
    period = report_services.period_open(user=staff, year=2026)
    w["period"] = period
    w["unit_report"] = UnitReport.objects.get(period=period, unit__commune__code=OTHER_COMMUNE)
    w["own_unit_report"] = UnitReport.objects.get(period=period, unit__commune__code=OWN_COMMUNE)
    w["department_report"] = UnitReport.objects.get(
        period=period, unit__commune__isnull=True, unit__code__endswith="ma-tran"
    )
    pdf = UnitReportPdf(report=w["unit_report"], status=UnitReportPdf.Status.DONE, progress=100)
    _file(pdf, "file", "bao-cao.pdf").save()
    w["unit_report_pdf"] = pdf
    w["signed_copy"] = UnitReportSignedCopy.objects.create(
        report=w["unit_report"],
        pdf=pdf,
        file=ContentFile(PDF, name="ban-ky.pdf"),
        original_name="Bản ký.pdf",
        content_type="application/pdf",
        size=len(PDF),
        checksum=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=w["other_applicant_user"],
    )
    request = yearly_jobs.report_request_open(
        user=staff, kind=ReportKind.YEARLY, audience=Audience.PROVINCE, period=period
    )
    w["report_request"] = request
    for version, final in ((1, True), (2, False)):
        row = GeneratedReport(
            request=request, version=version, status=GeneratedReport.Status.DONE, progress=100
        )
        _file(row, "file", "r.pdf")
        row.xlsx.save("r.xlsx", ContentFile(b"PK xlsx"), save=False)
        row.xlsx_checksum = "b" * 64
        if final:
            row.is_final, row.finalised_by, row.finalised_at = True, w["other_leader"], timezone.now()
        row.save()
        w["generated_final" if final else "generated_draft"] = row
    w["generated_signed_copy"] = GeneratedReportSignedCopy.objects.create(
        report=w["generated_final"],
        file=ContentFile(PDF, name="ban-ky.pdf"),
        original_name="Báo cáo đã ký.pdf",
        content_type="application/pdf",
        size=len(PDF),
        checksum=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=staff,
    )


def _plan(w: dict) -> None:
    plan = plans.plan_create(
        user=w["preparer"], year=2027, funding_source=FundingSource.objects.get(code="KCDP"), note="Kế hoạch"
    )
    activity = ActivityType.objects.get(programme__is_current=True, code="2b")
    w["plan_item"] = plans.plan_item_save(
        user=w["preparer"],
        plan=plan,
        data={
            "activity": activity,
            "variant": activity.variants.get(key="machine"),
            "label": "Máy móc thiết bị",
            "planned_quantity": 2,
            "unit": "cơ sở",
            "planned_support": 300_000_000,
            "expected_counterpart": 300_000_000,
        },
    )
    w["plan"] = plan


def _admin_rows(w: dict) -> None:
    """A row of each model the admin lists that the portal's pages made none of (its object pages
    are requested too)."""
    from django_celery_beat import models as beat

    from applicants.models import PrivacyConsent, PrivacyNotice
    from core.models import EmailDelivery, ThrottleCounter
    from programmes.models import ApprovalRules, PlanCalendar, Programme, SelectionRound

    programme = Programme.objects.get(is_current=True)
    PlanCalendar.objects.first() or PlanCalendar.objects.create()
    ApprovalRules.objects.first() or ApprovalRules.objects.create()
    SelectionRound.objects.create(
        programme=programme,
        year=2026,
        recognition_decision="12/QĐ-UBND",
        recognition_date=datetime.date(2026, 5, 4),
    )
    interval = beat.IntervalSchedule.objects.create(every=1, period=beat.IntervalSchedule.DAYS)
    beat.CrontabSchedule.objects.create(minute="0", hour="7")
    beat.SolarSchedule.objects.create(event="sunrise", latitude=20.65, longitude=106.05)
    beat.ClockedSchedule.objects.create(clocked_time=NOW)
    beat.PeriodicTask.objects.create(name="ma-tran", task="core.tasks.noop", interval=interval)
    ThrottleCounter.objects.create(key="ma-tran", count=1, since=NOW)
    EmailDelivery.objects.create(
        recipient=w["other_user"], address="a@example.test", event="test", dedupe_key="ma-tran"
    )
    PrivacyConsent.objects.create(
        applicant=w["other_applicant"],
        notice=PrivacyNotice.objects.order_by("pk").first(),
        given_by=w["other_user"],
    )


def build_world() -> dict:
    w = _users()
    w["preparer"] = UserFactory(roles=[Role.STAFF], full_name="Cán bộ lập đề án")
    w["other_leader"] = UserFactory(roles=[Role.LEADER])
    w["other_applicant_user"] = UserFactory(roles=[Role.APPLICANT])
    w["other_applicant"] = ApplicantFactory(owner=w["other_applicant_user"], commune=commune(OTHER_COMMUNE))
    w["own_applicant"] = ApplicantFactory(owner=w["applicant"], commune=commune(OWN_COMMUNE))
    w["request"] = SupportRequestFactory(applicant=w["other_applicant"])
    w["own_request"] = SupportRequestFactory(applicant=w["own_applicant"])
    w["invitation"] = MemberInvitation.objects.create(
        applicant=w["other_applicant"], contact="0988777666", invited_by=w["other_applicant_user"]
    )
    w["notification"] = Notification.objects.create(
        recipient=w["other_applicant_user"], event="test", title="Thông báo của người khác"
    )
    job = FileJob(
        kind="projects_export", requested_by=w["preparer"], status=FileJob.Status.DONE, progress=100
    )
    _file(job, "file", "de-an.xlsx").save()
    w["file_job"] = job
    w["collaborator"] = CollaboratorFactory(commune=commune(OTHER_COMMUNE))
    w["other_user"] = w["other_applicant_user"]
    _projects(w)
    _reports(w)
    _plan(w)
    _admin_rows(w)
    return w


# --- what a refused POST must leave as it was ---------------------------------------------------

# Sign-ins and sessions change on every request; the throttle counts requests. Nothing else may move.
VOLATILE_TABLES = {"django_session", "core_throttlecounter"}


def snapshot() -> dict:
    """Per table: the number of rows and a digest of all of them (every column, in key order)."""
    state = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in VOLATILE_TABLES or model._meta.proxy or not model._meta.managed:
                continue
            columns = [f.column for f in model._meta.local_concrete_fields]
            pk = model._meta.pk.column
            cursor.execute(
                f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} "  # noqa: S608
                f"FROM {connection.ops.quote_name(table)} ORDER BY {connection.ops.quote_name(pk)}"
            )
            rows = cursor.fetchall()
            state[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))

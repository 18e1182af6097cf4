"""The yearly results of the reporting units (decision 1966/QĐ-UBND, section VI.7.a: every xã/phường
and the partner departments and organisations report to UBND tỉnh through Sở Công Thương by
22 December): the reporting period, the units expected that period, each unit's report with one
value per indicator, and the report's history.

Moments are stored in UTC; deadlines are the end of their day in Asia/Ho_Chi_Minh (core.deadlines)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords

from core.deadlines import end_of_day, local_zone
from core.models import Job
from programmes.models import Indicator, ReportingUnit

# Days before the unit deadline on which members of units that have not submitted are reminded;
# a negative offset is a day after it (design.md, Jobs: 7, 3 and 1 days before and the day after).
DEFAULT_REMINDER_OFFSETS = [7, 3, 1, -1]


def period_defaults(year: int) -> dict:
    """The dates of a period as the programme's owner reads the decision ("trước ngày 22/31 tháng
    12"): input from 1 December, units by the end of 22/12, the province by the end of 31/12; the
    figures cover 15/12 of the previous year to 14/12, the cut-off of NĐ 09/2019/NĐ-CP Điều 12 for
    yearly reports (what falls after it is reported as "ước thực hiện"). Data: staff edit them."""
    return {
        "opens_at": datetime.datetime(year, 12, 1, tzinfo=local_zone()),
        "unit_deadline": end_of_day(datetime.date(year, 12, 22)),
        "province_deadline": end_of_day(datetime.date(year, 12, 31)),
        "data_from": datetime.date(year - 1, 12, 15),
        "data_to": datetime.date(year, 12, 14),
        "reminder_offsets": list(DEFAULT_REMINDER_OFFSETS),
    }


class ReportingPeriod(models.Model):
    """A year's round of unit reports. `units` is the snapshot of the units expected that period,
    taken when it opens (ExpectedUnit): a unit added, merged or deactivated later does not change
    the period's denominator."""

    year = models.PositiveSmallIntegerField(_("năm báo cáo"), unique=True)
    opens_at = models.DateTimeField(_("bắt đầu nhận báo cáo"))
    unit_deadline = models.DateTimeField(_("hạn đơn vị gửi báo cáo"))
    province_deadline = models.DateTimeField(_("hạn báo cáo UBND tỉnh"))
    data_from = models.DateField(_("số liệu từ ngày"))
    data_to = models.DateField(_("số liệu đến ngày"))
    reminder_offsets = models.JSONField(
        _("nhắc hạn trước hạn (ngày)"),
        default=list,
        blank=True,
        help_text=_("Số ngày trước hạn đơn vị; số âm là sau hạn (mặc định 7, 3, 1 và -1)."),
    )
    units = models.ManyToManyField(
        ReportingUnit,
        through="ExpectedUnit",
        related_name="reporting_periods",
        verbose_name=_("đơn vị phải báo cáo"),
    )
    opened_at = models.DateTimeField(_("mở kỳ lúc"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_closed = models.BooleanField(_("đã khóa sổ"), default=False)
    closed_at = models.DateTimeField(_("khóa sổ lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("unit_deadline")) & Q(unit_deadline__lte=F("province_deadline")),
                name="period_deadlines_ordered",
                violation_error_message=_(
                    "Ngày bắt đầu nhận phải trước hạn của đơn vị, và hạn của đơn vị không sau hạn báo cáo UBND tỉnh."
                ),
            ),
            models.CheckConstraint(
                condition=Q(data_from__lte=F("data_to")),
                name="period_data_window_ordered",
                violation_error_message=_("Ngày đầu của thời gian lấy số liệu phải trước ngày cuối."),
            ),
            models.CheckConstraint(
                condition=Q(is_closed=False, closed_at__isnull=True)
                | Q(is_closed=True, closed_at__isnull=False),
                name="period_closed_has_time",
            ),
        ]

    def __str__(self):
        return str(_("Kỳ báo cáo năm %(year)s") % {"year": self.year})

    def clean(self):
        offsets = self.reminder_offsets
        if not isinstance(offsets, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and -30 <= n <= 60 for n in offsets
        ):
            raise ValidationError(
                {"reminder_offsets": _("Ngày nhắc hạn là các số nguyên từ -30 đến 60, ví dụ 7, 3, 1, -1.")}
            )

    @property
    def is_open(self):
        """Receiving reports: from its opening moment until staff close it."""
        return not self.is_closed and timezone.now() >= self.opens_at


class ExpectedUnit(models.Model):
    """A unit expected to report in a period (the snapshot taken when the period opens, or added
    later by staff with a reason). An excused unit stays listed but leaves the denominator."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="expected")
    unit = models.ForeignKey(
        ReportingUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    excused = models.BooleanField(_("được miễn báo cáo"), default=False)
    excuse_reason = models.TextField(_("lý do miễn"), blank=True)
    added_by_staff = models.BooleanField(_("cán bộ Sở bổ sung"), default=False)
    added_reason = models.TextField(_("lý do bổ sung"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("đơn vị phải báo cáo")
        verbose_name_plural = _("đơn vị phải báo cáo")
        ordering = ["period", "unit__kind", "unit__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="expected_unit_once_per_period"),
            models.CheckConstraint(
                condition=Q(excused=False) | ~Q(excuse_reason=""), name="expected_excuse_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(added_by_staff=False) | ~Q(added_reason=""), name="expected_addition_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.period.year}: {self.unit}"


class UnitReport(models.Model):
    """A unit's yearly report for a period: one value per indicator (UnitReportValue), the
    narrative sections, and its state on the workflow (reports.workflow). Lateness is judged by the
    first submission; a report returned and resubmitted by the date staff set keeps it (`late` is
    written by the submission step, never typed in)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã gửi")
        RETURNED = "returned", _("Trả lại để bổ sung")
        ACCEPTED = "accepted", _("Đã tiếp nhận")

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("kỳ báo cáo")
    )
    unit = models.ForeignKey(
        ReportingUnit, on_delete=models.PROTECT, related_name="unit_reports", verbose_name=_("đơn vị")
    )
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    results = models.TextField(_("kết quả thực hiện"), blank=True)
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    first_submitted_at = models.DateTimeField(_("gửi lần đầu lúc"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người gửi"),
    )
    late = models.BooleanField(_("nộp muộn"), default=False)
    # The day staff want a returned (or reopened) report back: resubmitted by its end, the report
    # keeps the lateness of its first submission.
    wanted_back_by = models.DateField(_("hạn gửi lại"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("mở lại lúc"), null=True, blank=True)
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(verbose_name=_("lịch sử thay đổi báo cáo của đơn vị"))  # core.audit

    class Meta:
        verbose_name = _("báo cáo của đơn vị")
        verbose_name_plural = _("báo cáo của đơn vị")
        ordering = ["-period__year", "unit__kind", "unit__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="unit_report_once_per_period"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "returned", "accepted"]),
                name="unit_report_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(first_submitted_at__isnull=False),
                name="unit_report_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="unit_report_reopen_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.unit} — {self.period.year}"

    def audit_histories(self):
        """The audit trail (core.audit) of a report: its own changes and its figures'."""
        return [self.history.all(), UnitReportValue.history.filter(report_id=self.pk)]

    @property
    def is_locked(self):
        """Closed with its period, unless staff reopened this one report."""
        return self.period.is_closed and self.reopened_at is None

    @property
    def is_editable(self):
        """The unit may still change it (draft, or returned to it) and it is not locked."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED) and not self.is_locked

    @property
    def was_submitted(self):
        return self.first_submitted_at is not None

    @property
    def is_overdue(self):
        """Not submitted and its deadline has passed (a returned report: the day staff set)."""
        if self.status == self.Status.RETURNED and self.wanted_back_by:
            return timezone.now() > end_of_day(self.wanted_back_by)
        return not self.was_submitted and timezone.now() > self.period.unit_deadline


class UnitReportValue(models.Model):
    """One indicator's figure in a unit's report: what the portal pre-filled from its own data
    (None where it has nothing to pre-fill from) and the unit's own figure, with a note required
    at submission when they differ. Money is whole đồng (entered and shown in triệu đồng)."""

    report = models.ForeignKey(
        UnitReport, on_delete=models.CASCADE, related_name="values", verbose_name=_("báo cáo")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("chỉ tiêu")
    )
    prefilled = models.BigIntegerField(_("số liệu của Cổng"), null=True, blank=True)
    value = models.BigIntegerField(_("số liệu của đơn vị"), null=True, blank=True)
    note = models.TextField(_("giải trình"), blank=True)
    # the audit trail (core.audit): on the report's trail, named by their indicator; the figures
    # are counts or money in triệu đồng by indicator, so shown as plain numbers
    history = HistoricalRecords(verbose_name=_("lịch sử thay đổi số liệu báo cáo"))
    AUDIT_SUBJECT = "indicator"
    AUDIT_NUMBERS = frozenset({"prefilled", "value"})

    class Meta:
        verbose_name = _("số liệu báo cáo")
        verbose_name_plural = _("số liệu báo cáo")
        ordering = ["report", "indicator__order", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="unit_report_value_once"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="unit_report_value_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(prefilled__isnull=True) | Q(prefilled__gte=0),
                name="unit_report_prefill_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code}: {self.value}"

    @property
    def differs(self):
        return self.prefilled is not None and self.value is not None and self.value != self.prefilled


class UnitReportEvent(models.Model):
    """One step of a report's workflow (who, when, from, to, comment, the day wanted back): the
    immutable history the page shows (core.workflow writes it)."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(_("bước"), max_length=20)
    from_status = models.CharField(_("từ trạng thái"), max_length=20, choices=UnitReport.Status.choices)
    to_status = models.CharField(_("sang trạng thái"), max_length=20, choices=UnitReport.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("ý kiến"), blank=True)
    wanted_back_by = models.DateField(_("hạn gửi lại"), null=True, blank=True)
    late = models.BooleanField(_("nộp muộn"), default=False)

    class Meta:
        verbose_name = _("lịch sử báo cáo của đơn vị")
        verbose_name_plural = _("lịch sử báo cáo của đơn vị")
        ordering = ["report", "at", "id"]

    def __str__(self):
        return f"{self.report_id} {self.step}"


# --- The unit's official report: its PDF and the signed copy (issue 11, item 7) -----------------
# (task E: reports.pdf builds the PDF; reports.signatures reads the signed copy's signatures)


class UnitReportPdf(Job):
    """The PDF of a unit's report as sent (NĐ 30/2020 layout), built in the background on each
    submission (core.jobs: queued, running with progress, done with its file and checksum, or
    failed with the reason). A resubmission makes the next version; a finished file is kept."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="pdf_jobs")

    class Meta(Job.Meta):
        verbose_name = _("bản PDF báo cáo của đơn vị")
        verbose_name_plural = _("bản PDF báo cáo của đơn vị")
        ordering = ["-version", "-id"]
        constraints = [
            *Job.Meta.constraints,
            models.UniqueConstraint(fields=["report", "version"], name="unit_report_pdf_version_once"),
        ]

    def __str__(self):
        return f"{self.report} v{self.version}"


def signed_copy_path(copy, filename):
    """One folder per report; the name is already random (core.uploads.safe_storage_name)."""
    return f"reports/signed/{copy.report_id}/{filename}"


class UnitReportSignedCopy(models.Model):
    """The signed and stamped copy of a unit's report that the official uploads (a scan as PDF,
    JPEG or PNG, or a digitally signed PDF): the official record beside the data. The latest one is
    the record; earlier ones stay. What the PDF's digital signatures say is read once, at upload
    (reports.signatures), and kept here."""

    class Signature(models.TextChoices):
        NONE = "none", _("Không có chữ ký số")
        VALID = "valid", _("Chữ ký số hợp lệ, văn bản nguyên vẹn")
        INVALID = "invalid", _("Chữ ký số không hợp lệ hoặc văn bản đã bị thay đổi")

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="signed_copies")
    pdf = models.ForeignKey(
        UnitReportPdf,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bản PDF đã ký"),
    )
    file = models.FileField(_("tệp"), upload_to=signed_copy_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    checksum = models.CharField(_("mã kiểm tra SHA-256"), max_length=64)
    signature = models.CharField(
        _("chữ ký số"), max_length=10, choices=Signature.choices, default=Signature.NONE
    )
    # One entry per signature: signer, signed_at (ISO), intact, valid, trust, problem.
    signatures = models.JSONField(_("các chữ ký số"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("bản ký của báo cáo đơn vị")
        verbose_name_plural = _("bản ký của báo cáo đơn vị")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signature__in=["none", "valid", "invalid"]), name="unit_report_signed_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.report} — {self.original_name}"


# --- Compiled reports to UBND tỉnh and Bộ Công Thương (issue 13) ---------------------------------
from .yearly_models import GeneratedReport, GeneratedReportSignedCopy, ReportRequest  # noqa: E402, F401

# The audit trail (core.audit) of what staff write in a compiled report's request (its passages,
# number, recipients, signature block); each build is its own row with who asked and who finalised.
register(ReportRequest, app="reports", verbose_name=_("lịch sử thay đổi yêu cầu lập báo cáo tổng hợp"))

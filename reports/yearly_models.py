"""The compiled reports of Sở Công Thương to UBND tỉnh and to Bộ Công Thương (issue 13; decision
section VI.7.a for the yearly one by 31 December, NĐ 45/2012/NĐ-CP Điều 16 for the quarterly one).

A `ReportRequest` is what staff ask for: a period's year, a quarter or any date range, for one
audience, with the passages they write (report-outline.md: I.1, II.1, II.2, III, IV), the
recipients and the signature block. Each build of it is a `GeneratedReport` (a core Job): the next
version, with its data snapshot, its PDF and XLSX and a SHA-256 of each; a finished file is never
overwritten. A leader marks one version final (the one observers see); the signed copy uploaded
afterwards is the official record of that version (`GeneratedReportSignedCopy`)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Job, job_file_path


class Audience(models.TextChoices):
    PROVINCE = "province", _("UBND tỉnh")
    MINISTRY = "ministry", _("Bộ Công Thương")


class ReportKind(models.TextChoices):
    YEARLY = "yearly", _("Báo cáo năm")
    QUARTERLY = "quarterly", _("Báo cáo quý")
    RANGE = "range", _("Báo cáo theo khoảng thời gian")


# The passages staff write, in the outline's order: (field, section number, heading).
PASSAGES = (
    ("direction", "I.1", _("Công tác chỉ đạo, điều hành")),
    ("achievements", "II.1", _("Kết quả đạt được")),
    ("shortcomings", "II.2", _("Tồn tại, hạn chế và nguyên nhân")),
    ("next_year", "III", _("Phương hướng, nhiệm vụ năm tới")),
    ("proposals", "IV", _("Kiến nghị, đề xuất")),
)


class ReportRequest(models.Model):
    """A compiled report staff ask for: the window its figures cover (a period's data window, a
    quarter, or any range), the audience, and what people write in it. One request per audience
    and window; its builds are its versions."""

    kind = models.CharField(_("loại báo cáo"), max_length=10, choices=ReportKind.choices)
    audience = models.CharField(_("nơi nhận báo cáo"), max_length=10, choices=Audience.choices)
    period = models.ForeignKey(
        "reports.ReportingPeriod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_requests",
        verbose_name=_("kỳ báo cáo"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"), null=True, blank=True)
    date_from = models.DateField(_("số liệu từ ngày"))
    date_to = models.DateField(_("số liệu đến ngày"))
    # the passages (report-outline.md), saved as a draft until the next build reads them
    direction = models.TextField(_("I.1. Công tác chỉ đạo, điều hành"), blank=True)
    achievements = models.TextField(_("II.1. Kết quả đạt được"), blank=True)
    shortcomings = models.TextField(_("II.2. Tồn tại, hạn chế và nguyên nhân"), blank=True)
    next_year = models.TextField(_("III. Phương hướng, nhiệm vụ"), blank=True)
    proposals = models.TextField(_("IV. Kiến nghị, đề xuất"), blank=True)
    number = models.CharField(_("số văn bản"), max_length=20, blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận."))
    signature_authority = models.CharField(_("thẩm quyền ký"), max_length=100, blank=True)
    signature_position = models.CharField(_("chức vụ người ký"), max_length=100, blank=True)
    signature_name = models.CharField(_("họ tên người ký"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    version = models.PositiveIntegerField(default=1)  # core.concurrency, for the passages' form

    class Meta:
        verbose_name = _("yêu cầu lập báo cáo tổng hợp")
        verbose_name_plural = _("yêu cầu lập báo cáo tổng hợp")
        ordering = ["-date_to", "kind", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "audience", "date_from", "date_to"], name="report_request_once_per_window"
            ),
            models.CheckConstraint(
                condition=Q(date_from__lte=F("date_to")), name="report_request_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(kind="yearly", period__isnull=False) | ~Q(kind="yearly"),
                name="report_request_yearly_has_period",
            ),
            models.CheckConstraint(
                condition=Q(kind="quarterly", quarter__gte=1, quarter__lte=4)
                | (~Q(kind="quarterly") & Q(quarter=None)),
                name="report_request_quarter_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} — {self.get_audience_display()}"


class GeneratedReport(Job):
    """One build of a request: `file` is the PDF (with `checksum`), `xlsx` the workbook (with
    `xlsx_checksum`), `snapshot` the data both were made from. `enqueue_failed_at`: the task could
    not be sent (the broker was down); the row waits for the requeue job or `manage.py
    build_report`."""

    request = models.ForeignKey(ReportRequest, on_delete=models.PROTECT, related_name="builds")
    xlsx = models.FileField(_("tệp Excel"), upload_to=job_file_path, max_length=300, blank=True)
    xlsx_checksum = models.CharField(_("mã kiểm tra SHA-256 của tệp Excel"), max_length=64, blank=True)
    snapshot = models.JSONField(_("số liệu đã dùng"), default=dict, blank=True)
    enqueue_failed_at = models.DateTimeField(_("chưa gửi được cho máy xử lý lúc"), null=True, blank=True)
    is_final = models.BooleanField(_("bản chính thức"), default=False)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người chốt"),
    )
    finalised_at = models.DateTimeField(_("chốt lúc"), null=True, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("báo cáo tổng hợp đã lập")
        verbose_name_plural = _("báo cáo tổng hợp đã lập")
        ordering = ["-version", "-id"]
        constraints = [
            *Job.Meta.constraints,
            models.UniqueConstraint(fields=["request", "version"], name="generated_report_version_once"),
            models.UniqueConstraint(
                fields=["request"], condition=Q(is_final=True), name="generated_report_one_final"
            ),
            models.CheckConstraint(
                condition=Q(is_final=False) | Q(status="done", finalised_at__isnull=False),
                name="generated_report_final_is_done",
            ),
        ]

    def __str__(self):
        return f"{self.request} v{self.version}"


def report_signed_copy_path(copy, filename):
    return f"reports/generated-signed/{copy.report_id}/{filename}"


class GeneratedReportSignedCopy(models.Model):
    """The signed and stamped copy of a final version, uploaded by staff: the official record
    (the digital signatures read once at upload by reports.signatures, as for unit reports)."""

    report = models.ForeignKey(GeneratedReport, on_delete=models.PROTECT, related_name="signed_copies")
    file = models.FileField(_("tệp"), upload_to=report_signed_copy_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    checksum = models.CharField(_("mã kiểm tra SHA-256"), max_length=64)
    signature = models.CharField(_("chữ ký số"), max_length=10, default="none")
    signatures = models.JSONField(_("các chữ ký số"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("bản ký của báo cáo tổng hợp")
        verbose_name_plural = _("bản ký của báo cáo tổng hợp")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.report} — {self.original_name}"

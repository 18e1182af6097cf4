"""Infrastructure rows shared by every app: long jobs with a status row and e-mail deliveries.

Users are reached only through settings.AUTH_USER_MODEL, so `core` still imports no portal app."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def job_file_path(job, filename):
    """One folder per row and version: a new run never lands on a finished file."""
    meta = job._meta
    return f"jobs/{meta.app_label}/{meta.model_name}/{job.pk}/v{job.version}/{filename}"


class Job(models.Model):
    """A long piece of work the page polls (report compilation, exports): queued, running, then
    done with its file and SHA-256 checksum, or failed with the reason. Rows are written only by
    `core.jobs` (the runner claims, reports progress and finishes them); a new run is a new row
    with the next `version`, so a finished file is never overwritten."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Lỗi")

    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    error = models.TextField(_("lỗi"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"), default=timezone.now)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    file = models.FileField(_("tệp"), upload_to=job_file_path, max_length=300, blank=True)
    checksum = models.CharField(_("mã kiểm tra SHA-256"), max_length=64, blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="%(app_label)s_%(class)s_progress_0_100",
            ),
        ]

    @property
    def is_active(self):
        """Still worth polling."""
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class FileJob(Job):
    """A file built in the background for the user who asked (an export, a compiled list): `kind`
    names the builder registered with `core.jobs.builder`, `params` what it was asked for. Only the
    requester sees the row and downloads the file."""

    kind = models.CharField(_("loại"), max_length=60)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    file_name = models.CharField(_("tên tệp tải về"), max_length=200, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("tệp xuất nền")
        verbose_name_plural = _("tệp xuất nền")
        indexes = [models.Index(fields=["requested_by", "kind"], name="core_filejob_requester_idx")]

    def __str__(self):
        return f"{self.kind} v{self.version}"


class EmailDelivery(models.Model):
    """One e-mail to one recipient for one event, keyed so that a retried task or a second run of
    a periodic job finds the row and sends nothing again. The message itself is not stored (a
    password-reset link must not sit in the database); only what happened to it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Lỗi")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.EmailField(_("địa chỉ"), max_length=254)
    event = models.CharField(_("sự kiện"), max_length=40)
    dedupe_key = models.CharField(_("khóa chống gửi trùng"), max_length=255, unique=True)
    subject = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    error = models.CharField(_("lỗi"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, db_index=True)
    attempted_at = models.DateTimeField(_("thử gửi lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thư điện tử đã gửi")
        verbose_name_plural = _("thư điện tử đã gửi")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.event} → {self.address}"


class ThrottleCounter(models.Model):
    """The throttle's window when the cache (Redis) does not answer: a row per key, so sign-in and
    lookups keep working, still refusing floods, while Redis is down (core.throttle)."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    since = models.DateTimeField()

    class Meta:
        verbose_name = _("bộ đếm giới hạn (dự phòng)")
        verbose_name_plural = _("bộ đếm giới hạn (dự phòng)")

    def __str__(self):
        return self.key

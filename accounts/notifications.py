"""One vocabulary of events and one entry point, `notify()`, for every message to a user.

`notify()` stores the in-app message at once (in the caller's transaction) and queues the email
only after that transaction commits (core.mail), so a rolled-back change never tells anybody
anything, and a retried job or a second run of a periodic job never emails the same thing twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.mail import email_enqueue


class Event(models.TextChoices):
    ACCOUNT_CREATED = "account_created", _("Tài khoản được tạo")
    PASSWORD_RESET_BY_STAFF = "password_reset_by_staff", _("Mật khẩu được đặt lại")
    PASSWORD_RESET_LINK = "password_reset_link", _("Liên kết đặt lại mật khẩu")
    APPLICANT_REGISTERED = "applicant_registered", _("Cơ sở đăng ký mới")
    APPLICANT_VERIFIED = "applicant_verified", _("Hồ sơ cơ sở được xác minh")
    APPLICANT_REJECTED = "applicant_rejected", _("Hồ sơ cơ sở bị từ chối")
    APPLICANT_CHANGES_REQUESTED = "applicant_changes_requested", _("Hồ sơ cơ sở cần bổ sung")
    APPLICANT_MEMBER_ADDED = "applicant_member_added", _("Được thêm làm thành viên của cơ sở")
    REQUEST_SUBMITTED = "request_submitted", _("Đề nghị hỗ trợ được gửi")
    REQUEST_ACCEPTED = "request_accepted", _("Đề nghị hỗ trợ được chấp nhận")
    REQUEST_DECLINED = "request_declined", _("Đề nghị hỗ trợ không được chấp nhận")
    REQUEST_RETURNED = "request_returned", _("Đề nghị hỗ trợ cần bổ sung")
    PROJECT_TRANSITION = "project_transition", _("Đề án chuyển bước")
    PROJECT_DOCUMENT_REQUESTED = "project_document_requested", _("Đề án cần bổ sung tài liệu")
    PROJECT_ADJUSTED = "project_adjusted", _("Đề án được điều chỉnh")
    REPORT_REMINDER = "report_reminder", _("Nhắc hạn báo cáo")
    PLAN_REMINDER = "plan_reminder", _("Nhắc hạn xây dựng kế hoạch khuyến công")
    REPORT_READY = "report_ready", _("Báo cáo đã được tạo")
    UNIT_REPORT_REVIEWED = "unit_report_reviewed", _("Báo cáo của đơn vị được Sở xử lý")
    TEST = "test", _("Thử nghiệm")


def notify(*, recipients, event, title, body="", url="", email=True, dedupe=""):
    """Tell `recipients` (users) about `event`. Returns the stored notifications.

    The in-app rows are written now; one email per recipient who is active and has an address is
    queued after the current transaction commits. `dedupe` says what makes this message unique for
    a recipient (a reminder: "period:5:offset:7:2026-12-15"): the same event, recipient and
    `dedupe` are emailed once however often the caller runs. Left empty, each call is its own
    message (keyed by its notification)."""
    from .models import Notification

    users = [u for u in dict.fromkeys(recipients) if u is not None and u.is_active]
    key = f"{event}:{dedupe}"[:255] if dedupe else ""
    if key:  # told already (a retried job, a second beat): neither the bell nor the mail again
        told = set(
            Notification.objects.filter(recipient__in=users, dedupe_key=key).values_list(
                "recipient", flat=True
            )
        )
        users = [u for u in users if u.pk not in told]
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=u, event=event, title=str(title), body=str(body), url=url, dedupe_key=key)
            for u in users
        ],
        # two runs at the same instant: the constraint keeps one row per recipient and key
        ignore_conflicts=bool(key),
    )
    if email:
        link = f"\n\n{settings.SITE_URL}{url}" if url else ""
        for user, row in zip(users, rows, strict=True):
            if user.email:
                email_enqueue(
                    event=event,
                    to=user.email,
                    subject=str(title),
                    body=f"{body}{link}",
                    dedupe=dedupe or f"notification:{row.pk}",
                    recipient_id=user.pk,
                )
    return rows
